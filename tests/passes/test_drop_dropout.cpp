// drop_dropout: before -> expected IR, and the "must not fire" case.
#include <catch2/catch.hpp>

#include "ir/passes/drop_dropout.h"
#include "tests/passes/pass_test_util.h"

namespace {

pass_test::Result drop(const std::string& text) {
  return pass_test::run_pass(text, [](ir::Graph& g, ir::WeightMap*, ir::PassLog& log) { ir::drop_dropout(g, log); });
}

}  // namespace

TEST_CASE("drop_dropout removes dropout and identity activations, handing over outputs and refs") {
  auto r = drop(
      "graph t {\n  %0 = input() {shape=[6]} : [6]\n"
      "  %1 = dropout(%0) {name=\"d\", p=0.2} : [6]\n"
      "  %2 = activation(%1) {kind=\"none\", ref=\"x\"} : [6]\n"
      R"(  %3 = dense(%2) {out=3} params(weight="fc.weight":[3,6]) : [3])"
      "\n  %4 = dropout(%3) {p=0.5} : [3]\n  return %4\n}\n");
  CHECK(r.text ==
        "graph t {\n  %0 = input() {shape=[6], ref=\"x\"} : [6]\n"
        R"(  %3 = dense(%0) {out=3} params(weight="fc.weight":[3,6]) : [3])"
        "\n  return %3\n}\n");
  CHECK(r.log == std::vector<std::string>{R"(drop_dropout: %1 dropout "d" -> %0 input)",
                                          "drop_dropout: %2 activation -> %0 input",
                                          "drop_dropout: %4 dropout -> %3 dense"});
}

TEST_CASE("drop_dropout must not fire when the dropout's ref would replace its input's") {
  std::string text =
      "graph t {\n  %0 = input() {shape=[6]} : [6]\n"
      R"(  %1 = dense(%0) {out=3, ref="a"} params(weight="fc.weight":[3,6]) : [3])"
      "\n  %2 = dropout(%1) {p=0.5, ref=\"b\"} : [3]\n  return %2\n}\n";
  CHECK(drop(text).text == text);
}
