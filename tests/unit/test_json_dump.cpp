// ir::graph_to_json on the B0 graph: node count, one node's fields, outputs.
#include <catch2/catch.hpp>

#include "frontend/build_graph.h"
#include "ir/json_dump.h"

TEST_CASE("graph_to_json dumps every node of b0 with its fields") {
  ir::Graph g = frontend::build_graph(*frontend::builtin_spec("b0"));
  g.node(1).params[0].offset = 64;  // as if packed
  nlohmann::ordered_json j = ir::graph_to_json(g);
  CHECK(j["name"] == "efficientnet_b0");
  REQUIRE(j["nodes"].size() == 241);
  CHECK(j["outputs"] == nlohmann::ordered_json::array({240}));

  const auto& conv = j["nodes"][1];
  CHECK(conv["id"] == 1);
  CHECK(conv["op"] == "conv2d");
  CHECK(conv["inputs"] == nlohmann::ordered_json::array({0}));
  CHECK(conv["attrs"].dump() == R"({"name":"features.0.0","out":32,"kernel":3,"stride":2,"pad":[1,1,1,1],"groups":1})");
  CHECK(conv["params"].dump() == R"([{"role":"weight","name":"features.0.0.weight","shape":[32,3,3,3],"offset":64}])");
  CHECK(conv["shape"] == nlohmann::ordered_json::array({32, 112, 112}));

  const auto& bn = j["nodes"][2];
  CHECK(bn["attrs"]["eps"].is_number_float());
  CHECK(bn["attrs"]["eps"].get<double>() == 1e-5);
  CHECK(bn["params"][3]["role"] == "running_var");
  CHECK(!bn["params"][3].contains("offset"));  // not packed yet

  const auto& fc = j["nodes"][240];
  CHECK(fc["op"] == "dense");
  CHECK(fc["attrs"]["ref"] == "logits");
  CHECK(fc["shape"] == nlohmann::ordered_json::array({1000}));
}
