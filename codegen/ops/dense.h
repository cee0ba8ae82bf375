// dense (fully connected) as a Halide algorithm on a per-sample vector value f(c, n):
// `acc(o, n)` = bias + sum over an RDom of the inputs, weight_layout oi ([O,I]) or io ([I,O]),
// then the optional fused `act`.
#pragma once

#include "codegen/ops/op_funcs.h"

namespace codegen {

OpFuncs lower_dense(const ir::Node& n, const std::vector<Value>& in, const Weights& w, Math math);

}  // namespace codegen
