// The pipeline's options: order, disabling, no_fusion, capture, and its errors.
#include <catch2/catch.hpp>

#include "frontend/build_graph.h"
#include "frontend/random_weights.h"
#include "ir/diagnostics.h"
#include "ir/pipeline.h"

namespace {

ir::Graph b0() { return frontend::build_graph(*frontend::builtin_spec("b0")); }

int count(const ir::Graph& g, const std::string& op) {
  int k = 0;
  for (const auto& n : g.nodes) k += n.op == op;
  return k;
}

std::vector<std::string> ran(const ir::PipelineResult& r) {
  std::vector<std::string> names;
  for (const auto& t : r.timings)
    if (t.ran) names.push_back(t.pass);
  return names;
}

}  // namespace

TEST_CASE("the pipeline runs its passes in order and times each") {
  ir::Graph g = b0();
  ir::PipelineResult r = ir::run_pipeline(g, nullptr, {});
  std::vector<std::string> names;
  for (const auto& t : r.timings) names.push_back(t.pass);
  CHECK(names == ir::pipeline_passes());
  CHECK(names.front() == "fold_batch_norm");
  CHECK(std::find(names.begin(), names.end(), "choose_layout") != names.end());
  for (const auto& t : r.timings) CHECK(t.ran == (t.pass != "pack_weights"));  // no weights: nothing to pack
  CHECK(!r.captured);
  CHECK(r.packed.empty());
  CHECK(count(g, "batch_norm") == 0);
  CHECK(count(g, "activation") == 0);
  CHECK(count(g, "dropout") == 0);
  CHECK(count(g, "add") == 0);
  CHECK(count(g, "mul") == 0);
  CHECK(count(g, "squeeze_excite") == 16);
}

TEST_CASE("with weights the pipeline ends by packing them: every Param has an offset into the blob") {
  ir::Graph g = b0();
  ir::WeightMap w = frontend::random_weights(g, 1);
  ir::PipelineResult r = ir::run_pipeline(g, &w, {});
  CHECK(r.timings.back().pass == "pack_weights");
  CHECK(r.timings.back().ran);
  REQUIRE(!r.packed.empty());
  for (const auto& n : g.nodes)
    for (const auto& p : n.params) {
      REQUIRE(p.offset >= 0);
      CHECK(size_t(p.offset + ir::numel(p.shape)) <= r.packed.size());
      CHECK(r.packed[size_t(p.offset)] == w.at(p.name).data[0]);
    }
}

TEST_CASE("no_fusion keeps activations, SE chains and adds but still folds BN") {
  ir::Graph g = b0();
  ir::PipelineOptions o;
  o.no_fusion = true;
  ir::PipelineResult r = ir::run_pipeline(g, nullptr, o);
  for (const auto& name : ran(r)) CHECK(name.compare(0, 5, "fuse_") != 0);
  CHECK(count(g, "batch_norm") == 0);
  CHECK(count(g, "activation") == 33 + 32);  // swish after 33 of the 49 BNs, swish and sigmoid in 16 SEs
  CHECK(count(g, "mul") == 16);
  CHECK(count(g, "add") == 9);
  CHECK(count(g, "squeeze_excite") == 0);
}

TEST_CASE("a disabled pass does not run and the graph after any pass can be captured") {
  ir::Graph g = b0();
  ir::PipelineOptions o;
  o.disabled = {"fold_batch_norm"};
  o.dump_after = "fuse_activation";
  ir::PipelineResult r = ir::run_pipeline(g, nullptr, o);
  std::vector<std::string> names = ran(r);
  CHECK(std::find(names.begin(), names.end(), "fold_batch_norm") == names.end());
  CHECK(names.size() == ir::pipeline_passes().size() - 2);  // nor does pack_weights without weights
  REQUIRE(r.captured);
  CHECK(count(*r.captured, "batch_norm") == 49);
  CHECK(count(*r.captured, "mul") == 16);         // SE not yet fused
  CHECK(count(*r.captured, "activation") == 33);  // the SE ones fused; those after a BN cannot
  CHECK(!r.captured->nodes.back().has("weight_layout"));
  CHECK(g.nodes.back().get_str("weight_layout") == "io");
}

TEST_CASE("pipeline errors: unknown pass names and invalid input graphs are the user's") {
  ir::Graph g = b0();
  ir::PipelineOptions o;
  o.disabled = {"fold_batchnorm"};
  CHECK_THROWS_WITH(ir::run_pipeline(g, nullptr, o),
                    Catch::Contains("unknown pass 'fold_batchnorm'") && Catch::Contains("fuse_residual"));
  o.disabled.clear();
  o.dump_after = "nope";
  CHECK_THROWS_AS(ir::run_pipeline(g, nullptr, o), ir::UserError);
  g.nodes[3].inputs = {999};
  CHECK_THROWS_WITH(ir::run_pipeline(g, nullptr, {}), Catch::Contains("is not valid IR") && Catch::Contains("%999"));
}
