// The IR text form (ir/printer.h, ir/parser.h): printed to the byte, print → parse → print
// identical for every built-in variant and for a hand-written graph with every op, fused
// form and attr type, and one case per kind of malformed text with its exact message.
#include <catch2/catch.hpp>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "frontend/build_graph.h"
#include "ir/diagnostics.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"

namespace {

// Every op of ir/ops.h, the fused forms (conv2d act/residual/in_scale, squeeze_excite in
// both modes and layouts), every attr type, quoted names, packed offsets and an id gap.
const char* kAllOps = R"IR(graph "fused net-1" {
  %0 = input() {name="in", shape=[8,9,9]} : [8,9,9]
  %1 = conv2d(%0) {name="stem", out=16, kernel=3, stride=2, pad=[1,1,1,1], groups=1, act="swish", weight_layout="hwio", layout="nhwc"} params(weight="stem.weight":[3,3,8,16]@0, bias="stem.bias":[16]@1152) : [16,5,5]
  %2 = batch_norm(%1) {eps=0.001} params(weight="bn.weight":[16], bias="bn.bias":[16], running_mean="bn.running_mean":[16], running_var="bn.running_var":[16]) : [16,5,5]
  %3 = activation(%2) {kind="relu", ref="features.0"} : [16,5,5]
  %4 = squeeze_excite(%3) {squeeze=4, mode="scale"} params(fc1.weight="se.fc1.weight":[4,16,1,1], fc1.bias="se.fc1.bias":[4], fc2.weight="se.fc2.weight":[16,4,1,1], fc2.bias="se.fc2.bias":[16]) : [16,1,1]
  %5 = conv2d(%3, %1, %4) {out=16, kernel=1, stride=1, pad=[0,0,0,0], groups=1, act="none", residual=1, in_scale=1} params(weight="proj.weight":[16,16,1,1]) : [16,5,5]
  %6 = squeeze_excite(%5) {squeeze=4, mode="multiply", weight_layout="io"} params(fc1.weight="se2.fc1.weight":[16,4], fc1.bias="se2.fc1.bias":[4], fc2.weight="se2.fc2.weight":[4,16], fc2.bias="se2.fc2.bias":[16]) : [16,5,5]
  %9 = conv2d(%6) {out=16, kernel=3, stride=1, pad=[0,0,1,1], groups=16, act="sigmoid"} params(weight="dw.weight":[16,1,3,3]) : [16,4,4]
  %10 = global_avg_pool(%9) : [16,1,1]
  %11 = mul(%9, %10) {layout="nchw"} : [16,4,4]
  %12 = add(%11, %9) : [16,4,4]
  %13 = global_avg_pool(%12) : [16,1,1]
  %14 = flatten(%13) : [16]
  %15 = dropout(%14) {p=0.2} : [16]
  %16 = dense(%15) {out=10, act="relu", weight_layout="io", note="say \"hi\"\n\ttab\\ \x01\x7f", empty="", list=[], negative=[-3,0,9223372036854775807], count=-42, one=1.0, third=0.3333333333333333, tiny=5e-324, huge=1.7976931348623157e+308, zero=-0.0, up=inf, down=-inf, undefined=nan, "tile-x"=24} params(weight="classifier.1.weight":[16,10]@4096, "odd role"="w\"eird":[10]) : [10]
  %17 = dense(%15) {out=3} params(weight="aux.weight":[3,16], bias="aux.bias":[3]) : [3]
  return %16, %12, %17
}
)IR";

std::string parse_error(const std::string& text) {
  try {
    ir::parse_graph(text, "t.ir");
  } catch (const ir::UserError& e) {
    return e.what();
  }
  return "(parsed without error)";
}

}  // namespace

TEST_CASE("print_graph writes the documented text to the byte") {
  ir::Graph g;
  g.name = "tiny";
  ir::Node& in = g.add("input", {});
  in.set("shape", ir::Dims{3, 4, 4});
  in.shape = {3, 4, 4};
  ir::Node& c = g.add("conv2d", {0});
  c.set("name", std::string("c"));
  c.set("out", int64_t(8));
  c.set("kernel", int64_t(1));
  c.set("stride", int64_t(1));
  c.set("pad", ir::Dims{0, 0, 0, 0});
  c.set("groups", int64_t(1));
  c.params.push_back({"weight", "c.weight", {8, 3, 1, 1}});
  c.params.push_back({"bias", "c.bias", {8}, 24});
  c.shape = {8, 4, 4};
  ir::Node& d = g.add("dropout", {1});
  d.set("p", 0.5);
  d.shape = {8, 4, 4};
  g.outputs = {2};
  CHECK(ir::print_graph(g) ==
        "graph tiny {\n"
        "  %0 = input() {shape=[3,4,4]} : [3,4,4]\n"
        "  %1 = conv2d(%0) {name=\"c\", out=8, kernel=1, stride=1, pad=[0,0,0,0], groups=1} "
        "params(weight=\"c.weight\":[8,3,1,1], bias=\"c.bias\":[8]@24) : [8,4,4]\n"
        "  %2 = dropout(%1) {p=0.5} : [8,4,4]\n"
        "  return %2\n"
        "}\n");
}

