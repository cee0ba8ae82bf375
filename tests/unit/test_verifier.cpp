// ir::verify: one case per rule, each breaking a valid graph in exactly one way and checking
// the problem it reports (naming the node); the built-in variants verify clean.
#include <catch2/catch.hpp>
#include <functional>
#include <limits>

#include "frontend/build_graph.h"
#include "ir/parser.h"
#include "ir/verifier.h"

namespace {

const char* kValid = R"IR(graph v {
  %0 = input() {name="input", shape=[4,6,6]} : [4,6,6]
  %1 = conv2d(%0) {name="conv", out=8, kernel=3, stride=1, pad=[1,1,1,1], groups=2} params(weight="conv.weight":[8,2,3,3], bias="conv.bias":[8]) : [8,6,6]
  %2 = batch_norm(%1) {name="bn", eps=1e-05} params(weight="bn.weight":[8], bias="bn.bias":[8], running_mean="bn.running_mean":[8], running_var="bn.running_var":[8]) : [8,6,6]
  %3 = activation(%2) {name="act", kind="swish"} : [8,6,6]
  %4 = squeeze_excite(%3) {name="se", squeeze=2} params(fc1.weight="se.fc1.weight":[2,8,1,1], fc1.bias="se.fc1.bias":[2], fc2.weight="se.fc2.weight":[8,2,1,1], fc2.bias="se.fc2.bias":[8]) : [8,6,6]
  %5 = global_avg_pool(%4) {name="pool"} : [8,1,1]
  %6 = flatten(%5) : [8]
  %7 = dense(%6) {name="fc", out=3} params(weight="fc.weight":[3,8], bias="fc.bias":[3]) : [3]
  return %7
}
)IR";

// The problems verify() reports after `breaker` changes the valid graph.
std::vector<std::string> problems_after(const std::function<void(ir::Graph&)>& breaker) {
  ir::Graph g = ir::parse_graph(kValid, "valid.ir");
  breaker(g);
  return ir::verify(g);
}

using Problems = std::vector<std::string>;

ir::Param* param(ir::Graph& g, int id, const std::string& role) {
  for (auto& p : g.node(id).params)
    if (p.role == role) return &p;
  FAIL("no parameter " << role);
  return nullptr;
}

}  // namespace

TEST_CASE("valid graphs verify clean") {
  CHECK(problems_after([](ir::Graph&) {}).empty());
  for (const auto& name : frontend::builtin_names()) {
    INFO(name);
    CHECK(ir::verify(frontend::build_graph(*frontend::builtin_spec(name))).empty());
  }
}

TEST_CASE("verifier: ids are unique") {
  Problems p = problems_after([](ir::Graph& g) { g.nodes[2].id = 1; });
  REQUIRE(!p.empty());
  CHECK(p[0] == "node %1 (batch_norm \"bn\"): id %1 is defined more than once");
}

TEST_CASE("verifier: inputs are defined earlier") {
  CHECK(
      problems_after([](ir::Graph& g) { std::swap(g.nodes[2], g.nodes[3]); }) ==
      Problems{"node %3 (activation \"act\"): input %2 is defined after its use (nodes are not in topological order)"});
  CHECK(problems_after([](ir::Graph& g) { g.node(3).inputs = {42}; }) ==
        Problems{"node %3 (activation \"act\"): input %42 is not defined"});
}

TEST_CASE("verifier: ops are known") {
  CHECK(problems_after([](ir::Graph& g) { g.node(3).op = "gelu"; }) ==
        Problems{"node %3 (gelu \"act\"): unknown op 'gelu'"});
}

TEST_CASE("verifier: required attributes are present with the right types") {
  CHECK(problems_after([](ir::Graph& g) { g.node(1).erase("kernel"); }) ==
        Problems{"node %1 (conv2d \"conv\"): missing required attribute 'kernel'"});
  CHECK(problems_after([](ir::Graph& g) { g.node(1).set("out", std::string("8")); }) ==
        Problems{"node %1 (conv2d \"conv\"): attribute 'out' must be integer"});
  CHECK(problems_after([](ir::Graph& g) { g.node(1).set("pad", int64_t(1)); }) ==
        Problems{"node %1 (conv2d \"conv\"): attribute 'pad' must be integer list"});
  CHECK(problems_after([](ir::Graph& g) { g.node(2).set("eps", std::string("1e-5")); }) ==
        Problems{"node %2 (batch_norm \"bn\"): attribute 'eps' must be real"});
  CHECK(problems_after([](ir::Graph& g) { g.node(4).erase("squeeze"); }) ==
        Problems{"node %4 (squeeze_excite \"se\"): missing required attribute 'squeeze'"});
  CHECK(problems_after([](ir::Graph& g) { g.node(5).set("name", int64_t(5)); }) ==
        Problems{"node %5 (global_avg_pool): attribute 'name' must be string"});
  CHECK(problems_after([](ir::Graph& g) { g.node(4).set("mode", std::string("gate")); }) ==
        Problems{"node %4 (squeeze_excite \"se\"): attribute 'mode' is \"gate\", expected multiply|scale"});
  CHECK(problems_after([](ir::Graph& g) { g.node(1).set("weight_layout", std::string("ohwi")); }) ==
        Problems{"node %1 (conv2d \"conv\"): attribute 'weight_layout' is \"ohwi\", expected hwio|oihw"});
}

