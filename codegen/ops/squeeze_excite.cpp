#include "codegen/ops/squeeze_excite.h"

#include "codegen/ops/elementwise.h"
#include "codegen/ops/global_avg_pool.h"

namespace codegen {

using Halide::Expr;
using Halide::Func;

OpFuncs lower_squeeze_excite(const ir::Node& n, const std::vector<Value>& in, const Weights& w, Math math) {
  const Vars& v = vars();
  const ir::Dims& xs = in[0].shape;
  const int channels = int(xs[0]), squeeze = int(n.get_int("squeeze"));
  const bool io = n.get_str("weight_layout", "oi") == "io";
  const std::string name = "n" + std::to_string(n.id);
  OpFuncs f;
  f.kind = OpKind::SqueezeExcite;

  Halide::RDom pool_r, fc1_r(0, channels, name + "_fc1_r"), fc2_r(0, squeeze, name + "_fc2_r");
  Func sum = channel_sum(in[0], name + "_sum", pool_r);
  float inv_pixels = 1.0f / float(xs[1] * xs[2]);

  Func fc1(name + "_fc1");
  fc1(v.c, v.n) = w.at(n, "fc1.bias", v.c);
  Expr w1 = w.at(n, "fc1.weight", io ? fc1_r.x * squeeze + v.c : v.c * channels + fc1_r.x);
  fc1(v.c, v.n) += w1 * (sum(fc1_r.x, v.n) * inv_pixels);

  Func hidden(name + "_hidden");
  hidden(v.c, v.n) = activate(fc1(v.c, v.n), "swish", math);

  Func fc2(name + "_fc2");
  fc2(v.c, v.n) = w.at(n, "fc2.bias", v.c);
  Expr w2 = w.at(n, "fc2.weight", io ? fc2_r.x * channels + v.c : v.c * squeeze + fc2_r.x);
  fc2(v.c, v.n) += w2 * hidden(fc2_r.x, v.n);

  Func scale(name + "_scale");
  scale(v.c, v.n) = activate(fc2(v.c, v.n), "sigmoid", math);

  f.inner = {sum, fc1, hidden, fc2, scale};
  f.inner_r = {pool_r, fc1_r, Halide::RDom(), fc2_r, Halide::RDom()};
  f.inner_extent = {channels, squeeze, squeeze, channels, channels};
  f.out = Func(name + "_se");
  if (n.get_str("mode", "multiply") == "scale")
    f.out(v.c, v.x, v.y, v.n) = scale(v.c, v.n);
  else
    f.out(v.c, v.x, v.y, v.n) = in[0].f(v.c, v.x, v.y, v.n) * scale(v.c, v.n);
  return f;
}

}  // namespace codegen
