// fold_batch_norm: batch_norm(conv2d(x)) becomes one conv2d whose weight is scaled per
// output channel and whose bias (added when missing) absorbs the shift; the conv takes the
// BN's `ref`. Leaves alone a BN whose producer is not a conv2d, or a conv that has another
// consumer, is a graph output, carries a `ref`, `act` or `residual`. Runs first (before
// fusion); with weights, writes `<name>#folded` tensors and drops the replaced ones.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_log.h"
#include "ir/tensor.h"

namespace ir {

void fold_batch_norm(Graph& g, WeightMap* w, PassLog& log);

}  // namespace ir
