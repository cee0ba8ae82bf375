#include "ir/passes/block_weights.h"

#include "ir/ops.h"
#include "ir/passes/choose_tiling.h"
#include "ir/passes/rewrite.h"
#include "schedules/schedule_params.h"

namespace ir {
namespace {

// [I, O] (hwio of a 1x1 conv) -> [O/B, I, B], stored with shape `shape`
Tensor blocked(const Tensor& t, int64_t in, int64_t out, int64_t block, const Dims& shape) {
  Tensor b{shape, std::vector<float>(t.data.size())};
  for (int64_t i = 0; i < in; i++)
    for (int64_t o = 0; o < out; o++) b.data[size_t(((o / block) * in + i) * block + o % block)] = t.data[size_t(i * out + o)];
  return b;
}

}  // namespace

void block_weights(Graph& g, WeightMap* w, const std::string& target, PassLog& log) {
  const schedules::TargetFacts& facts = target_facts_for(target);
  if (facts.isa == "cuda") return;
  for (auto& n : g.nodes) {
    if (n.op != "conv2d" || n.get_str("weight_layout", "oihw") != "hwio" || n.has("weight_block")) continue;
    if (n.get_int("kernel") != 1 || n.get_int("groups") != 1) continue;
    // The tile the node's schedule runs: choose_tiling's sched.* attrs (a tuned entry's), else the
    // default. Blocks of the default 48 under a tuned 32-channel tile made b0's tuned library 1.2x slower.
    const schedules::ScheduleParams s = schedules::node_schedule(g, n, facts);
    const int64_t out = n.get_int("out");
    int64_t block = out % s.tile_channels ? s.vector_width : s.tile_channels;  // a tile spans whole blocks
    if (block >= out || out % block) continue;
    Param* p = nullptr;
    for (auto& q : n.params)
      if (q.role == "weight") p = &q;
    if (!p) throw InternalError(describe(n) + ": conv2d without a weight");
    const int64_t in = p->shape[2];
    n.set("weight_block", block);
    const Dims shape = conv_weight_shape(n, in);
    replace_tensor(g, w, *p, "#b" + std::to_string(block), shape,
                   [&](const Tensor& t) { return blocked(t, in, out, block, shape); });
    log.add("block_weights", describe(n) + " weight hwio -> " + std::to_string(out / block) + " blocks of " +
                                 std::to_string(block) + " output channels");
  }
}

}  // namespace ir
