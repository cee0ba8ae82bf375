#include "tests/passes/pass_test_util.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <set>

#include "frontend/random_weights.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "oracle/executor.h"

namespace pass_test {

Values evaluate(const ir::Graph& g, const ir::WeightMap& w, uint64_t input_seed) {
  const ir::Node& in = g.nodes.at(0);
  REQUIRE(in.op == "input");
  ir::Dims shape = in.shape;
  shape.insert(shape.begin(), 2);
  ir::Tensor x{shape, std::vector<float>(size_t(ir::numel(shape)))};
  std::mt19937_64 rng(input_seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : x.data) v = dist(rng);
  Values out;
  out.outputs = oracle::run_graph(g, w, x, 2, &out.refs);
  return out;
}

double normalised_error(const ir::Tensor& a, const ir::Tensor& b) {
  REQUIRE(a.shape == b.shape);
  double max_ref = 0, max_err = 0;
  for (size_t i = 0; i < a.data.size(); i++) {
    max_ref = std::max(max_ref, std::fabs(double(a.data[i])));
    max_err = std::max(max_err, std::fabs(double(a.data[i]) - double(b.data[i])));
  }
  return max_ref > 0 ? max_err / max_ref : max_err;
}

void check_same_values(const Values& before, const Values& after, double tolerance) {
  REQUIRE(before.outputs.size() == after.outputs.size());
  for (size_t i = 0; i < before.outputs.size(); i++) {
    INFO("graph output " << i);
    CHECK(normalised_error(before.outputs[i], after.outputs[i]) <= tolerance);
  }
  std::vector<std::string> refs_before, refs_after;
  for (const auto& [ref, t] : before.refs) refs_before.push_back(ref);
  for (const auto& [ref, t] : after.refs) refs_after.push_back(ref);
  REQUIRE(refs_before == refs_after);  // fusion kept every `ref`
  for (const auto& [ref, t] : before.refs) {
    INFO("ref " << ref);
    CHECK(normalised_error(t, after.refs.at(ref)) <= tolerance);
  }
}

Result run_pass(const std::string& before, const Pass& pass) {
  ir::Graph g = ir::parse_graph(before, "before");
  ir::verify_or_throw(g, "in the test's input");
  REQUIRE(ir::print_graph(g) == before);  // fixtures are written in printed form
  ir::WeightMap w = frontend::random_weights(g, 11);
  Values reference = evaluate(g, w, 5);

  ir::Graph g_without = g;
  ir::PassLog log, log_without;
  pass(g, &w, log);
  pass(g_without, nullptr, log_without);
  ir::verify_or_throw(g, "after the pass");
  std::string text = ir::print_graph(g);
  CHECK(ir::print_graph(g_without) == text);  // the graph rewrite does not depend on having weights
  CHECK(log_without.lines == log.lines);
  check_same_values(reference, evaluate(g, w, 5), 1e-5);
  std::set<std::string> named, held;
  for (const auto& n : g.nodes)
    for (const auto& p : n.params) named.insert(p.name);
  for (const auto& [name, t] : w) held.insert(name);
  CHECK(named == held);  // replaced tensors were dropped, new ones added
  return {text, log.lines};
}

}  // namespace pass_test
