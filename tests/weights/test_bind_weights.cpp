// check_weights against the b0 graph: a WeightMap of zeros built from the graph's params passes;
// a missing, unexpected or mis-shaped tensor, a value that is not finite and a negative variance
// are each a UserError with the exact message.
#include <catch2/catch.hpp>
#include <cmath>

#include "frontend/bind_weights.h"
#include "frontend/build_graph.h"
#include "ir/diagnostics.h"

namespace {

ir::WeightMap zeros_for(const ir::Graph& g) {
  ir::WeightMap w;
  for (const ir::Node& n : g.nodes)
    for (const ir::Param& p : n.params) w[p.name] = {p.shape, std::vector<float>(size_t(ir::numel(p.shape)), 0.0f)};
  return w;
}

std::string error_of(const ir::Graph& g, const ir::WeightMap& w) {
  try {
    frontend::check_weights(g, w, "W.safetensors");
  } catch (const ir::UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("check_weights accepts exactly the graph's params") {
  const ir::Graph g = frontend::build_graph(*frontend::builtin_spec("b0"));
  ir::WeightMap w = zeros_for(g);
  REQUIRE(w.size() == 311);  // torchvision b0 state_dict: 360 entries, 49 of them num_batches_tracked
  CHECK(error_of(g, w).empty());

  SECTION("num_batches_tracked counters are ignored") {
    w["features.0.1.num_batches_tracked"] = {{}, {0.0f}};
    CHECK(error_of(g, w).empty());
  }
  SECTION("mis-shaped") {
    w["features.1.0.block.0.0.weight"].shape = {32, 3, 3};
    CHECK(error_of(g, w) ==
          "W.safetensors: tensor 'features.1.0.block.0.0.weight': expected shape [32,1,3,3], "
          "got [32,3,3]");
  }
  SECTION("missing") {
    w.erase("classifier.1.bias");
    CHECK(error_of(g, w) == "W.safetensors: missing tensor 'classifier.1.bias' (shape [1000])");
  }
  SECTION("unexpected") {
    w["foo"] = {{1}, {0.0f}};
    CHECK(error_of(g, w) == "W.safetensors: unexpected tensor 'foo'");
  }
  SECTION("a scalar where a vector belongs") {
    w["features.0.1.running_var"] = {{}, {1.0f}};
    CHECK(error_of(g, w) == "W.safetensors: tensor 'features.0.1.running_var': expected shape [32], got []");
  }
  SECTION("values that are not finite, and a negative variance (run printed NaN logits for it)") {
    w["classifier.1.bias"].data[7] = NAN;
    CHECK(error_of(g, w) == "W.safetensors: tensor 'classifier.1.bias': element 7 is NaN");
    w["classifier.1.bias"].data[7] = 0;
    w["features.0.0.weight"].data[2] = -INFINITY;
    CHECK(error_of(g, w) == "W.safetensors: tensor 'features.0.0.weight': element 2 is infinite");
    w["features.0.0.weight"].data[2] = 0;
    w["features.0.1.running_var"].data[3] = -1e-5f;
    CHECK(error_of(g, w) ==
          "W.safetensors: tensor 'features.0.1.running_var': element 3 is -1e-05; a variance cannot be negative");
  }
}
