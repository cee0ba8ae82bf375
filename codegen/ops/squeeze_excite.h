// squeeze_excite as a Halide algorithm: channel sum -> fc1 (+bias, swish) -> fc2 (+bias,
// sigmoid) = scale(c, n); mode=multiply returns x * scale, mode=scale the [C,1,1] scale.
// Weights oi (fc1 [S,C,1,1], fc2 [C,S,1,1]) or io (fc1 [C,S], fc2 [S,C]).
#pragma once

#include "codegen/ops/op_funcs.h"

namespace codegen {

OpFuncs lower_squeeze_excite(const ir::Node& n, const std::vector<Value>& in, const Weights& w, Math math);

}  // namespace codegen
