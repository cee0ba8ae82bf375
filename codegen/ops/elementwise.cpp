#include "codegen/ops/elementwise.h"

#include "ir/diagnostics.h"

namespace codegen {

using Halide::Expr;
using Halide::Func;

namespace {

// swish(v) = v / (1 + 2^z), z = -v log2(e) clamped to [-126, 126] (beyond, swish is v or 0 to
// float precision). 2^z = 2^n p(f): n is z rounded to nearest by adding 1.5 * 2^23 (whose low
// mantissa bits then hold n; strict_float keeps the simplifier from cancelling the add),
// f = z - n in [-0.5, 0.5], p a degree-4 fit of 2^f (relative error 2.7e-6), and 2^n is added
// to p's exponent bits. Swish is the epilogue of every expand and depthwise conv, and on a 3x3
// depthwise it outweighed the conv's 9 FMAs: Halide's fast_exp took ~22 vector ops (its floor
// runs as two 256-bit rounds on AVX-512), this takes ~14. A degree-5 fit (2.3e-7) cost b0 2-3 %
// (degree 4: 0.973x the time on 1 thread, 0.978x at batch 8).
Expr swish(const Expr& v) {
  using Halide::reinterpret;
  const float kMagic = 12582912.0f;  // 1.5 * 2^23
  const float c[] = {0.9999991908565815f, 0.6931219676960616f, 0.24024981109537408f, 0.05591703917486485f,
                     0.009560510206473527f};
  Expr z = Halide::clamp(v * -1.4426950408889634f, -126.0f, 126.0f);
  Expr t = Halide::strict_float(z + kMagic);
  Expr f = z - Halide::strict_float(t - kMagic);
  Expr p = c[4];
  for (int k = 3; k >= 0; k--) p = p * f + c[k];
  Expr bits = reinterpret<uint32_t>(p) + (reinterpret<uint32_t>(t) << 23);
  return v / (1.0f + reinterpret<float>(bits));
}

}  // namespace

Expr activate(const Expr& v, const std::string& kind) {
  if (kind == "none") return v;
  if (kind == "swish") return swish(v);
  if (kind == "sigmoid") return 1.0f / (1.0f + Halide::exp(-v));
  if (kind == "relu") return Halide::max(v, 0.0f);
  throw ir::UserError("unknown activation '" + kind + "'");
}

namespace {

OpFuncs elementwise(const ir::Node& n, const std::function<Expr(const std::vector<Halide::Var>&)>& body) {
  OpFuncs f;
  f.out = Func("n" + std::to_string(n.id) + "_" + n.op);
  std::vector<Halide::Var> args = value_args(n.shape);
  f.out(args) = body(args);
  return f;
}

}  // namespace

OpFuncs lower_activation(const ir::Node& n, const std::vector<Value>& in) {
  std::string kind = n.get_str("kind");
  return elementwise(n, [&](const std::vector<Halide::Var>& a) { return activate(in[0].f(a), kind); });
}

OpFuncs lower_batch_norm(const ir::Node& n, const std::vector<Value>& in, const Weights& w) {
  float eps = float(n.get_real("eps"));
  return elementwise(n, [&](const std::vector<Halide::Var>& a) {
    Expr c = a[0];
    Expr scale = w.at(n, "weight", c) / Halide::sqrt(w.at(n, "running_var", c) + eps);
    return (in[0].f(a) - w.at(n, "running_mean", c)) * scale + w.at(n, "bias", c);
  });
}

OpFuncs lower_add(const ir::Node& n, const std::vector<Value>& in) {
  return elementwise(n, [&](const std::vector<Halide::Var>& a) { return in[0].f(a) + in[1].f(a); });
}

OpFuncs lower_mul(const ir::Node& n, const std::vector<Value>& in) {
  const Vars& v = vars();
  return elementwise(n, [&](const std::vector<Halide::Var>& a) { return in[0].f(a) * in[1].f(v.c, 0, 0, v.n); });
}

OpFuncs lower_dropout(const ir::Node& n, const std::vector<Value>& in) {
  return elementwise(n, [&](const std::vector<Halide::Var>& a) { return in[0].f(a); });
}

OpFuncs lower_flatten(const ir::Node& n, const std::vector<Value>& in) {
  const ir::Dims& s = in[0].shape;
  const Vars& v = vars();
  return elementwise(n, [&](const std::vector<Halide::Var>&) -> Expr {
    if (s.size() == 1) return in[0].f(v.c, v.n);
    int h = int(s[1]), wd = int(s[2]);
    if (h == 1 && wd == 1) return in[0].f(v.c, 0, 0, v.n);
    return in[0].f(v.c / (h * wd), v.c % wd, (v.c / wd) % h, v.n);
  });
}

}  // namespace codegen
