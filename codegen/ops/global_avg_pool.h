// global_avg_pool as a Halide algorithm: `acc(c, n)` sums over an RDom of the H x W pixels,
// the value is acc / (H*W) at every (x, y) (consumers read x = y = 0 of the [C,1,1] result).
#pragma once

#include "codegen/ops/op_funcs.h"

namespace codegen {

// The pixel sum of a [C,H,W] value as acc(c, n) (shared with squeeze_excite).
Halide::Func channel_sum(const Value& in, const std::string& name, Halide::RDom& r);

OpFuncs lower_global_avg_pool(const ir::Node& n, const std::vector<Value>& in);

}  // namespace codegen
