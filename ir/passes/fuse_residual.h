// fuse_residual: add(conv2d(..), x) (either operand order) becomes that conv2d with
// residual=1 and x as inputs[1] (before an in_scale input), moved to the add's place; it
// takes the add's `ref`. Leaves alone an add whose conv operand has another consumer, is a
// graph output, carries a `ref`, already has a residual, or is also the other operand.
// Runs after fuse_activation and fuse_squeeze_excite (the residual is added after `act`).
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_log.h"

namespace ir {

void fuse_residual(Graph& g, PassLog& log);

}  // namespace ir
