#include "codegen/ops/dense.h"

#include "codegen/ops/elementwise.h"

namespace codegen {

OpFuncs lower_dense(const ir::Node& n, const std::vector<Value>& in, const Weights& w, Math math) {
  const Vars& v = vars();
  const int inputs = int(in[0].shape[0]), outputs = int(n.get_int("out"));
  const bool io = n.get_str("weight_layout", "oi") == "io";
  std::string name = "n" + std::to_string(n.id);
  OpFuncs f;
  f.kind = OpKind::Dense;
  f.r = Halide::RDom(0, inputs, name + "_r");
  f.acc = Halide::Func(name + "_acc");
  f.acc(v.c, v.n) = w.has(n, "bias") ? w.at(n, "bias", v.c) : Halide::Expr(0.0f);
  Halide::Expr index = io ? f.r.x * outputs + v.c : v.c * inputs + f.r.x;
  f.acc(v.c, v.n) += w.at(n, "weight", index) * in[0].f(f.r.x, v.n);
  f.out = Halide::Func(name + "_dense");
  f.out(v.c, v.n) = activate(f.acc(v.c, v.n), n.get_str("act", "none"), math);
  return f;
}

}  // namespace codegen
