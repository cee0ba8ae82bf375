// Swish, the epilogue of every expand and depthwise conv, per ISA. Portable: a Halide expression
// that every target compiles. Avx512: a call into swish_avx512.ll (vreduceps and vscalefps, which
// Halide 14 cannot emit), which each AVX-512 kernel's Halide Module must link: link_math does, on
// the Module that both the AOT path (codegen/aot) and JitUnit (codegen/jit_unit.h) compile;
// Pipeline::realize cannot run such a pipeline.
#pragma once

#include <Halide.h>

#include <string>

namespace codegen {

enum class Math { Portable, Avx512 };

Math math_for_isa(const std::string& isa);  // Avx512 for "avx512", else Portable

Halide::Expr swish(const Halide::Expr& v, Math math);
// swish(scaled / scale): for a conv whose weights were multiplied by `scale` (attr act_scale). At
// ir::kSwishPrescale the portable swish spends no operation on the scale (it has one fewer than
// swish's) and the AVX-512 one none beyond swish's own; at any other scale it costs a multiply.
Halide::Expr swish_of_scaled(const Halide::Expr& scaled, double scale, Math math);

// Appends the math library `math` needs to `m` (nothing for Portable).
void link_math(Halide::Module& m, Math math);

}  // namespace codegen
