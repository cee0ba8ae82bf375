#include "schedules/x86/schedule_x86.h"

#include <algorithm>

#include "ir/diagnostics.h"

namespace schedules::x86 {
namespace {

using codegen::OpKind;
using Halide::Func;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

// A split factor no larger than the loop it splits (Halide shifts a tail inwards only when
// the extent is at least the factor).
int fit(int factor, int64_t extent) { return int(std::max<int64_t>(1, std::min<int64_t>(factor, extent))); }

struct ChannelTile {
  int vector, tile;  // tile is a multiple of vector, both at most the channel count
};

ChannelTile channel_tile(const ScheduleParams& s, int tile, int64_t channels) {
  ChannelTile t;
  t.vector = fit(s.vector_width, channels);
  t.tile = std::max(t.vector, fit(tile, channels) / t.vector * t.vector);
  return t;
}

// Rows (split by parallel_rows) fused with the batch, one parallel task each.
void parallel_rows(Func f, const ScheduleParams& s, int64_t rows) {
  const codegen::Vars& v = codegen::vars();
  Var yo("yo"), yi("yi"), task("task");
  int per_task = fit(s.parallel_rows, rows);
  if (per_task == 1) {
    f.fuse(v.y, v.n, task).parallel(task);
  } else {
    f.split(v.y, yo, yi, per_task).fuse(yo, v.n, task).parallel(task);
  }
}

// A vector f(c, n) or [C,1,1] value: vectorized over c.
void schedule_vector_stage(Func f, Halide::RDom r, int64_t channels, const ScheduleParams& s) {
  const codegen::Vars& v = codegen::vars();
  Var co("co"), cv("cv");
  int w = fit(s.vector_width, channels);
  f.compute_root().vectorize(v.c, w);
  if (!r.defined()) return;
  std::vector<VarOrRVar> order = {cv, co};
  for (int i = 0; i < r.dimensions(); i++) order.push_back(r[i]);
  order.push_back(v.n);
  TailStrategy tail = channels % w ? TailStrategy::GuardWithIf : TailStrategy::Auto;
  f.update().split(v.c, co, cv, w, tail).reorder(order).vectorize(cv).parallel(v.n);
}

void schedule_elementwise(codegen::OpFuncs f, const ir::Dims& shape, const ScheduleParams& s) {
  const codegen::Vars& v = codegen::vars();
  int w = fit(s.vector_width, shape[0]);
  f.out.compute_root().vectorize(v.c, w);
  if (shape.size() == 3) parallel_rows(f.out, s, shape[1]);
}

// Conv with an accumulator: a register tile of tile_channels x tile_pixels accumulators
// per (row, x block, channel block), reduction loop outside the unrolled tile.
void schedule_tiled_conv(codegen::OpFuncs f, const ir::Dims& shape, const ScheduleParams& s) {
  const codegen::Vars& v = codegen::vars();
  Var co("co"), ci("ci"), xo("xo"), xi("xi"), cv("cv");
  ChannelTile t = channel_tile(s, s.tile_channels, shape[0]);
  int tx = fit(s.tile_pixels, shape[2]);
  f.out.compute_root()
      .split(v.c, co, ci, t.tile)
      .split(v.x, xo, xi, tx)
      .reorder(ci, xi, co, xo, v.y, v.n)
      .vectorize(ci, t.vector)
      .unroll(xi);
  parallel_rows(f.out, s, shape[1]);
  f.acc.compute_at(f.out, co).split(v.c, v.c, cv, t.vector).vectorize(cv).unroll(v.c).unroll(v.x);
  std::vector<VarOrRVar> order = {cv, v.c, v.x};
  for (int i = 0; i < f.r.dimensions(); i++) order.push_back(f.r[i]);
  order.push_back(v.y);
  order.push_back(v.n);
  f.acc.update().split(v.c, v.c, cv, t.vector).reorder(order).vectorize(cv).unroll(v.c).unroll(v.x);
}

void schedule_depthwise(codegen::OpFuncs f, const ir::Dims& shape, const ScheduleParams& s) {
  const codegen::Vars& v = codegen::vars();
  Var co("co"), ci("ci"), xo("xo"), xi("xi");
  int w = fit(s.vector_width, shape[0]), u = fit(s.dw_unroll, shape[2]);
  f.out.compute_root()
      .split(v.c, co, ci, w)
      .split(v.x, xo, xi, u)
      .reorder(ci, xi, co, xo, v.y, v.n)
      .vectorize(ci)
      .unroll(xi);
  parallel_rows(f.out, s, shape[1]);
}

}  // namespace

void schedule_node(const codegen::OpFuncs& f, const ir::Dims& shape, const ScheduleParams& s, bool root) {
  if (s.expand_rows != 0)
    throw ir::UserError("schedule knob expand_rows=" + std::to_string(s.expand_rows) +
                        ": strip fusion is not implemented by the x86 schedules yet (use 0)");
  switch (f.kind) {
    case OpKind::Elementwise:
      if (root) schedule_elementwise(f, shape, s);
      return;
    case OpKind::ConvPointwise:
    case OpKind::Conv:
      schedule_tiled_conv(f, shape, s);
      return;
    case OpKind::ConvDepthwise:
      schedule_depthwise(f, shape, s);
      return;
    case OpKind::Pool:
      schedule_vector_stage(f.acc, f.r, shape[0], s);
      schedule_elementwise(f, shape, s);
      return;
    case OpKind::Dense:
      schedule_vector_stage(f.acc, f.r, shape[0], s);
      schedule_elementwise(f, shape, s);
      return;
    case OpKind::SqueezeExcite:
      for (size_t i = 0; i < f.inner.size(); i++) schedule_vector_stage(f.inner[i], f.inner_r[i], f.inner_extent[i], s);
      if (root) schedule_elementwise(f, shape, s);
      return;
  }
}

}  // namespace schedules::x86
