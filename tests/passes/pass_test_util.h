// Shared by the pass tests: run one pass on IR text and get the printed result plus its log,
// checking on the way that the result verifies and that the oracle computes the same values
// (graph outputs and every `ref`'ed tensor) before and after, on random weights and input.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/passes/pass_log.h"
#include "ir/tensor.h"

namespace pass_test {

using Pass = std::function<void(ir::Graph&, ir::WeightMap*, ir::PassLog&)>;

struct Result {
  std::string text;              // print_graph of the rewritten graph
  std::vector<std::string> log;  // the pass's PassLog lines
};

// Parses `before`, runs `pass` with random weights, verifies, compares numerics, prints.
Result run_pass(const std::string& before, const Pass& pass);

// Graph outputs and ref'ed tensors of `g` on weights `w` and a seeded random batch of 2.
struct Values {
  std::vector<ir::Tensor> outputs;
  std::map<std::string, ir::Tensor> refs;
};
Values evaluate(const ir::Graph& g, const ir::WeightMap& w, uint64_t input_seed);

// max|a-b| / max|a|, the normalised error of `b` against reference `a` (same shapes required).
double normalised_error(const ir::Tensor& a, const ir::Tensor& b);

// Checks (Catch2) that `after` reproduces `before`: same outputs and same refs within `tolerance`.
void check_same_values(const Values& before, const Values& after, double tolerance);

}  // namespace pass_test
