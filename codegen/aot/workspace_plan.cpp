#include "codegen/aot/workspace_plan.h"

#include <algorithm>

namespace codegen {

int64_t plan_workspace(LibraryPlan& plan) {
  const int64_t align = 16;  // floats
  size_t nv = plan.values.size();
  std::vector<int> first(nv, -1), last(nv, -1);
  for (int c = 0; c < int(plan.calls.size()); c++) {
    for (int v : plan.calls[c].outputs)
      if (first[size_t(v)] < 0) first[size_t(v)] = c;
    for (int v : plan.calls[c].inputs) last[size_t(v)] = c;
  }
  struct Placed {
    int64_t begin, end;
    int first, last;
  };
  std::vector<Placed> placed;
  int64_t total = 0;
  for (size_t v = 0; v < nv; v++) {
    PlannedValue& pv = plan.values[v];
    if (pv.home != PlannedValue::Home::Workspace) continue;
    int lo = first[v], hi = std::max(first[v], last[v]);
    // Lane tail (lane_tail.h): a gathered value keeps every sample's slot from the lane's first
    // sample on; it and the tail's own values hold tail_chunk samples.
    bool in_tail = plan.tail_call >= 0 && (pv.gathered || lo >= plan.tail_call);
    if (pv.gathered) lo = 0;
    int64_t samples = in_tail ? std::max(plan.batch_chunk, plan.tail_chunk) : plan.batch_chunk;
    int64_t size = (ir::numel(pv.shape) * samples + align - 1) / align * align;
    // Lowest offset clear of every placed value alive at the same time.
    std::vector<const Placed*> alive;
    for (const auto& p : placed)
      if (p.first <= hi && lo <= p.last) alive.push_back(&p);
    std::sort(alive.begin(), alive.end(), [](const Placed* a, const Placed* b) { return a->begin < b->begin; });
    int64_t at = 0;
    for (const Placed* p : alive) {
      if (at + size <= p->begin) break;
      at = std::max(at, p->end);
    }
    pv.offset = at;
    placed.push_back({at, at + size, lo, hi});
    total = std::max(total, at + size);
  }
  return total;
}

}  // namespace codegen
