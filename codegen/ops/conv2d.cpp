#include "codegen/ops/conv2d.h"

#include "codegen/ops/elementwise.h"

namespace codegen {

using Halide::Expr;
using Halide::Func;

OpFuncs lower_conv2d(const ir::Node& n, const std::vector<Value>& in, const Weights& w, Math math,
                     bool shared_weights) {
  const Vars& v = vars();
  const ir::Dims& xs = in[0].shape;
  const int ci = int(xs[0]), h = int(xs[1]), wd = int(xs[2]);
  const int co = int(n.get_int("out")), k = int(n.get_int("kernel")), s = int(n.get_int("stride"));
  const int groups = int(n.get_int("groups"));
  const int in_group = ci / groups, out_group = co / groups;
  const ir::Dims pad = n.get_dims("pad");
  const int pad_top = int(pad[0]), pad_left = int(pad[1]);
  const bool hwio = n.get_str("weight_layout", "oihw") == "hwio";
  const bool residual = n.get_int("residual", 0) != 0, in_scale = n.get_int("in_scale", 0) != 0;
  const std::string name = "n" + std::to_string(n.id);

  // weight(o, i, ky, kx), i counted within the group of output channel o; hwio output channels
  // are stored in blocks of `block` (ir/passes/block_weights.h), all of them in one by default
  const int block = hwio ? int(n.get_int("weight_block", co)) : co;
  auto weight = [&](Expr o, Expr i, Expr ky, Expr kx) {
    if (!hwio) return w.at(n, "weight", ((o * in_group + i) * k + ky) * k + kx);
    Expr tap = ky * k + kx;
    if (block == co) return w.at(n, "weight", (tap * in_group + i) * co + o);
    return w.at(n, "weight", ((o / block * k * k + tap) * in_group + i) * block + o % block);
  };
  Expr bias = w.has(n, "bias") ? w.at(n, "bias", v.c) : Expr(0.0f);
  // Weights zero-padded past co (one block wider than the channels): a schedule may compute the
  // accumulators of the padding lanes too (schedules::pads_channels), so the bias, which has co
  // values, is added to the accumulator in `out`, where only real channels are read.
  const bool padded_weights = hwio && co % block != 0;

  Func src = in[0].f;
  const bool pointwise = k == 1 && groups == 1;
  // A pointwise conv takes the per-sample scale into its weights (Cout x Cin products, each
  // channel tile's in its task); where weights are shared by the samples of a call and the image
  // has fewer pixels than output channels, into its input instead (Cin x H x W products: b0's
  // 7x7 projections to 192 and 320 channels, their weights then read straight from cache). With
  // weights from L3, scaling a tile also brings it in ahead of the FMAs: b4's 12x12 projections
  // took 1.02x the time with the input scaled.
  const bool scale_weights = in_scale && pointwise && !(shared_weights && int64_t(h) * wd < co);
  OpFuncs f;
  if (in_scale && !scale_weights) {
    src = Func(name + "_scaled_in");
    src(v.c, v.x, v.y, v.n) = in[0].f(v.c, v.x, v.y, v.n) * in.back().f(v.c, 0, 0, v.n);
    if (pointwise) f.scaled_input = src;
  }
  bool padded = false;
  for (auto p : pad) padded = padded || p != 0;
  Func input = padded ? Halide::BoundaryConditions::constant_exterior(src, 0.0f, {{0, ci}, {0, wd}, {0, h}}) : src;
  Expr ix = v.x * s - pad_left, iy = v.y * s - pad_top;

  f.acc = Func(name + "_acc");
  f.input = input;
  f.acc(v.c, v.x, v.y, v.n) = padded_weights ? Expr(0.0f) : bias;
  f.padded_channels = padded_weights;
  if (in_group == 1) {
    // depthwise: one channel's k x k taps, r = (kx, ky)
    f.kind = OpKind::ConvDepthwise;
    f.r = Halide::RDom({{0, k}, {0, k}}, name + "_r");
    Expr ic = out_group == 1 ? Expr(v.c) : v.c / out_group;
    f.acc(v.c, v.x, v.y, v.n) += weight(v.c, 0, f.r.y, f.r.x) * input(ic, ix + f.r.x, iy + f.r.y, v.n);
  } else {
    if (k == 1 && groups == 1) {
      f.kind = OpKind::ConvPointwise;
      f.r = Halide::RDom(0, ci, name + "_r");
      Expr wr = weight(v.c, f.r.x, 0, 0);
      if (scale_weights) {
        // conv(x * s) = conv'(x) with w'(o, i) = w(o, i) * s(i), stored in the weights' blocks of
        // output channels: w'(o % block, i, o / block). Unblocked weights are read at (o, i, 0):
        // through `o % co` Halide bounds a channel-tile task's scaled weights by all co channels
        // (b3's 1392 -> 232 projections on AVX-512 scaled all 232 per 48-channel task, 1.6x the time).
        Halide::Var i("i"), b("b");
        f.scaled_weight = Func(name + "_scaled_weight");
        f.scaled_weight(v.c, i, b, v.n) = weight(b * block + v.c, i, 0, 0) * in.back().f(i, 0, 0, v.n);
        wr = block == co ? f.scaled_weight(v.c, f.r.x, 0, v.n) : f.scaled_weight(v.c % block, f.r.x, v.c / block, v.n);
      }
      f.acc(v.c, v.x, v.y, v.n) += wr * input(f.r.x, ix, iy, v.n);
    } else {
      f.kind = OpKind::Conv;
      f.r = Halide::RDom({{0, in_group}, {0, k}, {0, k}}, name + "_r");
      Expr ic = groups == 1 ? Expr(f.r.x) : (v.c / out_group) * in_group + f.r.x;
      f.acc(v.c, v.x, v.y, v.n) += weight(v.c, f.r.x, f.r.y, f.r.z) * input(ic, ix + f.r.z, iy + f.r.y, v.n);
    }
  }
  Expr y = activate(padded_weights ? f.acc(v.c, v.x, v.y, v.n) + bias : f.acc(v.c, v.x, v.y, v.n),
                    n.get_str("act", "none"), math, n.get_real("act_scale", 1.0));
  if (residual) y += in[1].f(v.c, v.x, v.y, v.n);
  f.out = Func(name + "_conv2d");
  f.out(v.c, v.x, v.y, v.n) = y;
  return f;
}

}  // namespace codegen
