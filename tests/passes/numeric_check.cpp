#include "tests/passes/numeric_check.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <optional>

#include "frontend/build_graph.h"
#include "frontend/random_weights.h"
#include "ir/pipeline.h"
#include "tests/passes/pass_test_util.h"

namespace pass_test {
namespace {

// Every weight moved by one ulp, up or down at random.
ir::WeightMap one_ulp_off(ir::WeightMap w, uint64_t seed) {
  uint64_t state = seed;
  for (auto& [name, t] : w)
    for (float& v : t.data) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      v = std::nextafter(v, (state >> 63) ? INFINITY : -INFINITY);
    }
  return w;
}

}  // namespace

void check_pipeline_preserves_values(const frontend::Spec& spec, uint64_t seed, Bound bound) {
  ir::Graph original = frontend::build_graph(spec);
  const ir::WeightMap original_weights = frontend::random_weights(original, seed);
  Values reference = evaluate(original, original_weights, seed + 1);
  std::optional<Values> noise;
  if (bound == Bound::WeightUlpSensitivity) noise = evaluate(original, one_ulp_off(original_weights, seed), seed + 1);
  for (bool no_fusion : {false, true}) {
    INFO(spec.name << (no_fusion ? " without fusion" : " fused"));
    ir::Graph g = original;
    ir::WeightMap w = original_weights;
    ir::PipelineOptions options;
    options.no_fusion = no_fusion;
    ir::run_pipeline(g, &w, options);
    check_same_values(reference, evaluate(g, w, seed + 1), 1e-5, noise ? &*noise : nullptr);
  }
}

}  // namespace pass_test