TEST_CASE("verifier: activation kinds are known") {
  CHECK(problems_after([](ir::Graph& g) { g.node(3).set("kind", std::string("gelu")); }) ==
        Problems{"node %3 (activation \"act\"): attribute 'kind' is \"gelu\", expected none|relu|sigmoid|swish"});
  CHECK(problems_after([](ir::Graph& g) { g.node(1).set("act", std::string("tanh")); }) ==
        Problems{"node %1 (conv2d \"conv\"): attribute 'act' is \"tanh\", expected none|relu|sigmoid|swish"});
  CHECK(problems_after([](ir::Graph& g) { g.node(7).set("act", std::string("relu")); }).empty());
}

TEST_CASE("verifier: a conv's act_scale is a finite, nonzero real") {
  CHECK(problems_after([](ir::Graph& g) { g.node(1).set("act_scale", -3.5); }).empty());
  CHECK(problems_after([](ir::Graph& g) { g.node(1).set("act_scale", 0.0); }) ==
        Problems{"node %1 (conv2d \"conv\"): attribute 'act_scale' must be finite and not 0"});
  CHECK(problems_after([](ir::Graph& g) { g.node(1).set("act_scale", std::numeric_limits<double>::infinity()); }) ==
        Problems{"node %1 (conv2d \"conv\"): attribute 'act_scale' must be finite and not 0"});
  CHECK(problems_after([](ir::Graph& g) { g.node(1).set("act_scale", std::string("2")); }) ==
        Problems{"node %1 (conv2d \"conv\"): attribute 'act_scale' must be real"});
}

TEST_CASE("verifier: stored shapes equal inferred shapes") {
  CHECK(problems_after([](ir::Graph& g) { g.node(7).shape = {4}; }) ==
        Problems{"node %7 (dense \"fc\"): stored shape [4] differs from inferred shape [3]"});
  // Consumers infer from the stored shape, so the next node reports what it was given.
  CHECK(problems_after([](ir::Graph& g) {
          g.node(3).shape = {8, 6, 5};
        }) == Problems{"node %3 (activation \"act\"): stored shape [8,6,5] differs from inferred shape [8,6,6]",
                       "node %4 (squeeze_excite \"se\"): stored shape [8,6,6] differs from inferred shape [8,6,5]"});
  CHECK(problems_after([](ir::Graph& g) { g.node(1).set("groups", int64_t(3)); }) ==
        Problems{"node %1 (conv2d \"conv\"): channels 4->8 are not divisible by groups=3"});
}

TEST_CASE("verifier: conv2d parameters fit out, groups, kernel and weight_layout") {
  CHECK(problems_after([](ir::Graph& g) {
          param(g, 1, "weight")->shape = {8, 4, 3, 3};
        }) == Problems{"node %1 (conv2d \"conv\"): parameter 'weight' (\"conv.weight\") has shape [8,4,3,3], expected "
                       "[8,2,3,3] (weight_layout oihw)"});
  CHECK(problems_after([](ir::Graph& g) { g.node(1).set("weight_layout", std::string("hwio")); }) ==
        Problems{"node %1 (conv2d \"conv\"): parameter 'weight' (\"conv.weight\") has shape [8,2,3,3], expected "
                 "[3,3,2,8] (weight_layout hwio)"});
  CHECK(problems_after([](ir::Graph& g) {
          g.node(1).set("weight_layout", std::string("hwio"));
          param(g, 1, "weight")->shape = {3, 3, 2, 8};
        }).empty());
  auto blocked = [](int64_t block, ir::Dims shape) {  // hwio in blocks of `block` output channels
    return [=](ir::Graph& g) {
      g.node(1).set("weight_layout", std::string("hwio"));
      g.node(1).set("weight_block", block);
      param(g, 1, "weight")->shape = shape;
    };
  };
  CHECK(problems_after(blocked(4, {2, 3, 3, 2, 4})).empty());
  CHECK(problems_after(blocked(3, {3, 3, 2, 8})) ==
        Problems{"node %1 (conv2d \"conv\"): weight_block 3 needs weight_layout hwio and a positive divisor of out=8 "
                 "(or, for a 1x1 conv, one block larger than out)"});
  CHECK(problems_after(blocked(16, {1, 3, 3, 2, 16})) ==  // a 3x3 conv: no padded block
        Problems{"node %1 (conv2d \"conv\"): weight_block 16 needs weight_layout hwio and a positive divisor of out=8 "
                 "(or, for a 1x1 conv, one block larger than out)",
                 "node %1 (conv2d \"conv\"): parameter 'weight' (\"conv.weight\") has shape [1,3,3,2,16], expected "
                 "[3,3,2,8] (weight_layout hwio, weight_block 16)"});
  CHECK(problems_after(blocked(4, {3, 3, 2, 8})) ==
        Problems{"node %1 (conv2d \"conv\"): parameter 'weight' (\"conv.weight\") has shape [3,3,2,8], expected "
                 "[2,3,3,2,4] (weight_layout hwio, weight_block 4)"});
  CHECK(problems_after([](ir::Graph& g) { param(g, 1, "bias")->shape = {4}; }) ==
        Problems{"node %1 (conv2d \"conv\"): parameter 'bias' (\"conv.bias\") has shape [4], expected [8] "
                 "(weight_layout oihw)"});
  CHECK(problems_after([](ir::Graph& g) { g.node(1).params.erase(g.node(1).params.begin()); }) ==
        Problems{"node %1 (conv2d \"conv\"): missing parameter 'weight'"});
}

