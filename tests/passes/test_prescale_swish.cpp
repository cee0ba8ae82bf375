// prescale_swish: before -> expected IR on every x86 target (the oracle checks that the scaled
// weights and act_scale compute the same values), and the cases it must leave alone.
#include <catch2/catch.hpp>

#include "ir/passes/prescale_swish.h"
#include "tests/passes/pass_test_util.h"

namespace {

pass_test::Result prescale(const std::string& text, const std::string& target) {
  return pass_test::run_pass(
      text, [&](ir::Graph& g, ir::WeightMap* w, ir::PassLog& log) { ir::prescale_swish(g, w, target, log); });
}

// A swish conv with bias, one without, a relu conv and a conv whose act_scale is already set.
const std::string kGraph =
    "graph t {\n  %0 = input() {shape=[4,3,3]} : [4,3,3]\n"
    R"(  %1 = conv2d(%0) {name="e", out=8, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="swish"} params(weight="e.weight":[8,4,1,1], bias="e.bias":[8]) : [8,3,3])"
    "\n"
    R"(  %2 = conv2d(%1) {out=8, kernel=3, stride=1, pad=[1,1,1,1], groups=8, act="swish"} params(weight="d.weight":[8,1,3,3]) : [8,3,3])"
    "\n"
    R"(  %3 = conv2d(%2) {out=4, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="relu"} params(weight="p.weight":[4,8,1,1]) : [4,3,3])"
    "\n"
    R"(  %4 = conv2d(%3) {out=4, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="swish", act_scale=2.0} params(weight="q.weight":[4,4,1,1]) : [4,3,3])"
    "\n  return %4\n}\n";

}  // namespace

TEST_CASE("prescale_swish scales a swish conv's weight and bias on x86 and marks it with act_scale") {
  for (const char* target :
       {"x86-64-linux", "x86-64-linux-avx512", "x86-64-linux-avx2", "x86-avx512", "x86-avx2", "x86-baseline"}) {
    INFO(target);
    CHECK(ir::prescales_swish(target));
    auto r = prescale(kGraph, target);
    CHECK(
        r.text ==
        "graph t {\n  %0 = input() {shape=[4,3,3]} : [4,3,3]\n"
        R"(  %1 = conv2d(%0) {name="e", out=8, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="swish", act_scale=-12102203.161561485} params(weight="e.weight#prescaled":[8,4,1,1], bias="e.bias#prescaled":[8]) : [8,3,3])"
        "\n"
        R"(  %2 = conv2d(%1) {out=8, kernel=3, stride=1, pad=[1,1,1,1], groups=8, act="swish", act_scale=-12102203.161561485} params(weight="d.weight#prescaled":[8,1,3,3]) : [8,3,3])"
        "\n"
        R"(  %3 = conv2d(%2) {out=4, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="relu"} params(weight="p.weight":[4,8,1,1]) : [4,3,3])"
        "\n"
        R"(  %4 = conv2d(%3) {out=4, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="swish", act_scale=2.0} params(weight="q.weight":[4,4,1,1]) : [4,3,3])"
        "\n  return %4\n}\n");
    CHECK(r.log == std::vector<std::string>{R"(prescale_swish: %1 conv2d "e")", "prescale_swish: %2 conv2d"});
  }
}

TEST_CASE("prescale_swish leaves CUDA targets alone") {
  CHECK_FALSE(ir::prescales_swish("cuda"));
  CHECK(prescale(kGraph, "cuda").text == kGraph);
}
