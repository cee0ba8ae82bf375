// choose_layout: layouts and re-laid weights (the oracle checks the values agree).
#include <catch2/catch.hpp>

#include "ir/passes/choose_layout.h"
#include "tests/passes/pass_test_util.h"

namespace {

pass_test::Result relayout(const std::string& text) {
  return pass_test::run_pass(text,
                             [](ir::Graph& g, ir::WeightMap* w, ir::PassLog& log) { ir::choose_layout(g, w, log); });
}

}  // namespace

TEST_CASE("choose_layout: NHWC activations, hwio conv weights, io dense and SE weights") {
  auto r = relayout(
      "graph t {\n  %0 = input() {shape=[3,7,5]} : [3,7,5]\n"
      R"(  %1 = conv2d(%0) {out=6, kernel=3, stride=2, pad=[0,1,1,0], groups=3} params(weight="c.weight":[6,1,3,3], bias="c.bias":[6]) : [6,3,2])"
      "\n"
      R"(  %2 = squeeze_excite(%1) {squeeze=2} params(fc1.weight="s1.weight":[2,6,1,1], fc1.bias="s1.bias":[2], fc2.weight="s2.weight":[6,2,1,1], fc2.bias="s2.bias":[6]) : [6,3,2])"
      "\n  %3 = global_avg_pool(%2) : [6,1,1]\n  %4 = flatten(%3) : [6]\n"
      R"(  %5 = dense(%4) {out=4} params(weight="fc.weight":[4,6]) : [4])"
      "\n  return %5\n}\n");
  CHECK(
      r.text ==
      "graph t {\n  %0 = input() {shape=[3,7,5], layout=\"nchw\"} : [3,7,5]\n"
      R"(  %1 = conv2d(%0) {out=6, kernel=3, stride=2, pad=[0,1,1,0], groups=3, layout="nhwc", weight_layout="hwio"} params(weight="c.weight#hwio":[3,3,1,6], bias="c.bias":[6]) : [6,3,2])"
      "\n"
      R"(  %2 = squeeze_excite(%1) {squeeze=2, layout="nhwc", weight_layout="io"} params(fc1.weight="s1.weight#io":[6,2], fc1.bias="s1.bias":[2], fc2.weight="s2.weight#io":[2,6], fc2.bias="s2.bias":[6]) : [6,3,2])"
      "\n  %3 = global_avg_pool(%2) {layout=\"nhwc\"} : [6,1,1]\n  %4 = flatten(%3) : [6]\n"
      R"(  %5 = dense(%4) {out=4, weight_layout="io"} params(weight="fc.weight#io":[6,4]) : [4])"
      "\n  return %5\n}\n");
  CHECK(r.log.size() == 3);
}

TEST_CASE("choose_layout leaves weights that are already re-laid alone") {
  std::string text =
      "graph t {\n  %0 = input() {shape=[3,4,4], layout=\"nchw\"} : [3,4,4]\n"
      R"(  %1 = conv2d(%0) {out=2, kernel=1, stride=1, pad=[0,0,0,0], groups=1, layout="nhwc", weight_layout="hwio"} params(weight="c.weight":[1,1,3,2]) : [2,4,4])"
      "\n  return %1\n}\n";
  auto r = relayout(text);
  CHECK(r.text == text);
  CHECK(r.log.empty());
}
