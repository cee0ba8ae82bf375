// Deterministic random weights for any ir::Graph (all ops of ir/ops.h, either weight
// layout): one tensor per distinct Param name, values drawn from a stream seeded by
// (seed, tensor name), so a tensor does not change when other nodes do. Scales keep
// activations O(1) from b0 through b7: conv/dense weights ~ U with std 1/sqrt(fan_in)
// (x sqrt(2) before swish), BatchNorm gamma in [0.5,1.5], beta/mean small, var in [0.5,1.5];
// the last BN (or conv) of a residual branch is scaled ~5x down, as in a trained network.
#pragma once

#include <cstdint>

#include "ir/graph.h"
#include "ir/tensor.h"

namespace frontend {

ir::WeightMap random_weights(const ir::Graph& g, uint64_t seed);

}  // namespace frontend
