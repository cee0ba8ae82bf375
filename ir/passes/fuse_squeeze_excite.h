// fuse_squeeze_excite: global_avg_pool(x) -> conv2d 1x1 (bias, act swish) -> conv2d 1x1 (bias,
// act sigmoid) -> mul(x, s) becomes squeeze_excite(x) mode=multiply; when the mul's only
// consumer is a 1x1 conv2d, squeeze_excite mode=scale feeds that conv as its in_scale input
// instead. Leaves alone any chain with a shared, output or ref'ed intermediate or a non-oihw
// weight. Runs after fuse_activation (it matches the fused `act` attrs), before fuse_residual.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_log.h"

namespace ir {

void fuse_squeeze_excite(Graph& g, PassLog& log);

}  // namespace ir
