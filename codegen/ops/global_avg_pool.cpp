#include "codegen/ops/global_avg_pool.h"

namespace codegen {

Halide::Func channel_sum(const Value& in, const std::string& name, Halide::RDom& r) {
  const Vars& v = vars();
  r = Halide::RDom({{0, int(in.shape[2])}, {0, int(in.shape[1])}}, name + "_r");
  Halide::Func sum(name);
  sum(v.c, v.n) = 0.0f;
  sum(v.c, v.n) += in.f(v.c, r.x, r.y, v.n);
  return sum;
}

OpFuncs lower_global_avg_pool(const ir::Node& n, const std::vector<Value>& in) {
  const Vars& v = vars();
  OpFuncs f;
  f.kind = OpKind::Pool;
  std::string name = "n" + std::to_string(n.id);
  f.acc = channel_sum(in[0], name + "_sum", f.r);
  f.out = Halide::Func(name + "_pool");
  f.out(v.c, v.x, v.y, v.n) = f.acc(v.c, v.n) * (1.0f / float(in[0].shape[1] * in[0].shape[2]));
  return f;
}

}  // namespace codegen
