// Checks a WeightMap against the Params of a graph before anything uses it: every param present
// with exactly its shape and finite values (a batch norm's running_var not negative), and no
// tensor the graph does not use (num_batches_tracked counters excepted). Throws ir::UserError
// naming `source` (the weights file) and the tensor.
#pragma once

#include <string>

#include "ir/graph.h"
#include "ir/tensor.h"

namespace frontend {

void check_weights(const ir::Graph& g, const ir::WeightMap& weights, const std::string& source);

}  // namespace frontend