TEST_CASE("verifier: batch_norm parameters are [C]") {
  CHECK(problems_after([](ir::Graph& g) { param(g, 2, "running_var")->shape = {4}; }) ==
        Problems{
            "node %2 (batch_norm \"bn\"): parameter 'running_var' (\"bn.running_var\") has shape [4], expected [8]"});
  CHECK(problems_after([](ir::Graph& g) { g.node(2).params.pop_back(); }) ==
        Problems{"node %2 (batch_norm \"bn\"): missing parameter 'running_var'"});
}

TEST_CASE("verifier: dense parameters fit out, the input and weight_layout") {
  CHECK(problems_after([](ir::Graph& g) {
          param(g, 7, "weight")->shape = {8, 3};
        }) == Problems{"node %7 (dense \"fc\"): parameter 'weight' (\"fc.weight\") has shape [8,3], expected [3,8] "
                       "(weight_layout oi)"});
  CHECK(problems_after([](ir::Graph& g) {
          g.node(7).set("weight_layout", std::string("io"));
          param(g, 7, "weight")->shape = {8, 3};
        }).empty());
}

TEST_CASE("verifier: squeeze_excite parameters fit squeeze, channels and weight_layout") {
  CHECK(problems_after([](ir::Graph& g) {
          param(g, 4, "fc2.weight")->shape = {2, 8, 1, 1};
        }) ==
        Problems{"node %4 (squeeze_excite \"se\"): parameter 'fc2.weight' (\"se.fc2.weight\") has shape [2,8,1,1], "
                 "expected [8,2,1,1] (weight_layout oi)"});
  CHECK(problems_after([](ir::Graph& g) {
          g.node(4).set("weight_layout", std::string("io"));
          param(g, 4, "fc1.weight")->shape = {8, 2};
          param(g, 4, "fc2.weight")->shape = {2, 8};
        }).empty());
  CHECK(problems_after([](ir::Graph& g) { param(g, 4, "fc1.bias")->role = "fc1.b"; }) ==
        Problems{"node %4 (squeeze_excite \"se\"): unexpected parameter 'fc1.b' for squeeze_excite",
                 "node %4 (squeeze_excite \"se\"): missing parameter 'fc1.bias'"});
}

TEST_CASE("verifier: ops without parameters carry none, and roles are unique") {
  CHECK(problems_after([](ir::Graph& g) {
          g.node(3).params.push_back({"weight", "act.weight", {8}});
        }) == Problems{"node %3 (activation \"act\"): unexpected parameter 'weight' for activation"});
  CHECK(problems_after([](ir::Graph& g) { g.node(7).params.push_back(g.node(7).params[1]); }) ==
        Problems{"node %7 (dense \"fc\"): parameter 'bias' appears twice"});
}

TEST_CASE("verifier: outputs exist") {
  CHECK(problems_after([](ir::Graph& g) { g.outputs = {99}; }) == Problems{"output %99 is not defined"});
  CHECK(problems_after([](ir::Graph& g) { g.outputs.clear(); }) == Problems{"graph has no outputs"});
}

TEST_CASE("verify_or_throw lists every problem in an InternalError") {
  ir::Graph g = ir::parse_graph(kValid, "valid.ir");
  CHECK_NOTHROW(ir::verify_or_throw(g, "after nothing"));
  g.node(7).shape = {1};
  g.outputs = {99};
  CHECK_THROWS_WITH(ir::verify_or_throw(g, "after test_pass"),
                    "invalid IR after test_pass (2 problem(s)):\n"
                    "  node %7 (dense \"fc\"): stored shape [1] differs from inferred shape [3]\n"
                    "  output %99 is not defined");
  CHECK_THROWS_AS(ir::verify_or_throw(g, "x"), ir::InternalError);
}
