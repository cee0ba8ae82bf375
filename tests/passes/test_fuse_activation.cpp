// fuse_activation: before -> expected IR, and one "must not fire" case per precondition.
#include <catch2/catch.hpp>

#include "ir/passes/fuse_activation.h"
#include "tests/passes/pass_test_util.h"

namespace {

pass_test::Result fuse(const std::string& text) {
  return pass_test::run_pass(text, [](ir::Graph& g, ir::WeightMap*, ir::PassLog& log) { ir::fuse_activation(g, log); });
}

const std::string kHead =
    "graph t {\n  %0 = input() {shape=[5,3,3]} : [5,3,3]\n"
    R"(  %1 = conv2d(%0) {name="c", out=5, kernel=3, stride=1, pad=[1,1,1,1], groups=5} params(weight="c.weight":[5,1,3,3], bias="c.bias":[5]) : [5,3,3])"
    "\n";

}  // namespace

TEST_CASE("fuse_activation: swish after a depthwise conv, sigmoid after a dense") {
  auto r = fuse(kHead +
                "  %2 = activation(%1) {name=\"a\", kind=\"swish\", ref=\"blk\"} : [5,3,3]\n"
                "  %3 = flatten(%2) : [45]\n"
                R"(  %4 = dense(%3) {out=6} params(weight="fc.weight":[6,45]) : [6])"
                "\n  %5 = activation(%4) {kind=\"sigmoid\"} : [6]\n  return %5\n}\n");
  CHECK(
      r.text ==
      "graph t {\n  %0 = input() {shape=[5,3,3]} : [5,3,3]\n"
      R"(  %1 = conv2d(%0) {name="c", out=5, kernel=3, stride=1, pad=[1,1,1,1], groups=5, act="swish", ref="blk"} params(weight="c.weight":[5,1,3,3], bias="c.bias":[5]) : [5,3,3])"
      "\n  %3 = flatten(%1) : [45]\n"
      R"(  %4 = dense(%3) {out=6, act="sigmoid"} params(weight="fc.weight":[6,45]) : [6])"
      "\n  return %4\n}\n");
  CHECK(r.log == std::vector<std::string>{R"(fuse_activation: %2 activation "a" (swish) -> %1 conv2d "c")",
                                          "fuse_activation: %5 activation (sigmoid) -> %4 dense"});
}

TEST_CASE("fuse_activation must not fire") {
  SECTION("when the conv output has two consumers") {
    std::string text =
        kHead + "  %2 = activation(%1) {kind=\"relu\"} : [5,3,3]\n  %3 = add(%1, %2) : [5,3,3]\n" + "  return %3\n}\n";
    CHECK(fuse(text).text == text);
  }
  SECTION("when the conv output is a graph output") {
    std::string text = kHead + "  %2 = activation(%1) {kind=\"relu\"} : [5,3,3]\n  return %2, %1\n}\n";
    CHECK(fuse(text).text == text);
  }
  SECTION("when the producer is not a conv2d or dense") {
    std::string text = kHead + "  %2 = global_avg_pool(%1) : [5,1,1]\n" +
                       "  %3 = activation(%2) {kind=\"sigmoid\"} : [5,1,1]\n  return %3\n}\n";
    CHECK(fuse(text).text == text);
  }
  SECTION("when the conv already has an activation") {
    std::string text =
        "graph t {\n  %0 = input() {shape=[5,3,3]} : [5,3,3]\n"
        R"(  %1 = conv2d(%0) {out=5, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="relu"} params(weight="c.weight":[5,5,1,1]) : [5,3,3])"
        "\n  %2 = activation(%1) {kind=\"sigmoid\"} : [5,3,3]\n  return %2\n}\n";
    CHECK(fuse(text).text == text);
  }
  SECTION("when the conv already adds a residual (the activation would come after it)") {
    std::string text =
        "graph t {\n  %0 = input() {shape=[5,3,3]} : [5,3,3]\n"
        R"(  %1 = conv2d(%0, %0) {out=5, kernel=1, stride=1, pad=[0,0,0,0], groups=1, residual=1} params(weight="c.weight":[5,5,1,1]) : [5,3,3])"
        "\n  %2 = activation(%1) {kind=\"relu\"} : [5,3,3]\n  return %2\n}\n";
    CHECK(fuse(text).text == text);
  }
  SECTION("when the kind is none (an identity, drop_dropout's)") {
    std::string text = kHead + "  %2 = activation(%1) {kind=\"none\"} : [5,3,3]\n  return %2\n}\n";
    CHECK(fuse(text).text == text);
  }
}
