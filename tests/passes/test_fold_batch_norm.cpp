// fold_batch_norm: before -> expected IR, and one "must not fire" case per precondition.
#include <catch2/catch.hpp>

#include "ir/passes/fold_batch_norm.h"
#include "tests/passes/pass_test_util.h"

namespace {

pass_test::Result fold(const std::string& text) {
  return pass_test::run_pass(text,
                             [](ir::Graph& g, ir::WeightMap* w, ir::PassLog& log) { ir::fold_batch_norm(g, w, log); });
}

const std::string kInput = "graph t {\n  %0 = input() {shape=[3,7,7]} : [3,7,7]\n";
const std::string kConv =
    R"(  %1 = conv2d(%0) {name="c", out=4, kernel=3, stride=2, pad=[1,1,1,1], groups=1} params(weight="c.weight":[4,3,3,3]) : [4,4,4])"
    "\n";
const std::string kBn =
    R"(  %2 = batch_norm(%1) {name="bn", eps=0.001, ref="blk"} params(weight="bn.weight":[4], bias="bn.bias":[4], running_mean="bn.running_mean":[4], running_var="bn.running_var":[4]) : [4,4,4])"
    "\n";

}  // namespace

TEST_CASE("fold_batch_norm: a conv without bias gets one and takes the BN's ref") {
  auto r = fold(kInput + kConv + kBn + "  %3 = activation(%2) {kind=\"relu\"} : [4,4,4]\n  return %3\n}\n");
  CHECK(
      r.text ==
      kInput +
          R"(  %1 = conv2d(%0) {name="c", out=4, kernel=3, stride=2, pad=[1,1,1,1], groups=1, ref="blk"} params(weight="c.weight#folded":[4,3,3,3], bias="bn.bias#folded":[4]) : [4,4,4])"
          "\n  %3 = activation(%1) {kind=\"relu\"} : [4,4,4]\n  return %3\n}\n");
  CHECK(r.log == std::vector<std::string>{R"(fold_batch_norm: %2 batch_norm "bn" -> %1 conv2d "c")"});
}

TEST_CASE("fold_batch_norm: a conv with bias keeps its layout; a BN that is a graph output hands that over") {
  const std::string before =
      "graph t {\n  %0 = input() {shape=[3,7,7]} : [3,7,7]\n"
      R"(  %1 = conv2d(%0) {name="c", out=4, kernel=1, stride=1, pad=[0,0,0,0], groups=1, weight_layout="hwio"} params(weight="c.weight":[1,1,3,4], bias="c.bias":[4]) : [4,7,7])"
      "\n"
      R"(  %2 = batch_norm(%1) {eps=1e-05} params(weight="bn.weight":[4], bias="bn.bias":[4], running_mean="bn.running_mean":[4], running_var="bn.running_var":[4]) : [4,7,7])"
      "\n  return %2\n}\n";
  auto r = fold(before);
  CHECK(
      r.text ==
      "graph t {\n  %0 = input() {shape=[3,7,7]} : [3,7,7]\n"
      R"(  %1 = conv2d(%0) {name="c", out=4, kernel=1, stride=1, pad=[0,0,0,0], groups=1, weight_layout="hwio"} params(weight="c.weight#folded":[1,1,3,4], bias="c.bias#folded":[4]) : [4,7,7])"
      "\n  return %1\n}\n");
}

TEST_CASE("fold_batch_norm must not fire") {
  SECTION("when the conv output has two consumers") {
    std::string text = kInput + kConv + kBn + "  %3 = add(%1, %2) : [4,4,4]\n  return %3\n}\n";
    CHECK(fold(text).text == text);
  }
  SECTION("when the conv output is a graph output") {
    std::string text = kInput + kConv + kBn + "  return %1, %2\n}\n";
    CHECK(fold(text).text == text);
  }
  SECTION("when the producer is not a conv2d") {
    std::string text =
        kInput + kConv + "  %5 = activation(%1) {kind=\"relu\"} : [4,4,4]\n" +
        R"(  %2 = batch_norm(%5) {name="bn", eps=0.001, ref="blk"} params(weight="bn.weight":[4], bias="bn.bias":[4], running_mean="bn.running_mean":[4], running_var="bn.running_var":[4]) : [4,4,4])"
        "\n  return %2\n}\n";
    CHECK(fold(text).text == text);
  }
  SECTION("when the conv already applies an activation") {
    std::string text =
        kInput +
        R"(  %1 = conv2d(%0) {name="c", out=4, kernel=3, stride=2, pad=[1,1,1,1], groups=1, act="swish"} params(weight="c.weight":[4,3,3,3]) : [4,4,4])"
        "\n" +
        kBn + "  return %2\n}\n";
    CHECK(fold(text).text == text);
  }
  SECTION("when the conv carries its own ref") {
    std::string text =
        kInput +
        R"(  %1 = conv2d(%0) {name="c", out=4, kernel=3, stride=2, pad=[1,1,1,1], groups=1, ref="inner"} params(weight="c.weight":[4,3,3,3]) : [4,4,4])"
        "\n" +
        kBn + "  return %2\n}\n";
    CHECK(fold(text).text == text);
  }
}
