#include "codegen/aot/plan_calls.h"

#include <map>

#include "ir/diagnostics.h"

namespace codegen {

void plan_calls(const ir::Graph& g, const std::vector<Unit>& units, LibraryPlan& plan) {
  std::map<int, int> value_index;  // node id -> plan.values index
  auto value = [&](int id) {
    auto [it, fresh] = value_index.emplace(id, int(plan.values.size()));
    if (fresh) {
      const ir::Node& n = g.node(id);
      PlannedValue v;
      v.shape = n.shape;
      v.layout = value_layout(n);
      if (n.op == "input") v.home = PlannedValue::Home::UserInput;
      if (g.is_output(id)) v.home = PlannedValue::Home::UserOutput;
      plan.values.push_back(v);
    }
    return it->second;
  };
  for (const Unit& u : units) {
    PlannedCall call;
    for (int id : u.inputs) call.inputs.push_back(value(id));
    for (int id : u.outputs) call.outputs.push_back(value(id));
    plan.calls.push_back(call);
  }
  for (size_t v = 0; v < plan.values.size(); v++) {
    if (plan.values[v].home == PlannedValue::Home::UserInput) plan.input_value = int(v);
    if (plan.values[v].home == PlannedValue::Home::UserOutput) plan.output_value = int(v);
  }
  if (plan.input_value < 0 || plan.output_value < 0)
    throw ir::UserError("codegen expects the graph output to be computed from the graph input");
}

}  // namespace codegen
