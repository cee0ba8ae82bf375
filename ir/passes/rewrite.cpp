#include "ir/passes/rewrite.h"

#include <algorithm>

#include "ir/diagnostics.h"

namespace ir {

std::string describe(const Node& n) {
  std::string s = "%" + std::to_string(n.id) + " " + n.op;
  if (n.has("name")) s += " \"" + n.get_str("name") + "\"";
  return s;
}

bool private_to(const Graph& g, int id, int consumer) {
  return g.consumers(id) == std::vector<int>{consumer} && !g.is_output(id) && !g.node(id).has("ref");
}

size_t index_of(const Graph& g, int id) {
  for (size_t i = 0; i < g.nodes.size(); i++)
    if (g.nodes[i].id == id) return i;
  throw InternalError("graph has no node %" + std::to_string(id));
}

void replace_uses(Graph& g, int from, int to) {
  for (auto& n : g.nodes) std::replace(n.inputs.begin(), n.inputs.end(), from, to);
  std::replace(g.outputs.begin(), g.outputs.end(), from, to);
}

void erase_node(Graph& g, int id) { g.nodes.erase(g.nodes.begin() + std::ptrdiff_t(index_of(g, id))); }

void move_to(Graph& g, int id, int at) {
  size_t from = index_of(g, id), to = index_of(g, at);
  if (from >= to)
    throw InternalError("move_to: %" + std::to_string(id) + " does not come before %" + std::to_string(at));
  std::rotate(g.nodes.begin() + std::ptrdiff_t(from), g.nodes.begin() + std::ptrdiff_t(from) + 1,
              g.nodes.begin() + std::ptrdiff_t(to));
}

void take_ref(Node& to, const Node& from) {
  if (!from.has("ref")) return;
  if (to.has("ref") && to.get_str("ref") != from.get_str("ref"))
    throw InternalError(describe(to) + " cannot take ref '" + from.get_str("ref") + "' of " + describe(from) +
                        ": it has ref '" + to.get_str("ref") + "'");
  to.set("ref", from.get_str("ref"));
}

const Tensor& weight_of(const WeightMap& w, const Param& p) {
  auto it = w.find(p.name);
  if (it == w.end()) throw UserError("weights: tensor '" + p.name + "' is missing");
  if (it->second.shape != p.shape)
    throw UserError("weights: tensor '" + p.name + "' has shape " + dims_str(it->second.shape) + ", expected " +
                    dims_str(p.shape));
  if (int64_t(it->second.data.size()) != numel(p.shape))
    throw InternalError("tensor '" + p.name + "' holds " + std::to_string(it->second.data.size()) +
                        " values for shape " + dims_str(p.shape));
  return it->second;
}

static bool named_in_graph(const Graph& g, const std::string& name) {
  for (const auto& n : g.nodes)
    for (const auto& p : n.params)
      if (p.name == name) return true;
  return false;
}

std::string unused_name(const Graph& g, const WeightMap* w, const std::string& base) {
  std::string name = base;
  for (int k = 2; named_in_graph(g, name) || (w && w->count(name)); k++) name = base + "." + std::to_string(k);
  return name;
}

void drop_if_unused(const Graph& g, WeightMap* w, const std::string& name) {
  if (w && !named_in_graph(g, name)) w->erase(name);
}

void replace_tensor(Graph& g, WeightMap* w, Param& p, const std::string& suffix, const Dims& shape,
                    const std::function<Tensor(const Tensor&)>& relaid) {
  std::string old_name = p.name, name = unused_name(g, w, old_name + suffix);
  if (w) (*w)[name] = relaid(weight_of(*w, p));
  p.name = name;
  p.shape = shape;
  p.offset = -1;
  drop_if_unused(g, w, old_name);
}

}  // namespace ir
