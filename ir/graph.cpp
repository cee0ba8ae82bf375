#include "ir/graph.h"

#include <algorithm>

namespace ir {

bool Node::has(const std::string& key) const { return find(key) != nullptr; }

const Attr* Node::find(const std::string& key) const {
  for (const auto& [k, v] : attrs)
    if (k == key) return &v;
  return nullptr;
}

template <typename T>
static const T& get_as(const Node& n, const std::string& key) {
  const Attr* a = n.find(key);
  if (!a) throw InternalError("node %" + std::to_string(n.id) + " (" + n.op + ") has no attribute '" + key + "'");
  const T* v = std::get_if<T>(a);
  if (!v) throw InternalError("node %" + std::to_string(n.id) + " (" + n.op + ") attribute '" + key + "' has the wrong type");
  return *v;
}

int64_t Node::get_int(const std::string& key) const { return get_as<int64_t>(*this, key); }
int64_t Node::get_int(const std::string& key, int64_t fallback) const { return has(key) ? get_int(key) : fallback; }
double Node::get_real(const std::string& key) const {
  const Attr* a = find(key);
  if (a && std::holds_alternative<int64_t>(*a)) return double(std::get<int64_t>(*a));
  return get_as<double>(*this, key);
}
double Node::get_real(const std::string& key, double fallback) const { return has(key) ? get_real(key) : fallback; }
std::string Node::get_str(const std::string& key) const { return get_as<std::string>(*this, key); }
std::string Node::get_str(const std::string& key, const std::string& fallback) const {
  return has(key) ? get_str(key) : fallback;
}
Dims Node::get_dims(const std::string& key) const { return get_as<Dims>(*this, key); }

void Node::set(const std::string& key, Attr value) {
  for (auto& [k, v] : attrs)
    if (k == key) {
      v = std::move(value);
      return;
    }
  attrs.emplace_back(key, std::move(value));
}

void Node::erase(const std::string& key) {
  attrs.erase(std::remove_if(attrs.begin(), attrs.end(), [&](const auto& kv) { return kv.first == key; }),
              attrs.end());
}

const Param* Node::param(const std::string& role) const {
  for (const auto& p : params)
    if (p.role == role) return &p;
  return nullptr;
}

int Graph::next_id() const {
  int next = 0;
  for (const auto& n : nodes) next = std::max(next, n.id + 1);
  return next;
}

Node& Graph::add(std::string op, std::vector<int> inputs) {
  Node n;
  n.id = next_id();
  n.op = std::move(op);
  n.inputs = std::move(inputs);
  nodes.push_back(std::move(n));
  return nodes.back();
}

const Node* Graph::find(int id) const {
  for (const auto& n : nodes)
    if (n.id == id) return &n;
  return nullptr;
}

const Node& Graph::node(int id) const {
  const Node* n = find(id);
  if (!n) throw InternalError("graph has no node %" + std::to_string(id));
  return *n;
}

Node& Graph::node(int id) { return const_cast<Node&>(static_cast<const Graph&>(*this).node(id)); }

std::vector<int> Graph::consumers(int id) const {
  std::vector<int> out;
  for (const auto& n : nodes)
    if (std::find(n.inputs.begin(), n.inputs.end(), id) != n.inputs.end()) out.push_back(n.id);
  return out;
}

bool Graph::is_output(int id) const { return std::find(outputs.begin(), outputs.end(), id) != outputs.end(); }

std::string dims_str(const Dims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); i++) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

int64_t numel(const Dims& d) {
  int64_t n = 1;
  for (auto x : d) n *= x;
  return n;
}

}  // namespace ir
