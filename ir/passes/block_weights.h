// block_weights: on x86 targets, a 1x1 conv2d's hwio weights [1,1,I,O] are re-laid as O/B
// blocks of B output channels, [O/B,1,1,I,B] with attr `weight_block`=B. B is the register
// tile the node's schedule uses (schedules::node_schedule: choose_tiling's sched.* attrs, a
// tuned entry's tile where one applies, else the default), or its vector width where the tile
// does not divide O. The tuner's candidates are timed on the default tile's blocks (its graph
// has no tuned attrs), so a candidate tile other than the default is timed on a layout that
// does not fit it: pessimistic, never wrong. A tile's weights are then one contiguous run (or
// one per vector): with plain hwio its I rows sit O floats apart, and for b0's 1152-channel convs (4.6 KB apart)
// they fell into 16 of the 64 L1 sets and were re-read from L2 for every pixel block. Nodes
// whose O is not a multiple of B, or is B, or that are already blocked are left alone, and so
// are CUDA targets. Semantics never change.
#pragma once

#include <string>

#include "ir/graph.h"
#include "ir/passes/pass_log.h"
#include "ir/tensor.h"

namespace ir {

// `target` as choose_tiling takes it.
void block_weights(Graph& g, WeightMap* w, const std::string& target, PassLog& log);

}  // namespace ir
