// fuse_residual: before -> expected IR, and one "must not fire" case per precondition.
#include <catch2/catch.hpp>

#include "ir/passes/fuse_residual.h"
#include "tests/passes/pass_test_util.h"

namespace {

pass_test::Result fuse(const std::string& text) {
  return pass_test::run_pass(text, [](ir::Graph& g, ir::WeightMap*, ir::PassLog& log) { ir::fuse_residual(g, log); });
}

const std::string kInput = "graph t {\n  %0 = input() {shape=[4,5,5]} : [4,5,5]\n";
const std::string kConv =
    R"(  %1 = conv2d(%0) {name="p", out=4, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="swish"} params(weight="p.weight":[4,4,1,1], bias="p.bias":[4]) : [4,5,5])"
    "\n";

}  // namespace

TEST_CASE("fuse_residual: add(conv, x) becomes conv residual=1, which takes the add's ref") {
  auto r = fuse(kInput + kConv + "  %2 = add(%1, %0) {name=\"blk.add\", ref=\"blk\"} : [4,5,5]\n  return %2\n}\n");
  CHECK(
      r.text ==
      kInput +
          R"(  %1 = conv2d(%0, %0) {name="p", out=4, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="swish", residual=1, ref="blk"} params(weight="p.weight":[4,4,1,1], bias="p.bias":[4]) : [4,5,5])"
          "\n  return %1\n}\n");
  CHECK(r.log == std::vector<std::string>{R"(fuse_residual: %2 add "blk.add" -> %1 conv2d "p")"});
}

TEST_CASE("fuse_residual: add(x, conv) whose x comes after the conv; the residual goes before an in_scale input") {
  const std::string before =
      kInput + "  %1 = global_avg_pool(%0) : [4,1,1]\n" +
      R"(  %2 = conv2d(%0, %1) {out=4, kernel=1, stride=1, pad=[0,0,0,0], groups=1, in_scale=1} params(weight="p.weight":[4,4,1,1]) : [4,5,5])"
      "\n  %3 = activation(%0) {kind=\"relu\"} : [4,5,5]\n  %4 = add(%3, %2) : [4,5,5]\n  return %4\n}\n";
  CHECK(
      fuse(before).text ==
      kInput + "  %1 = global_avg_pool(%0) : [4,1,1]\n  %3 = activation(%0) {kind=\"relu\"} : [4,5,5]\n" +
          R"(  %2 = conv2d(%0, %3, %1) {out=4, kernel=1, stride=1, pad=[0,0,0,0], groups=1, in_scale=1, residual=1} params(weight="p.weight":[4,4,1,1]) : [4,5,5])"
          "\n  return %2\n}\n");
}

TEST_CASE("fuse_residual must not fire") {
  SECTION("when the conv output has two consumers") {
    std::string text = kInput + kConv + "  %2 = add(%1, %0) : [4,5,5]\n  %3 = add(%2, %1) : [4,5,5]\n  return %3\n}\n";
    CHECK(fuse(text).text == text);
  }
  SECTION("when the conv output is a graph output") {
    std::string text = kInput + kConv + "  %2 = add(%1, %0) : [4,5,5]\n  return %2, %1\n}\n";
    CHECK(fuse(text).text == text);
  }
  SECTION("when no operand is a conv2d") {
    std::string text =
        kInput + "  %1 = activation(%0) {kind=\"relu\"} : [4,5,5]\n  %2 = add(%1, %0) : [4,5,5]\n" + "  return %2\n}\n";
    CHECK(fuse(text).text == text);
  }
  SECTION("when the conv already adds a residual") {
    std::string text =
        kInput +
        R"(  %1 = conv2d(%0, %0) {out=4, kernel=1, stride=1, pad=[0,0,0,0], groups=1, residual=1} params(weight="p.weight":[4,4,1,1]) : [4,5,5])"
        "\n  %2 = add(%1, %0) : [4,5,5]\n  return %2\n}\n";
    CHECK(fuse(text).text == text);
  }
  SECTION("when both operands are the conv") {
    std::string text = kInput + kConv + "  %2 = add(%1, %1) : [4,5,5]\n  return %2\n}\n";
    CHECK(fuse(text).text == text);
  }
}
