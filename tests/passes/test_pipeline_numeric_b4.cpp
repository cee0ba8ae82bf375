// Whole-pipeline numeric equivalence through the oracle on B4 (label full: slow), on the
// torchvision export's weights (fixture ref_b4_s1), whose activations stay O(1).
#include <catch2/catch.hpp>

#include "frontend/build_graph.h"
#include "frontend/safetensors.h"
#include "tests/passes/numeric_check.h"

TEST_CASE("the pipeline preserves B4's values") {
  ir::WeightMap w = frontend::read_safetensors(EFFNETC_B4_WEIGHTS);
  pass_test::check_pipeline_preserves_values(*frontend::builtin_spec("b4"), w, 4);
}
