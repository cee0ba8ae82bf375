#include "codegen/math/math_library.h"

#include <vector>

#include "ir/graph.h"
#include "ir/passes/prescale_swish.h"

namespace codegen {

extern const unsigned char kSwishAvx512Bitcode[];  // swish_avx512.ll, assembled (CMakeLists.txt)
extern const unsigned long kSwishAvx512Bitcode_size;

namespace {

// swish(v) = v / (1 + 2^z), z = -v log2(e) clamped to [-126, 126] (beyond, swish is v or 0 to
// float precision). z is held as y = z * 2^23 and converted to an integer (truncation; a step of
// 2^-23 in z): with 127 << 23 added, its bits read as a float are 2^n (1 + f), n = floor(z),
// f = z - n, so the exponent field is 2^n's and the mantissa field is f's. 2^z = 2^n p(m), m =
// 1 + f in [1, 2) (the mantissa field under 1.0's exponent) and p a degree-4 fit of 2^(m - 1)
// (relative error 2.6e-6): 13 vector ops and a division, as many as the rounding-add form it
// replaced (z + 1.5 * 2^23, whose low mantissa bits held n, subtracted again for f and shifted
// into p's exponent), but three of them bitwise where that one had two float subtractions and a
// 256-bit shift that the Zen 1 runs on one pipe: 0.88-0.96x its time there (docs/codegen.md,
// "Swish on AVX2"). That form had replaced Halide's fast_exp (~22 ops). The AVX2, baseline and
// CUDA kernels use it, on `y_unclamped` = z * 2^23 = v k, k = ir::kSwishPrescale, and `num` / `k`
// = v: (v k, v, 1) for swish(v). Given y itself, from a conv whose weights prescale_swish
// multiplied by k, (y, y, k) drops the multiply: y / (k + 2^n (k p(m))), k folded into p's
// coefficients, 12 ops and a division. There 2^n k p(m) overflows to -inf for v < -72.4, giving -0
// where swish is above -2.6e-30.
Halide::Expr portable_swish(const Halide::Expr& y_unclamped, const Halide::Expr& num, float k) {
  using Halide::reinterpret;
  const float kScale = 8388608.0f;     // 2^23
  const int32_t kOneBits = 127 << 23;  // 1.0f: the exponent bias, and the exponent field of m
  const float c[] = {0.5099655888396637f, 0.31201211127688261f, 0.16661751712867437f, -0.0021271112936810388f,
                     0.013534489202123801f};
  Halide::Expr y = Halide::clamp(y_unclamped, -126.0f * kScale, 126.0f * kScale);
  Halide::Expr bits = Halide::cast<int32_t>(y) + kOneBits;
  Halide::Expr m = reinterpret<float>((bits & 0x7fffff) | kOneBits);
  Halide::Expr exponent = reinterpret<float>(bits & int32_t(0xff800000u));
  Halide::Expr p = c[4] * k;
  for (int i = 3; i >= 0; i--) p = p * m + c[i] * k;
  return num / (k + exponent * p);
}

void require_float32(const Halide::Expr& v) {
  if (v.type().element_of() != Halide::Float(32)) throw ir::InternalError("swish of a non-float32 value");
}

// Halide calls the vector version `<name>x<lanes>` that the linked module defines.
Halide::Expr call_avx512(const char* name, const Halide::Expr& v) {
  return Halide::Internal::Call::make(Halide::Float(32), name, {v}, Halide::Internal::Call::PureExtern);
}

}  // namespace

Math math_for_isa(const std::string& isa) { return isa == "avx512" ? Math::Avx512 : Math::Portable; }

Halide::Expr swish(const Halide::Expr& v, Math math) {
  require_float32(v);
  if (math == Math::Portable) return portable_swish(v * float(ir::kSwishPrescale), v, 1.0f);
  return call_avx512("effnetc_swish_avx512", v);
}

Halide::Expr swish_of_scaled(const Halide::Expr& scaled, double scale, Math math) {
  if (scale == ir::kSwishPrescale) {
    require_float32(scaled);
    if (math == Math::Portable) return portable_swish(scaled, scaled, float(ir::kSwishPrescale));
    return call_avx512("effnetc_swish_prescaled_avx512", scaled);
  }
  return swish(scale == 1.0 ? scaled : scaled * float(1.0 / scale), math);
}

void link_math(Halide::Module& m, Math math) {
  if (math == Math::Portable) return;
  std::vector<uint8_t> bitcode(kSwishAvx512Bitcode, kSwishAvx512Bitcode + kSwishAvx512Bitcode_size);
  m.append(Halide::ExternalCode::bitcode_wrapper(m.target(), bitcode, "effnetc_swish_avx512"));
}

}  // namespace codegen
