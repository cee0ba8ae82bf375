// Expands a Spec into the unfused ir::Graph that torchvision's EfficientNet computes,
// node for node: conv2d / batch_norm / activation, squeeze-excitation as
// pool → conv → swish → conv → sigmoid → mul, residual adds, dropout, dense.
// Parameter names are torchvision state_dict keys; every node carries `name` (its
// module path) and the last node of each reference-checked module carries `ref`
// ("features.0", "features.1.0", ..., "features.8", "logits").
#pragma once

#include "frontend/spec.h"
#include "ir/graph.h"

namespace frontend {

ir::Graph build_graph(const Spec& spec);

// One scaled MBConv block as the builder laid it out (for inspect's per-stage table).
struct BlockInfo {
  int stage, index;  // stage 1..7, block within stage
  int expand_ratio, kernel, stride, in_channels, expanded_channels, out_channels, squeeze_channels;
  bool residual;
};
std::vector<BlockInfo> scaled_blocks(const Spec& spec);
int head_channels(const Spec& spec);

}  // namespace frontend
