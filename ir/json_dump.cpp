#include "ir/json_dump.h"

namespace ir {

nlohmann::ordered_json graph_to_json(const Graph& g) {
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (const Node& n : g.nodes) {
    nlohmann::ordered_json attrs = nlohmann::ordered_json::object();
    for (const auto& [key, value] : n.attrs) std::visit([&, &key = key](const auto& v) { attrs[key] = v; }, value);
    nlohmann::ordered_json params = nlohmann::ordered_json::array();
    for (const Param& p : n.params) {
      nlohmann::ordered_json jp = {{"role", p.role}, {"name", p.name}, {"shape", p.shape}};
      if (p.offset >= 0) jp["offset"] = p.offset;
      params.push_back(std::move(jp));
    }
    nodes.push_back({{"id", n.id},
                     {"op", n.op},
                     {"inputs", n.inputs},
                     {"attrs", std::move(attrs)},
                     {"params", std::move(params)},
                     {"shape", n.shape}});
  }
  return {{"name", g.name}, {"nodes", std::move(nodes)}, {"outputs", g.outputs}};
}

}  // namespace ir
