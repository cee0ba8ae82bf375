// The pipeline's numeric contract on a whole network: the oracle computes the same graph
// outputs and `ref`'ed tensors (1e-5 normalised) before and after every pass, on random
// weights from a seed; also with fusion off. Deep networks whose random weights amplify
// rounding may instead be held to their own sensitivity: how far moving every weight by one
// ulp moves each tensor (any correct rewrite rounds differently; a wrong one is far off).
#pragma once

#include <cstdint>

#include "frontend/spec.h"

namespace pass_test {

enum class Bound { Fixed, WeightUlpSensitivity };

void check_pipeline_preserves_values(const frontend::Spec& spec, uint64_t seed, Bound bound = Bound::Fixed);

}  // namespace pass_test
