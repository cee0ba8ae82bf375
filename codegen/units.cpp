#include "codegen/units.h"

#include <algorithm>
#include <set>

#include "ir/diagnostics.h"

namespace codegen {
namespace {

std::string attr_str(const ir::Attr& a) {
  if (const auto* i = std::get_if<int64_t>(&a)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&a)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", *d);
    return buf;
  }
  if (const auto* s = std::get_if<std::string>(&a)) return "\"" + *s + "\"";
  return ir::dims_str(std::get<ir::Dims>(a));
}

// Attrs that name things or carry schedules (already in the signature) rather than semantics.
bool is_identity_attr(const std::string& key) {
  return key == "name" || key == "ref" || key.compare(0, 6, "sched.") == 0;
}

}  // namespace

std::string value_layout(const ir::Node& n) { return n.get_str("layout", n.op == "input" ? "nchw" : "nhwc"); }

std::vector<Unit> split_units(const ir::Graph& g) {
  std::vector<Unit> units;
  Unit current;
  for (const auto& n : g.nodes) {
    if (n.op == "input") continue;
    current.nodes.push_back(n.id);
    if (n.has("ref") || g.is_output(n.id)) units.push_back(std::move(current)), current = Unit();
  }
  if (!current.nodes.empty()) units.push_back(std::move(current));
  for (int out : g.outputs)
    if (g.node(out).op == "input") throw ir::UserError("graph output %" + std::to_string(out) + " is the input itself");

  std::vector<Unit> live;
  for (auto& u : units) {
    std::set<int> inside(u.nodes.begin(), u.nodes.end());
    std::set<std::string> seen_weights;
    for (int id : u.nodes) {
      const ir::Node& n = g.node(id);
      for (int in : n.inputs)
        if (!inside.count(in) && std::find(u.inputs.begin(), u.inputs.end(), in) == u.inputs.end())
          u.inputs.push_back(in);
      for (const auto& p : n.params)
        if (seen_weights.insert(p.name).second) u.weights.push_back(p);
      bool read_outside = g.is_output(id);
      for (int c : g.consumers(id)) read_outside = read_outside || !inside.count(c);
      if (read_outside) u.outputs.push_back(id);
    }
    if (!u.outputs.empty()) live.push_back(std::move(u));
  }
  return live;
}

UnitSchedule unit_schedule(const ir::Graph& g, const Unit& u, const schedules::TargetFacts& facts, bool use_attrs) {
  UnitSchedule s;
  for (int id : u.nodes) {
    const ir::Node& n = g.node(id);
    s[id] = use_attrs ? schedules::node_schedule(g, n, facts) : schedules::default_schedule(g, n, facts);
  }
  return s;
}

std::string unit_signature(const ir::Graph& g, const Unit& u, const std::vector<UnitSchedule>& per_isa) {
  std::map<int, std::string> local;  // value id -> "in0", "%3"
  for (size_t i = 0; i < u.inputs.size(); i++) {
    local[u.inputs[i]] = "in" + std::to_string(i);
  }
  std::map<std::string, std::string> weight_local;
  for (size_t i = 0; i < u.weights.size(); i++) weight_local[u.weights[i].name] = "w" + std::to_string(i);
  std::string sig = "unit(";
  for (size_t i = 0; i < u.inputs.size(); i++) {
    const ir::Node& n = g.node(u.inputs[i]);
    sig += (i ? "," : "") + value_layout(n) + ir::dims_str(n.shape);
  }
  sig += ")";
  for (size_t k = 0; k < u.nodes.size(); k++) {
    const ir::Node& n = g.node(u.nodes[k]);
    local[n.id] = "%" + std::to_string(k);
    sig += ";" + local[n.id] + "=" + n.op + "(";
    for (size_t i = 0; i < n.inputs.size(); i++) sig += (i ? "," : "") + local.at(n.inputs[i]);
    sig += ")";
    for (const auto& [key, value] : n.attrs)
      if (!is_identity_attr(key)) sig += " " + key + "=" + attr_str(value);
    for (const auto& p : n.params) sig += " " + p.role + "=" + weight_local.at(p.name) + ir::dims_str(p.shape);
    sig += " " + value_layout(n) + ir::dims_str(n.shape);
    for (size_t isa = 0; isa < per_isa.size(); isa++) {
      auto it = per_isa[isa].find(n.id);
      if (it != per_isa[isa].end()) sig += " [" + schedules::schedule_str(it->second) + "]";
    }
  }
  sig += ";out(";
  for (size_t i = 0; i < u.outputs.size(); i++) sig += (i ? "," : "") + local.at(u.outputs[i]);
  return sig + ")";
}

}  // namespace codegen
