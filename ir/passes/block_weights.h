// block_weights: on x86 targets, a 1x1 conv2d's hwio weights [1,1,I,O] are re-laid as O/B
// blocks of B output channels, [O/B,1,1,I,B] with attr `weight_block`=B. B is the register
// tile the node's schedule uses (schedules::node_schedule: choose_tiling's sched.* attrs, a
// tuned entry's tile where one applies, else the default), or its vector width where the tile
// does not divide O. A tile of whole vectors over all O channels where the vector width does not
// divide them (schedules::pads_channels: 24 or 40 channels in 16-lane vectors) gets one block of
// the tile, [1,1,1,I,B], its channels past O zero. The tuner times each candidate on the blocks
// of its own tile (set_weight_block on its graph copy). A tile's weights are then one contiguous
// run (or one per vector): with plain hwio its I rows sit O floats apart, and for b0's
// 1152-channel convs (4.6 KB apart) they fell into 16 of the 64 L1 sets and were re-read from L2
// for every pixel block. Nodes whose O is not a multiple of B (unless padded), or is B, or that
// are already blocked are left alone, and so are CUDA targets. Semantics never change.
#pragma once

#include <string>

#include "ir/graph.h"
#include "ir/passes/pass_log.h"
#include "ir/tensor.h"
#include "schedules/schedule_params.h"

namespace ir {

// `target` as choose_tiling takes it.
void block_weights(Graph& g, WeightMap* w, const std::string& target, PassLog& log);

// hwio 1x1 weights [I, O] laid out as [ceil(O/B), I, B], the blocked layout (channels past O zero).
void block_hwio(const float* io, float* blocked, int64_t in, int64_t out, int64_t block);

// Whether `n` is a conv block_weights lays out (1x1, groups 1, hwio weights).
bool blockable(const Node& n);

// The block a blockable `n` gets under schedule `s`: its tile, else its vector width where the
// tile does not divide O; 0 where neither is a proper divisor of O (left unblocked); the tile
// where it pads the channels (one block past O).
int64_t weight_block_for(const Node& n, const schedules::ScheduleParams& s);

// Re-lays blockable `n` for schedule `s` without moving data: its weight_block attr and weight
// Param shape (same number of floats). For graphs whose weights are not loaded: the tuner's
// candidates, timed on random weights.
void set_weight_block(Node& n, const schedules::ScheduleParams& s);

}  // namespace ir
