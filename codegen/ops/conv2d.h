// conv2d as a Halide algorithm: pointwise (1x1, groups 1) and general k x k convs accumulate
// over an RDom in `acc`; depthwise (one input channel per group) is one pure sum over the
// taps. Stride 1/2/..., asymmetric padding by a zero constant_exterior, weight_layout oihw
// or hwio (optionally in weight_block blocks of output channels), and the fused epilogue:
// bias, act, residual (inputs[1]) and in_scale (last input).
#pragma once

#include "codegen/ops/op_funcs.h"

namespace codegen {

// `shared_weights`: each call runs several samples that read the same weights in turn (a lane
// tail), so they stay in cache from one sample to the next.
OpFuncs lower_conv2d(const ir::Node& n, const std::vector<Value>& in, const Weights& w, Math math,
                     bool shared_weights = false);

}  // namespace codegen
