#include "codegen/aot/lane_tail.h"

#include <algorithm>
#include <set>

namespace codegen {
namespace {

bool weight_heavy(const ir::Graph& g, const Unit& u, int64_t weights, int64_t l2_bytes) {
  int64_t largest = 0;
  for (int id : u.nodes) largest = std::max(largest, ir::numel(g.node(id).shape));
  for (int id : u.inputs) largest = std::max(largest, ir::numel(g.node(id).shape));
  return double(weights) >= kLaneTailWeightRatio * double(largest) &&
         double(kLaneTailChunk * largest * 4) <= kLaneTailL2Share * double(l2_bytes);
}

}  // namespace

int lane_tail_start(const ir::Graph& g, const std::vector<Unit>& units, int64_t l2_bytes) {
  int tail = int(units.size()), heavy = 0;
  for (int u = int(units.size()) - 1; u > 0; u--) {
    int64_t weights = 0;
    for (const auto& p : units[size_t(u)].weights) weights += ir::numel(p.shape);
    bool reads_input = false;  // the tail runs without the network input bound
    for (int id : units[size_t(u)].inputs) reads_input = reads_input || g.node(id).op == "input";
    if (reads_input || (weights > 0 && !weight_heavy(g, units[size_t(u)], weights, l2_bytes))) break;
    heavy += weights > 0;
    tail = u;
  }
  return heavy >= kLaneTailMinHeavyUnits ? tail : -1;
}

void set_lane_tail(LibraryPlan& plan, int start) {
  plan.tail_call = start;
  plan.tail_chunk = start < 0 ? 1 : kLaneTailChunk;
  if (start < 0) return;
  std::set<int> made_before;
  for (int c = 0; c < start; c++)
    made_before.insert(plan.calls[size_t(c)].outputs.begin(), plan.calls[size_t(c)].outputs.end());
  for (int c = start; c < int(plan.calls.size()); c++)
    for (int v : plan.calls[size_t(c)].inputs)
      if (made_before.count(v)) plan.values[size_t(v)].gathered = true;
}

}  // namespace codegen
