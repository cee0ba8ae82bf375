// pack_weights: gives every Param an `offset` (floats, a multiple of 16 = 64 B) in one
// packed blob and returns the blob; Params sharing a name share one slot. Offsets already
// assigned are kept, so running it twice gives the same graph and blob. Checks each tensor
// exists, has the Param's shape and holds only finite values (UserError naming the tensor).
// Runs last: after every pass that renames or re-lays weights.
#pragma once

#include <vector>

#include "ir/graph.h"
#include "ir/tensor.h"

namespace ir {

constexpr int64_t kWeightAlignFloats = 16;

std::vector<float> pack_weights(Graph& g, const WeightMap& w);

}  // namespace ir
