// prescale_swish: on x86 targets, a conv2d with act=swish gets its weight and bias multiplied by
// kSwishPrescale and the attr `act_scale`=kSwishPrescale: its activation then reads
// acc / act_scale (ir/ops.h), which is swish of the same value. The portable swish (AVX2 and
// baseline kernels, codegen/math) starts from v * kSwishPrescale without the multiply it would
// otherwise spend on every element; the AVX-512 one takes the prescaled value at no extra cost, so
// a multi-ISA archive's kernels share one prescaled weight blob. Semantics never change. Leaves
// alone convs that already carry act_scale, and CUDA (untested there). Runs after fuse_activation.
#pragma once

#include <string>

#include "ir/graph.h"
#include "ir/passes/pass_log.h"
#include "ir/tensor.h"

namespace ir {

// -log2(e) * 2^23: the portable swish's z = -v log2(e) in units of 2^-23, the integer whose bits
// hold 2^z's exponent and fraction (codegen/math/math_library.cpp).
constexpr double kSwishPrescale = -1.4426950408889634 * 8388608.0;

// Whether `target` (as choose_tiling takes it) gets prescaled swish convs.
bool prescales_swish(const std::string& target);

void prescale_swish(Graph& g, WeightMap* w, const std::string& target, PassLog& log);

}  // namespace ir
