// The frontend's numbers against torchvision 0.14 (parameters and MACs counted there with
// forward hooks on Conv2d and Linear; see the issue tracker's foundation issue).
#include <catch2/catch.hpp>

#include "frontend/build_graph.h"
#include "ir/ops.h"

using frontend::builtin_spec;

TEST_CASE("round_filters follows torchvision's _make_divisible") {
  CHECK(frontend::round_filters(32, 1.0) == 32);
  CHECK(frontend::round_filters(32, 1.1) == 32);
  CHECK(frontend::round_filters(16, 1.1) == 16);
  CHECK(frontend::round_filters(24, 1.4) == 32);
  CHECK(frontend::round_filters(40, 1.8) == 72);
  CHECK(frontend::round_filters(320, 2.0) == 640);
  CHECK(frontend::round_filters(112, 1.2) == 136);
  CHECK(frontend::round_filters(3, 1.0) == 8);  // never below the divisor
}

TEST_CASE("round_repeats rounds up") {
  CHECK(frontend::round_repeats(1, 1.1) == 2);
  CHECK(frontend::round_repeats(4, 3.1) == 13);
  CHECK(frontend::round_repeats(3, 1.0) == 3);
}

TEST_CASE("parameter and MAC counts equal torchvision's") {
  struct Expect {
    const char* name;
    int64_t params, macs;
  };
  const Expect expected[] = {
      {"b0", 5288548, 385814752},     {"b1", 7794184, 686802832},      {"b2", 9109994, 993561872},
      {"b3", 12233232, 1827141392},   {"b4", 19341616, 4393771024},    {"b5", 30389784, 10266384752},
      {"b6", 43040704, 19067593536},  {"b7", 66347960, 37745884192},
  };
  for (const auto& e : expected) {
    INFO(e.name);
    ir::Graph g = frontend::build_graph(*builtin_spec(e.name));
    CHECK(ir::param_count(g) == e.params);
    CHECK(ir::mac_count(g) == e.macs);
  }
}

TEST_CASE("block counts per variant") {
  const int blocks[] = {16, 23, 23, 26, 32, 39, 45, 55};
  for (int v = 0; v < 8; v++) {
    INFO("b" << v);
    CHECK(frontend::scaled_blocks(*builtin_spec("b" + std::to_string(v))).size() == size_t(blocks[v]));
  }
}

TEST_CASE("BatchNorm eps follows torchvision 0.14") {
  for (const char* v : {"b0", "b4"}) CHECK(builtin_spec(v)->bn_eps == 1e-5);
  for (const char* v : {"b5", "b7"}) CHECK(builtin_spec(v)->bn_eps == 1e-3);
}

TEST_CASE("unknown variant names are not built in") {
  CHECK_FALSE(builtin_spec("b8").has_value());
  CHECK_FALSE(builtin_spec("").has_value());
  CHECK(builtin_spec("efficientnet_b3").has_value());
}
