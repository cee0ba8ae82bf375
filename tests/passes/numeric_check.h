// The pipeline's numeric contract on a whole network: the oracle computes the same graph
// outputs and `ref`'ed tensors (1e-5 normalised) before and after the pipeline, fused and
// with fusion off for x86 (swish convs prescaled), and fused for CUDA (not prescaled), on the
// given weights (random ones from a seed, or a torchvision export).
#pragma once

#include <cstdint>

#include "frontend/spec.h"
#include "ir/tensor.h"

namespace pass_test {

void check_pipeline_preserves_values(const frontend::Spec& spec, const ir::WeightMap& weights, uint64_t input_seed);
void check_pipeline_preserves_values(const frontend::Spec& spec, uint64_t seed);  // frontend::random_weights(seed)

}  // namespace pass_test
