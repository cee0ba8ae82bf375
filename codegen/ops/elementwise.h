// Elementwise ops as Halide algorithms: activation (none|swish|sigmoid|relu, also the
// epilogue of conv2d and dense), batch_norm in inference form, add, mul by a per-sample
// [C,1,1] scale, dropout (identity at inference) and flatten (torch's C,H,W order).
#pragma once

#include "codegen/ops/op_funcs.h"

namespace codegen {

// Activation `kind` of scaled / in_scale (in_scale: a conv2d's act_scale; 1 without). Throws
// ir::UserError for an unknown kind; `math` picks swish's implementation.
Halide::Expr activate(const Halide::Expr& scaled, const std::string& kind, Math math, double in_scale = 1.0);

// `in` are the node's input values in order; every function returns the node's value.
OpFuncs lower_activation(const ir::Node& n, const std::vector<Value>& in, Math math);
OpFuncs lower_batch_norm(const ir::Node& n, const std::vector<Value>& in, const Weights& w);
OpFuncs lower_add(const ir::Node& n, const std::vector<Value>& in);
OpFuncs lower_mul(const ir::Node& n, const std::vector<Value>& in);
OpFuncs lower_dropout(const ir::Node& n, const std::vector<Value>& in);
OpFuncs lower_flatten(const ir::Node& n, const std::vector<Value>& in);

}  // namespace codegen