TEST_CASE("reals print in shortest round-trip form and stay reals") {
  CHECK(ir::print_real(1e-5) == "1e-05");
  CHECK(ir::print_real(0.2) == "0.2");
  CHECK(ir::print_real(3.0) == "3.0");
  CHECK(ir::print_real(-0.0) == "-0.0");
  CHECK(ir::print_real(1e20) == "1e+20");
  CHECK(ir::print_real(INFINITY) == "inf");
  CHECK(ir::print_real(-INFINITY) == "-inf");
  CHECK(ir::print_real(NAN) == "nan");
  for (double v : {0.1 + 0.2, 1.0 / 3, DBL_MAX, DBL_MIN, 5e-324, -1e-300, 123456789.0, 1e-3, -0.0}) {
    INFO(ir::print_real(v));
    ir::Graph g;
    g.name = "r";
    ir::Node& n = g.add("input", {});
    n.set("shape", ir::Dims{1});
    n.set("v", v);
    n.shape = {1};
    g.outputs = {0};
    ir::Graph back = ir::parse_graph(ir::print_graph(g), "r.ir");
    const double* r = std::get_if<double>(back.node(0).find("v"));
    REQUIRE(r != nullptr);
    CHECK(std::memcmp(r, &v, sizeof v) == 0);  // bit-identical, sign of zero included
  }
}

TEST_CASE("strings and names are quoted and escaped") {
  CHECK(ir::print_string("a\"b\\c\nd\te\rf\x01") == "\"a\\\"b\\\\c\\nd\\te\\rf\\x01\"");
  CHECK(ir::print_name("fc1.weight") == "fc1.weight");
  CHECK(ir::print_name("tile-x") == "\"tile-x\"");
  CHECK(ir::print_name("1x") == "\"1x\"");
  CHECK(ir::print_name("") == "\"\"");
}

TEST_CASE("print -> parse -> print is byte-identical for b0..b7") {
  for (const auto& name : frontend::builtin_names()) {
    INFO(name);
    ir::Graph g = frontend::build_graph(*frontend::builtin_spec(name));
    std::string text = ir::print_graph(g);
    ir::Graph back = ir::parse_graph(text, name + ".ir");
    CHECK(ir::print_graph(back) == text);
    CHECK(back.nodes.size() == g.nodes.size());
    CHECK(back.outputs == g.outputs);
  }
}

TEST_CASE("a hand-written graph with every op, fused form and attr type round-trips") {
  ir::Graph g = ir::parse_graph(kAllOps, "all_ops.ir");
  CHECK(ir::print_graph(g) == kAllOps);
  CHECK(ir::verify(g) == std::vector<std::string>{"node %16 (dense): unexpected parameter 'odd role' for dense"});
  CHECK(g.name == "fused net-1");
  CHECK(g.outputs == std::vector<int>{16, 12, 17});
  const ir::Node& dense = g.node(16);
  CHECK(dense.get_str("note") == "say \"hi\"\n\ttab\\ \x01\x7f");
  CHECK(dense.get_dims("list").empty());
  CHECK(dense.get_dims("negative") == ir::Dims{-3, 0, INT64_MAX});
  CHECK(dense.get_int("count") == -42);
  CHECK(std::holds_alternative<double>(*dense.find("one")));
  CHECK(std::isnan(dense.get_real("undefined")));
  CHECK(dense.get_real("down") == -INFINITY);
  CHECK(dense.get_int("tile-x") == 24);
  CHECK(dense.param("odd role")->name == "w\"eird");
  CHECK(dense.param("weight")->offset == 4096);
  CHECK(dense.param("odd role")->offset == -1);
  CHECK(g.node(5).inputs == std::vector<int>{3, 1, 4});
  CHECK(g.node(9).shape == ir::Dims{16, 4, 4});
}

TEST_CASE("empty attrs and params may be written or left out") {
  ir::Graph g = ir::parse_graph(
      "graph g {\n %0 = input() {shape=[2]} params() : [2]\n %1 = flatten(%0) {} : [2]\n"
      " return %1 }",
      "e.ir");
  CHECK(ir::print_graph(g) ==
        "graph g {\n  %0 = input() {shape=[2]} : [2]\n  %1 = flatten(%0) : [2]\n  return %1\n}\n");
}

