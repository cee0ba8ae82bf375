#include "codegen/math/math_library.h"

#include <vector>

#include "ir/graph.h"

namespace codegen {

extern const unsigned char kSwishAvx512Bitcode[];  // swish_avx512.ll, assembled (CMakeLists.txt)
extern const unsigned long kSwishAvx512Bitcode_size;

namespace {

// swish(v) = v / (1 + 2^z), z = -v log2(e) clamped to [-126, 126] (beyond, swish is v or 0 to
// float precision). 2^z = 2^n p(f): n is z rounded to nearest by adding 1.5 * 2^23 (whose low
// mantissa bits then hold n; strict_float keeps the simplifier from cancelling the add),
// f = z - n in [-0.5, 0.5], p a degree-4 fit of 2^f (relative error 2.7e-6), and 2^n is added
// to p's exponent bits: 13 vector ops and a division. It replaced Halide's fast_exp (~22 ops;
// its floor runs as two 256-bit rounds on AVX-512) when every ISA used it; a degree-5 fit
// (2.3e-7) had cost b0 2-3 % then. The AVX2, baseline and CUDA kernels use it now.
Halide::Expr portable_swish(const Halide::Expr& v) {
  using Halide::reinterpret;
  const float kMagic = 12582912.0f;  // 1.5 * 2^23
  const float c[] = {0.9999991908565815f, 0.6931219676960616f, 0.24024981109537408f, 0.05591703917486485f,
                     0.009560510206473527f};
  Halide::Expr z = Halide::clamp(v * -1.4426950408889634f, -126.0f, 126.0f);
  Halide::Expr t = Halide::strict_float(z + kMagic);
  Halide::Expr f = z - Halide::strict_float(t - kMagic);
  Halide::Expr p = c[4];
  for (int k = 3; k >= 0; k--) p = p * f + c[k];
  Halide::Expr bits = reinterpret<uint32_t>(p) + (reinterpret<uint32_t>(t) << 23);
  return v / (1.0f + reinterpret<float>(bits));
}

}  // namespace

Math math_for_isa(const std::string& isa) { return isa == "avx512" ? Math::Avx512 : Math::Portable; }

Halide::Expr swish(const Halide::Expr& v, Math math) {
  if (v.type().element_of() != Halide::Float(32)) throw ir::InternalError("swish of a non-float32 value");
  if (math == Math::Portable) return portable_swish(v);
  // Halide calls the vector version `effnetc_swish_avx512x<lanes>` that the linked module defines.
  return Halide::Internal::Call::make(Halide::Float(32), "effnetc_swish_avx512", {v},
                                      Halide::Internal::Call::PureExtern);
}

void link_math(Halide::Module& m, Math math) {
  if (math == Math::Portable) return;
  std::vector<uint8_t> bitcode(kSwishAvx512Bitcode, kSwishAvx512Bitcode + kSwishAvx512Bitcode_size);
  m.append(Halide::ExternalCode::bitcode_wrapper(m.target(), bitcode, "effnetc_swish_avx512"));
}

}  // namespace codegen
