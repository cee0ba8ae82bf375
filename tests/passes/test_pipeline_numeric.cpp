// Whole-pipeline numeric equivalence through the oracle on B0 and an odd-shaped custom spec.
#include <catch2/catch.hpp>

#include "frontend/build_graph.h"
#include "tests/passes/numeric_check.h"

TEST_CASE("the pipeline preserves B0's values") {
  pass_test::check_pipeline_preserves_values(*frontend::builtin_spec("b0"), 2024);
}

TEST_CASE("the pipeline preserves an odd-shaped spec's values: prime resolution, odd channels, same padding") {
  frontend::Spec spec = *frontend::builtin_spec("b0");
  spec.name = "odd";
  spec.resolution = 37;
  spec.width = 0.55;
  spec.depth = 0.6;
  spec.divisor = 1;
  spec.padding = frontend::Padding::Same;
  spec.num_classes = 13;
  bool odd_channels = false;
  for (const auto& b : frontend::scaled_blocks(spec)) odd_channels = odd_channels || b.expanded_channels % 8 != 0;
  REQUIRE(odd_channels);  // the spec really exercises channel counts that are not multiples of 8
  pass_test::check_pipeline_preserves_values(spec, 7);
}
