// Checks a Graph against the rules every pass must keep: unique ids, inputs defined
// earlier (topological order), known ops, required attrs with the right types and known
// values (act kinds, layouts, SE mode), stored shape == ir::infer_shape, parameter shapes
// that fit the op and its weight_layout (ir/ops.h), and outputs that exist. Rewrites nothing.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace ir {

// One line per problem, e.g. `node %5 (conv2d "features.1.0.block.0.0"): ...`; empty when valid.
std::vector<std::string> verify(const Graph& g);

// Throws InternalError listing every problem; `context` says where (e.g. "after fold_batch_norm").
void verify_or_throw(const Graph& g, const std::string& context);

}  // namespace ir
