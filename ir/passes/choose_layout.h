// choose_layout: every feature map but the graph input (which the caller hands over as
// NCHW) gets `layout="nhwc"`; conv2d weights are re-laid to weight_layout "hwio", dense and
// squeeze_excite weights to "io", with `<name>#hwio` / `<name>#io` tensors replacing the
// originals when weights are given. Semantics never change; nodes already re-laid are left
// alone. Runs after the folds and fusions (they expect torch layouts).
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_log.h"
#include "ir/tensor.h"

namespace ir {

void choose_layout(Graph& g, WeightMap* w, PassLog& log);

}  // namespace ir
