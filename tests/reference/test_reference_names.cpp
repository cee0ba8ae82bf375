// The torchvision export (fixture ref_b0_s1) against frontend::build_graph(b0): weights.safetensors
// holds exactly the graph's params with their shapes, and reference.safetensors holds `input` plus
// one tensor per `ref` node, shaped [batch] + the node's shape.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <set>

#include "frontend/bind_weights.h"
#include "frontend/build_graph.h"
#include "frontend/safetensors.h"

TEST_CASE("the b0 export matches the frontend's names and shapes") {
  const char* dir = std::getenv("EFFNETC_REFERENCE_DIR");
  REQUIRE(dir != nullptr);
  const ir::Graph g = frontend::build_graph(*frontend::builtin_spec("b0"));

  const std::string weights_path = std::string(dir) + "/weights.safetensors";
  ir::WeightMap weights = frontend::read_safetensors(weights_path);
  CHECK(weights.size() == 311);  // 360 state_dict entries less 49 num_batches_tracked counters
  frontend::check_weights(g, weights, weights_path);
  // BatchNorm is randomised, not an identity.
  CHECK(weights.at("features.0.1.running_var").data[0] != 1.0f);
  CHECK(weights.at("features.0.1.running_mean").data[0] != 0.0f);

  ir::WeightMap ref = frontend::read_safetensors(std::string(dir) + "/reference.safetensors");
  REQUIRE(ref.count("input"));
  const ir::Dims& input = ref.at("input").shape;
  REQUIRE(input.size() == 4);
  const int64_t batch = input[0];
  CHECK(batch == 2);
  CHECK(input == ir::Dims{batch, 3, 224, 224});

  std::set<std::string> expected{"input"};
  for (const ir::Node& n : g.nodes) {
    if (!n.has("ref")) continue;
    const std::string key = n.get_str("ref");
    expected.insert(key);
    INFO(key);
    REQUIRE(ref.count(key));
    ir::Dims shape{batch};
    shape.insert(shape.end(), n.shape.begin(), n.shape.end());
    CHECK(ref.at(key).shape == shape);
  }
  CHECK(expected.size() == 1 + 1 + 16 + 1 + 1);  // input, features.0, 16 blocks, features.8, logits
  for (const auto& [key, tensor] : ref) CHECK(expected.count(key) == 1);
}
