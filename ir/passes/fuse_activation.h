// fuse_activation: activation(kind swish|sigmoid|relu) after a conv2d or dense becomes that
// node's `act` attr; the producer takes the activation's `ref`. Leaves alone an activation
// whose producer is another op, already has an `act` or `residual`, has another consumer,
// is a graph output or carries a `ref`; kind "none" is drop_dropout's. Runs after
// fold_batch_norm (an `act` between conv and BN would block the fold).
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_log.h"

namespace ir {

void fuse_activation(Graph& g, PassLog& log);

}  // namespace ir
