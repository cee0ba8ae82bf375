#include "ir/passes/block_weights.h"

#include <algorithm>

#include "ir/ops.h"
#include "ir/passes/choose_tiling.h"
#include "ir/passes/rewrite.h"
#include "schedules/schedule_params.h"

namespace ir {
namespace {

Param& weight_param(Node& n) {
  for (auto& q : n.params)
    if (q.role == "weight") return q;
  throw InternalError(describe(n) + ": conv2d without a weight");
}

}  // namespace

void block_hwio(const float* io, float* blocked, int64_t in, int64_t out, int64_t block) {
  std::fill(blocked, blocked + (out + block - 1) / block * in * block, 0.0f);
  for (int64_t i = 0; i < in; i++)
    for (int64_t o = 0; o < out; o++) blocked[((o / block) * in + i) * block + o % block] = io[i * out + o];
}

bool blockable(const Node& n) {
  return n.op == "conv2d" && n.get_str("weight_layout", "oihw") == "hwio" && n.get_int("kernel") == 1 &&
         n.get_int("groups") == 1;
}

int64_t weight_block_for(const Node& n, const schedules::ScheduleParams& s) {
  const int64_t out = n.get_int("out");
  if (schedules::pads_channels(s, out)) return s.tile_channels;
  int64_t block = out % s.tile_channels ? s.vector_width : s.tile_channels;  // a tile spans whole blocks
  return block >= out || out % block ? 0 : block;
}

void set_weight_block(Node& n, const schedules::ScheduleParams& s) {
  Param& p = weight_param(n);
  const int64_t in = n.has("weight_block") ? p.shape[3] : p.shape[2];
  if (int64_t block = weight_block_for(n, s))
    n.set("weight_block", block);
  else
    n.erase("weight_block");
  p.shape = conv_weight_shape(n, in);
}

void block_weights(Graph& g, WeightMap* w, const std::string& target, PassLog& log) {
  const schedules::TargetFacts& facts = target_facts_for(target);
  if (facts.isa == "cuda") return;
  for (auto& n : g.nodes) {
    if (!blockable(n) || n.has("weight_block")) continue;
    // The tile the node's schedule runs: choose_tiling's sched.* attrs (a tuned entry's), else the
    // default. Blocks of the default 48 under a tuned 32-channel tile made b0's tuned library 1.2x slower.
    const int64_t block = weight_block_for(n, schedules::node_schedule(g, n, facts));
    if (!block) continue;
    Param& p = weight_param(n);
    const int64_t in = p.shape[2], out = n.get_int("out");
    n.set("weight_block", block);
    const Dims shape = conv_weight_shape(n, in);
    replace_tensor(g, w, p, "#b" + std::to_string(block), shape, [&](const Tensor& t) {
      Tensor b{shape, std::vector<float>(size_t(numel(shape)))};
      block_hwio(t.data.data(), b.data.data(), in, out, block);
      return b;
    });
    log.add("block_weights", describe(n) + " weight hwio -> " + std::to_string(shape[0]) + " blocks of " +
                                 std::to_string(block) + " output channels" +
                                 (out % block ? " (" + std::to_string(block - out % block) + " zero-padded)" : ""));
  }
}

}  // namespace ir