TEST_CASE("malformed text is a UserError naming source:line:col, what was expected and what was found") {
  const std::string head = "graph g {\n  %0 = input() {shape=[3,8,8]} : [3,8,8]\n";
  CHECK(parse_error("") == "t.ir:1:1: expected 'graph', got end of input");
  CHECK(parse_error("grph g {") == "t.ir:1:1: expected 'graph', got 'grph'");
  CHECK(parse_error("graph g {\n  %0 = input() {shape=[3,8,8]} : [3,8,8]\n") ==
        "t.ir:3:1: expected a node ('%N = op(...)') or 'return', got end of input");
  CHECK(parse_error(head + "  %1 = activation(%7) {kind=\"relu\"} : [3,8,8]\n") ==
        "t.ir:3:19: expected a node defined above, got '%7'");
  CHECK(parse_error(head + "  %0 = flatten(%0) : [192]\n") == "t.ir:3:3: expected a new node id, got '%0'");
  CHECK(parse_error(head + "  %1 = conv3d(%0) : [3,8,8]\n") ==
        "t.ir:3:8: expected a known op (see ir/ops.h), got 'conv3d'");
  CHECK(parse_error(head + "  %1 = activation(%0) {kind=\"relu} : [3,8,8]\n") ==
        "t.ir:3:45: expected a closing '\"', got \"\\n\"");
  CHECK(parse_error(head + "  %1 = activation(%0) {kind=\"re\\qlu\"} : [3,8,8]\n") ==
        "t.ir:3:33: expected an escape (\\\" \\\\ \\n \\t \\r \\xHH), got 'q'");
  CHECK(parse_error(head + "  %1 = dropout(%0) {p=0.2, p=0.3} : [3,8,8]\n") ==
        "t.ir:3:28: expected a new attribute name, got 'p' a second time");
  CHECK(parse_error(head + "  %1 = dropout(%0) {p=0.2x} : [3,8,8]\n") == "t.ir:3:23: expected a number, got '0.2x'");
  CHECK(parse_error(head + "  %1 = dropout(%0) {p=0.2} : [3,8.5,8]\n") ==
        "t.ir:3:33: expected an integer, got real 8.5");
  CHECK(parse_error(head + "  %1 = dropout(%0) {p=0.2} [3,8,8]\n") == "t.ir:3:28: expected ':', got '['");
  CHECK(parse_error(head + "  %1 = dropout(%0) {p=} : [3,8,8]\n") ==
        "t.ir:3:23: expected an attribute value (integer, real, string or [integers]), got '}'");
  CHECK(parse_error(head + "  %1 = dense(%0) {out=4} params(weight=w:[4,192]) : [4]\n") ==
        "t.ir:3:40: expected a quoted weight name, got 'w'");
  CHECK(parse_error(head + "  %1 = dropout(%0) {p=0.2} : [3,8,8]\n  %2 = dropout(%1) {p=0.2} : [3,8,8] $\n") ==
        "t.ir:4:38: expected a token, got '$'");
  CHECK(parse_error(head + "  return %3\n}\n") == "t.ir:3:10: expected a node defined above, got '%3'");
  CHECK(parse_error(head + "  return %0\n}\n}\n") == "t.ir:5:1: expected end of input, got '}'");
  CHECK(parse_error(head + "  % 1 = flatten(%0) : [192]\n") == "t.ir:3:4: expected a node id after '%', got ' '");
}

TEST_CASE("a printed shape that differs from the inferred one names the node") {
  const std::string head = "graph g {\n  %0 = input() {shape=[3,8,8]} : [3,8,8]\n";
  CHECK(parse_error(head + "  %1 = conv2d(%0) {name=\"stem\", out=4, kernel=3, stride=2, pad=[1,1,1,1], groups=1} "
                           "params(weight=\"stem.weight\":[4,3,3,3]) : [4,8,8]\n") ==
        "t.ir:3:126: expected node %1 (conv2d \"stem\") shape [4,4,4] (inferred), got [4,8,8]");
  CHECK(parse_error(head + "  %1 = add(%0) : [3,8,8]\n") == "t.ir:3:3: node %1 (add): expected 2 input(s), got 1");
  CHECK(parse_error(head + "  %1 = conv2d(%0) {kernel=1, stride=1, pad=[0,0,0,0], groups=1} : [3,8,8]\n") ==
        "t.ir:3:3: node %1 (conv2d) has no attribute 'out'");
}
