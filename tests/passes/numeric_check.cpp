#include "tests/passes/numeric_check.h"

#include <catch2/catch.hpp>

#include "frontend/build_graph.h"
#include "frontend/random_weights.h"
#include "ir/pipeline.h"
#include "tests/passes/pass_test_util.h"

namespace pass_test {

void check_pipeline_preserves_values(const frontend::Spec& spec, const ir::WeightMap& weights, uint64_t input_seed) {
  const ir::Graph original = frontend::build_graph(spec);
  Values reference = evaluate(original, weights, input_seed);
  struct Run {
    bool no_fusion;
    const char* target;  // x86: swish convs prescaled (ir/passes/prescale_swish.h); cuda: not
  };
  for (Run run : {Run{false, "x86-64-linux"}, Run{true, "x86-64-linux"}, Run{false, "cuda"}}) {
    INFO(spec.name << (run.no_fusion ? " without fusion" : " fused") << " for " << run.target);
    ir::Graph g = original;
    ir::WeightMap w = weights;
    ir::PipelineOptions options;
    options.no_fusion = run.no_fusion;
    options.target = run.target;
    ir::run_pipeline(g, &w, options);
    check_same_values(reference, evaluate(g, w, input_seed), 1e-5);
  }
}

void check_pipeline_preserves_values(const frontend::Spec& spec, uint64_t seed) {
  check_pipeline_preserves_values(spec, frontend::random_weights(frontend::build_graph(spec), seed), seed + 1);
}

}  // namespace pass_test
