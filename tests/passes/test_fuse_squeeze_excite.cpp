// fuse_squeeze_excite: both modes, before -> expected IR, and one "must not fire" case per
// precondition.
#include <catch2/catch.hpp>

#include "ir/passes/fuse_squeeze_excite.h"
#include "tests/passes/pass_test_util.h"

namespace {

pass_test::Result fuse(const std::string& text) {
  return pass_test::run_pass(text,
                             [](ir::Graph& g, ir::WeightMap*, ir::PassLog& log) { ir::fuse_squeeze_excite(g, log); });
}

const std::string kInput = "graph t {\n  %0 = input() {shape=[8,5,5]} : [8,5,5]\n";
const std::string kPool = "  %1 = global_avg_pool(%0) {name=\"se.avgpool\"} : [8,1,1]\n";
const std::string kFc1 =
    R"(  %2 = conv2d(%1) {name="se.fc1", out=2, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="swish"} params(weight="se.fc1.weight":[2,8,1,1], bias="se.fc1.bias":[2]) : [2,1,1])"
    "\n";
const std::string kFc2 =
    R"(  %3 = conv2d(%2) {name="se.fc2", out=8, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="sigmoid"} params(weight="se.fc2.weight":[8,2,1,1], bias="se.fc2.bias":[8]) : [8,1,1])"
    "\n";
const std::string kSe = kInput + kPool + kFc1 + kFc2;
const std::string kSeParams =
    R"(params(fc1.weight="se.fc1.weight":[2,8,1,1], fc1.bias="se.fc1.bias":[2], fc2.weight="se.fc2.weight":[8,2,1,1], fc2.bias="se.fc2.bias":[8]))";
const std::string kProject =
    R"(  %5 = conv2d(%4) {name="proj", out=3, kernel=1, stride=1, pad=[0,0,0,0], groups=1} params(weight="proj.weight":[3,8,1,1]) : [3,5,5])"
    "\n";

}  // namespace

TEST_CASE("fuse_squeeze_excite: mode=multiply when the mul feeds something else") {
  auto r = fuse(kSe + "  %4 = mul(%0, %3) {name=\"se\", ref=\"blk\"} : [8,5,5]\n" +
                "  %5 = activation(%4) {kind=\"relu\"} : [8,5,5]\n  return %5\n}\n");
  CHECK(r.text == kInput + "  %6 = squeeze_excite(%0) {name=\"se\", squeeze=2, mode=\"multiply\", ref=\"blk\"} " +
                      kSeParams + " : [8,5,5]\n  %5 = activation(%6) {kind=\"relu\"} : [8,5,5]\n  return %5\n}\n");
  CHECK(
      r.log ==
      std::vector<std::string>{
          R"(fuse_squeeze_excite: %1 global_avg_pool "se.avgpool" .. %4 mul "se" -> %6 squeeze_excite "se" (multiply))"});
}

TEST_CASE("fuse_squeeze_excite: mode=scale folds the scale into the following 1x1 conv") {
  auto r = fuse(kSe + "  %4 = mul(%0, %3) {name=\"se\"} : [8,5,5]\n" + kProject + "  return %5\n}\n");
  CHECK(
      r.text ==
      kInput + "  %6 = squeeze_excite(%0) {name=\"se\", squeeze=2, mode=\"scale\"} " + kSeParams + " : [8,1,1]\n" +
          R"(  %5 = conv2d(%0, %6) {name="proj", out=3, kernel=1, stride=1, pad=[0,0,0,0], groups=1, in_scale=1} params(weight="proj.weight":[3,8,1,1]) : [3,5,5])"
          "\n  return %5\n}\n");
  CHECK(
      r.log ==
      std::vector<std::string>{
          R"(fuse_squeeze_excite: %1 global_avg_pool "se.avgpool" .. %4 mul "se" -> %6 squeeze_excite "se" (scale, into %5 conv2d "proj"))"});
}

TEST_CASE("fuse_squeeze_excite: mode=multiply when the mul is ref'ed, a graph output or feeds a 3x3 conv") {
  std::string mul = "  %4 = mul(%0, %3) {name=\"se\"} : [8,5,5]\n";
  SECTION("ref'ed") {
    auto r = fuse(kSe + "  %4 = mul(%0, %3) {name=\"se\", ref=\"blk\"} : [8,5,5]\n" + kProject + "  return %5\n}\n");
    CHECK(r.text.find("mode=\"multiply\"") != std::string::npos);
  }
  SECTION("graph output") {
    auto r = fuse(kSe + mul + kProject + "  return %5, %4\n}\n");
    CHECK(r.text.find("mode=\"multiply\"") != std::string::npos);
  }
  SECTION("3x3 conv") {
    auto r = fuse(
        kSe + mul +
        R"(  %5 = conv2d(%4) {out=3, kernel=3, stride=1, pad=[1,1,1,1], groups=1} params(weight="proj.weight":[3,8,3,3]) : [3,5,5])"
        "\n  return %5\n}\n");
    CHECK(r.text.find("mode=\"multiply\"") != std::string::npos);
  }
}

TEST_CASE("fuse_squeeze_excite must not fire") {
  const std::string mul = "  %4 = mul(%0, %3) : [8,5,5]\n  return %4\n}\n";
  SECTION("when the pooled value has two consumers") {
    std::string text = kSe + "  %7 = activation(%1) {kind=\"relu\"} : [8,1,1]\n  %4 = mul(%0, %3) : [8,5,5]\n" +
                       "  %8 = mul(%4, %7) : [8,5,5]\n  return %8\n}\n";
    CHECK(fuse(text).text == text);
  }
  SECTION("when the squeeze output is a graph output") {
    std::string text = kSe + "  %4 = mul(%0, %3) : [8,5,5]\n  return %4, %2\n}\n";
    CHECK(fuse(text).text == text);
  }
  SECTION("when the pool reads another tensor than the mul scales") {
    std::string text = kInput + "  %9 = activation(%0) {kind=\"relu\"} : [8,5,5]\n" +
                       "  %1 = global_avg_pool(%9) {name=\"se.avgpool\"} : [8,1,1]\n" + kFc1 + kFc2 + mul;
    CHECK(fuse(text).text == text);
  }
  SECTION("when the excitation is not a sigmoid") {
    std::string text =
        kInput + kPool + kFc1 +
        R"(  %3 = conv2d(%2) {name="se.fc2", out=8, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="relu"} params(weight="se.fc2.weight":[8,2,1,1], bias="se.fc2.bias":[8]) : [8,1,1])"
        "\n" +
        mul;
    CHECK(fuse(text).text == text);
  }
  SECTION("when the activations are still separate nodes (fuse_activation did not run)") {
    std::string text =
        kInput + kPool +
        R"(  %2 = conv2d(%1) {name="se.fc1", out=2, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="swish"} params(weight="se.fc1.weight":[2,8,1,1], bias="se.fc1.bias":[2]) : [2,1,1])"
        "\n" +
        R"(  %3 = conv2d(%2) {name="se.fc2", out=8, kernel=1, stride=1, pad=[0,0,0,0], groups=1} params(weight="se.fc2.weight":[8,2,1,1], bias="se.fc2.bias":[8]) : [8,1,1])"
        "\n  %10 = activation(%3) {kind=\"sigmoid\"} : [8,1,1]\n  %4 = mul(%0, %10) : [8,5,5]\n  return %4\n}\n";
    CHECK(fuse(text).text == text);
  }
}
