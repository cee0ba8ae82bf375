#include "codegen/ops/elementwise.h"

#include "ir/diagnostics.h"

namespace codegen {

using Halide::Expr;
using Halide::Func;

Expr activate(const Expr& scaled, const std::string& kind, Math math, double in_scale) {
  if (kind == "swish") return swish_of_scaled(scaled, in_scale, math);
  Expr v = in_scale == 1.0 ? scaled : scaled * float(1.0 / in_scale);
  if (kind == "none") return v;
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

OpFuncs lower_activation(const ir::Node& n, const std::vector<Value>& in, Math math) {
  std::string kind = n.get_str("kind");
  return elementwise(n, [&](const std::vector<Halide::Var>& a) { return activate(in[0].f(a), kind, math); });
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
