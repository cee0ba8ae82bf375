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

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct ChannelTile {
  int vector, tile;  // tile is a multiple of vector (or all channels, where padded), both at most the channel count
};

ChannelTile channel_tile(const ScheduleParams& s, int tile, int64_t channels) {
  ChannelTile t;
  t.vector = fit(s.vector_width, channels);
  t.tile = std::max(t.vector, fit(tile, channels) / t.vector * t.vector);
  return t;
}

// The loop of parallel tasks in every schedule that has one, and the serial loop over the
// rows of one task when a task has several.
const Var kTask("task"), kTaskRow("yi");

// Rows, parallel_rows per task, each task looping over the batch: every sample's same rows stay
// on one core from kernel to kernel. (Fused rows x batch tasks made y = task % rows, which kept
// the zero-padding checks of the top and bottom rows in every load of a padded conv: Halide
// partitions border and interior rows only when y is a loop variable.)
// `task_rows`, where defined, is the rows per task instead of parallel_rows.
void parallel_rows(Func f, const ScheduleParams& s, int64_t rows, const Halide::Expr& task_rows = Halide::Expr()) {
  const codegen::Vars& v = codegen::vars();
  Halide::Expr factor = task_rows.defined() ? task_rows : Halide::Expr(fit(s.parallel_rows, rows));
  f.split(v.y, kTask, kTaskRow, factor).reorder(kTaskRow, v.n, kTask).parallel(kTask);
}

// A vector f(c, n) or [C,1,1] value: vectorized over c. A reduction (a pixel sum's rows added
// up, SE FCs whose vectors have a tail) runs as parallel tasks of whole channel chunks, eight or
// more per sample where the vectors divide evenly (at batch 1 a task per sample left the second
// thread idle through every SE), else one task per sample.
void schedule_vector_stage(Func f, const std::vector<Halide::RVar>& r, int64_t channels, const ScheduleParams& s) {
  const codegen::Vars& v = codegen::vars();
  Var co("co"), cv("cv"), ct("ct");
  int w = fit(s.vector_width, channels);
  f.compute_root().vectorize(v.c, w);
  if (r.empty()) return;
  int64_t vectors = channels % w ? 1 : channels / w, per_task = 1;
  for (int64_t d = 1; d <= vectors / 8; d++)
    if (vectors % d == 0) per_task = d;
  std::vector<VarOrRVar> order = {cv, co};
  for (const auto& rv : r) order.push_back(rv);
  TailStrategy tail = channels % w ? TailStrategy::GuardWithIf : TailStrategy::Auto;
  Halide::Stage update = f.update();
  if (vectors >= 2) {
    order.push_back(ct);
    order.push_back(v.n);
    update.split(v.c, ct, v.c, int(per_task) * w)
        .split(v.c, co, cv, w)
        .reorder(order)
        .fuse(ct, v.n, kTask)
        .parallel(kTask);
  } else {
    order.push_back(v.n);
    update.split(v.c, co, cv, w, tail).reorder(order).parallel(v.n);
  }
  update.vectorize(cv);
}

// The classifier acc(c, n) = bias + sum over the inputs r of weight(r, c) * in(r, n): the
// reduction is cut into kDenseTasks runs of consecutive inputs (rfactor), each a parallel task
// that adds its run into partial sums of every channel, and the partial sums are then added to
// the bias. With io weights a task streams one contiguous block (a run's rows), and all samples
// use each weight row in turn (a lane tail, codegen/aot/lane_tail.h, reads the 5-10 MB once for
// its samples). Tasks of channel chunks had a tail of 1000 % 16 channels, so the classifier ran
// as one task, on one thread at batch 1 while the other waited (b0: 5.9 % of the second thread's
// samples). Intel Xeon, AVX-512, alternating runs: b0 0.972x the time at batch 1 on 2 threads,
// 0.986x on 1, b4 0.991x; batch 8 unchanged.
constexpr int kDenseTasks = 8;

void schedule_dense(Func acc, const Halide::RDom& r, int64_t channels, const ScheduleParams& s) {
  const codegen::Vars& v = codegen::vars();
  const int64_t* inputs = Halide::Internal::as_const_int(r.x.extent());
  if (!inputs) throw ir::InternalError("dense " + acc.name() + ": inputs not a constant");
  Var u("u"), co("co"), cv("cv");
  Halide::RVar ro("ro"), ri("ri");
  int w = fit(s.vector_width, channels);
  TailStrategy tail = channels % w ? TailStrategy::GuardWithIf : TailStrategy::Auto;
  int run = int(ceil_div(*inputs, kDenseTasks));
  Func partial = acc.update().split(r.x, ro, ri, run).rfactor(ro, u);
  partial.compute_root().vectorize(v.c, w);
  partial.update().split(v.c, co, cv, w, tail).reorder(cv, co, v.n, ri, u).vectorize(cv).parallel(u);
  acc.compute_root().vectorize(v.c, w);
  acc.update().split(v.c, co, cv, w, tail).vectorize(cv);
}

// A reduction acc(c, n) read only by the pure vector stage out(c, n) (SE: fc1 by its swish,
// fc2 by its sigmoid): out as parallel tasks of channel chunks, acc computed per task with its
// chunk's vectors unrolled, one register accumulator each. As a root stage of its own, each
// step of acc's reduction went through memory: b0's 1152 -> 48 fc1 ran one 1152-step chain of
// store-to-load forwarding per task (about 12 cycles per vector FMA). Chunks of at most 8
// vectors (accumulators in registers also on AVX2's 16), two or more tasks where there are 8
// vectors or more.
void schedule_vector_reduction(Func acc, const std::vector<Halide::RVar>& r, Func out, int64_t channels,
                               const ScheduleParams& s) {
  const codegen::Vars& v = codegen::vars();
  int w = fit(s.vector_width, channels);
  if (channels % w) {
    schedule_vector_stage(acc, r, channels, s);
    schedule_vector_stage(out, {}, channels, s);
    return;
  }
  Var co("co"), cv("cv"), ct("ct");
  int64_t vectors = channels / w, per_task = 1;
  for (int64_t d = 1; d <= std::min<int64_t>(8, vectors >= 8 ? vectors / 2 : vectors); d++)
    if (vectors % d == 0) per_task = d;
  out.compute_root()
      .split(v.c, ct, v.c, int(per_task) * w)
      .split(v.c, co, cv, w)
      .reorder(cv, co, ct, v.n)
      .fuse(ct, v.n, kTask)
      .parallel(kTask)
      .vectorize(cv);
  acc.compute_at(out, kTask).split(v.c, co, cv, w).vectorize(cv).unroll(co);
  std::vector<VarOrRVar> order = {cv, co};
  for (const auto& rv : r) order.push_back(rv);
  order.push_back(v.n);
  acc.update().split(v.c, co, cv, w).reorder(order).vectorize(cv).unroll(co);
}

std::vector<Halide::RVar> rvars(const Halide::RDom& r) {
  std::vector<Halide::RVar> v;
  if (r.defined())
    for (int i = 0; i < r.dimensions(); i++) v.push_back(r[i]);
  return v;
}

// A pixel sum acc(c, n) over r = (x, y) (global pool, the squeeze of SE): per row, the sums
// of all channels, accumulated pixel by pixel in memory order, with the rows as parallel
// tasks; then the rows' sums added up (rfactor over y). Channel chunks as tasks, each
// sweeping every pixel, had read a few 64-byte lines out of each pixel's run: b7's
// 288x150x150 squeezes took 4 % of the network.
void schedule_pixel_sum(Func acc, const Halide::RDom& r, int64_t channels, const ScheduleParams& s) {
  const codegen::Vars& v = codegen::vars();
  Var yv("yv"), co("co"), cv("cv");
  int w = fit(s.vector_width, channels);
  TailStrategy tail = channels % w ? TailStrategy::GuardWithIf : TailStrategy::Auto;
  Func rows = acc.update().rfactor(r.y, yv);
  rows.compute_root().vectorize(v.c, w, tail);
  rows.update().split(v.c, co, cv, w, tail).reorder(cv, co, r.x, v.n, yv).vectorize(cv).parallel(yv);
  schedule_vector_stage(acc, {r.y}, channels, s);
}

void schedule_elementwise(codegen::OpFuncs f, const ir::Dims& shape, const ScheduleParams& s) {
  const codegen::Vars& v = codegen::vars();
  int w = fit(s.vector_width, shape[0]);
  f.out.compute_root().vectorize(v.c, w);
  if (shape.size() == 3) parallel_rows(f.out, s, shape[1]);
}

// Conv with an accumulator: a register tile of tile_channels x tile_pixels accumulators
// per (row, x block, channel block), reduction loop outside the unrolled tile. Stored whole
// (compute_root, parallel tasks of its own) unless `strip_consumer` is given.
void schedule_tiled_conv(codegen::OpFuncs f, const ir::Dims& shape, const ScheduleParams& s, bool lane_tail,
                         const Func* strip_consumer = nullptr, int strip_fold_rows = 0) {
  const codegen::Vars& v = codegen::vars();
  Var co("co"), ci("ci"), xo("xo"), xi("xi"), cv("cv");
  ChannelTile t = channel_tile(s, s.tile_channels, shape[0]);
  int tx = fit(s.tile_pixels, shape[2]);
  // Channels the vector width does not divide, in one tile of whole vectors (pads_channels): the
  // accumulators' last vector is rounded up past the channels, onto the weights' zero padding, and
  // `out` stores all channels in vectors shifted inwards (24 as 0-15 and 8-23). In 8-lane vectors
  // instead, an AVX-512 core issued 3 FMAs per input channel and pixel for 24 channels, 5 for 40.
  // Weights laid out otherwise (a graph blocked before its schedule changed) keep the clamped tile.
  const bool padded = f.padded_channels && pads_channels(s, shape[0]);
  if (padded) t.tile = int(shape[0]);
  const TailStrategy c_tail = padded ? TailStrategy::RoundUp : TailStrategy::Auto;
  if (strip_consumer) {  // a row at a time inside the consumer's task, sliding down its rows
    // A ring of strip_fold_rows rows. Left to Halide, a stride-1 strip kept its band's rows whole
    // and a stride-2 one was folded by the band's power of two (b7's 300²x192: 512 rows, 118 MB
    // per task), so the expanded rows went to memory after all. With the ring, b7 and b5 took
    // 0.97x the time at batch 1 on 2 threads (Intel Xeon, docs/codegen.md "Strip fusion").
    f.out.store_at(*strip_consumer, v.n).compute_at(*strip_consumer, kTaskRow).fold_storage(v.y, strip_fold_rows);
  } else {
    f.out.compute_root();
  }
  // A row's last block of pixels, where tx does not divide the row: guarded, so that it computes
  // only its own pixels; shifted inwards (Halide's default) it recomputed tx - width % tx of them
  // (b0's 7-pixel rows in 4-pixel blocks: 8 for 7). AVX2 on the Zen 1, alternating rounds: b0
  // 0.97x the time (batch 1 on 1 thread, batch 8 on 2), b2, b3 and b7 0.985x, b1 and b4 (few
  // such rows) 1.00x. Not in strips (b3 1.02x: the block loop runs per row of each band; 0.995x
  // with the tiles on the stack); docs/codegen.md, "Row tails of register tiles".
  const TailStrategy x_tail = !strip_consumer && shape[2] % tx ? TailStrategy::GuardWithIf : TailStrategy::Auto;
  // An odd number of channel tiles under channel-tile tasks: a task per (half of the rows, channel
  // tile, sample), a tile's halves in consecutive tasks. As whole tiles, 2 threads at batch 1 split
  // 15 tiles 8 and 7, and one waited for a tile at the end of every such conv (with the classifier
  // change before it, b0 0.984x the time at batch 1 on 2 threads, b2 0.97x for both; Intel Xeon,
  // AVX-512). Not where the task scales its tile's weights by SE first (each half would scale them
  // again).
  const bool half_rows = !strip_consumer && s.channel_outer && !lane_tail && !f.scaled_weight.defined() &&
                         ceil_div(shape[0], t.tile) % 2 && shape[1] >= 2;
  Var row = half_rows ? kTaskRow : v.y;  // the loop over one task's rows
  f.out.split(v.c, co, ci, t.tile).split(v.x, xo, xi, tx, x_tail);
  if (strip_consumer) {
    f.out.reorder(ci, xi, co, xo, v.y, v.n);
  } else if (s.channel_outer && lane_tail) {
    // A tile's samples in consecutive tasks: its weights stay in L1/L2 for all of them. (In every
    // kernel, at batch 1 too, this order made b4 1.017x slower: the task index splits by the
    // run-time batch.)
    f.out.reorder(ci, xi, xo, v.y, v.n, co).fuse(v.n, co, kTask).parallel(kTask);
  } else if (half_rows) {
    Var yo("yo"), yc("yc");
    f.out.split(v.y, yo, row, int(ceil_div(shape[1], 2)), shape[1] % 2 ? TailStrategy::GuardWithIf : TailStrategy::Auto)
        .reorder(ci, xi, xo, row, yo, co, v.n)
        .fuse(yo, co, yc)
        .fuse(yc, v.n, kTask)
        .parallel(kTask);
  } else if (s.channel_outer) {  // one task per (channel tile, sample), its weight tile reused over all rows
    f.out.reorder(ci, xi, xo, v.y, co, v.n).fuse(co, v.n, kTask).parallel(kTask);
  } else {
    f.out.reorder(ci, xi, co, xo, v.y, v.n);
    parallel_rows(f.out, s, shape[1]);
  }
  f.out.vectorize(ci, t.vector).unroll(xi);
  if (f.kind == OpKind::Conv && !strip_consumer) {
    // A k x k conv (the stem) reads its input rows from a padded copy made per output row:
    // read through the zero-padding boundary condition, each of the tile's loads was a masked
    // scalar load, and the stem took 18 % longer (b0, 1 thread). x innermost, so the copy is
    // vector loads from the NCHW image. A wrapper (`in`), so an unpadded input that another
    // node also reads is copied, never moved into this conv's loop.
    f.input.in(f.acc)
        .compute_at(f.out, s.channel_outer ? row : kTaskRow)
        .reorder_storage(v.x, v.c, v.y, v.n)
        .vectorize(v.x, s.vector_width, TailStrategy::GuardWithIf);
  }
  if (f.scaled_input.defined()) {
    // The input times the sample's scale (fewer pixels than output channels): once per sample,
    // read by every channel tile.
    f.scaled_input.compute_root().vectorize(v.c, t.vector, TailStrategy::GuardWithIf).parallel(v.y);
  }
  if (f.scaled_weight.defined()) {
    // The weights scaled for a sample: per channel-tile task just the tile it reads; for row
    // tasks once per run (per row they were rescaled whole: 14 x 75K products and 300 KB of
    // stores per 14x14 image for b0's 672->112 projection), in tasks of 32 input channels (per
    // sample alone, a batch of 1 scaled them on one thread while the others waited). Stored in
    // the weight blob's blocks of output channels (lower_conv2d), so a tile reads one input
    // channel's weights right after the last one's; over all output channels a 3-vector tile's 96
    // bytes took two cache lines per input channel: b3 0.97x the time at batch 1 and 8, b7
    // 0.89-0.94x at batch 1 and 0.96x at batch 8, b0 (2-vector tiles there) 1.00-1.01x (AVX2 on
    // the Zen 3, alternating runs; docs/codegen.md).
    if (s.channel_outer) {
      f.scaled_weight.compute_at(f.out, kTask);
    } else {
      Var i = f.scaled_weight.args()[1], b = f.scaled_weight.args()[2], io("io"), ii("ii");
      f.scaled_weight.compute_root()
          .split(i, io, ii, 32, TailStrategy::GuardWithIf)
          .reorder(v.c, ii, b, io, v.n)
          .fuse(io, v.n, kTask)
          .parallel(kTask);
    }
    f.scaled_weight.vectorize(v.c, t.vector, TailStrategy::GuardWithIf);
  }
  // the register tile: accumulators of one channel tile x one block of pixels. On the stack: a
  // guarded row tail gives it a run-time extent, and Halide 14 puts a Func of run-time size over
  // 32 floats on the heap, one halide_malloc per such tile, its accumulators in memory (see
  // schedule_depthwise).
  f.acc.compute_at(f.out, s.channel_outer ? xo : co)
      .store_in(Halide::MemoryType::Stack)
      .split(v.c, v.c, cv, t.vector, c_tail)
      .vectorize(cv)
      .unroll(v.c)
      .unroll(v.x);
  std::vector<VarOrRVar> order = {cv, v.c, v.x};
  for (int i = 0; i < f.r.dimensions(); i++) order.push_back(f.r[i]);
  order.push_back(v.y);
  order.push_back(v.n);
  f.acc.update().split(v.c, v.c, cv, t.vector, c_tail).reorder(order).vectorize(cv).unroll(v.c).unroll(v.x);
}

void schedule_depthwise(codegen::OpFuncs f, const ir::Dims& shape, const ScheduleParams& s,
                        const Halide::Expr& task_rows) {
  const codegen::Vars& v = codegen::vars();
  Var co("co"), ci("ci"), xo("xo"), xi("xi");
  int u = fit(s.dw_unroll, shape[2]);
  ChannelTile t = channel_tile(s, s.tile_channels, shape[0]);
  // A row's last step guarded, as a conv's last block of pixels (schedule_tiled_conv): b2 0.98x
  // the time at batch 1, b3 0.977x, b0 and b1 0.99x, batch 8 and b5 1.00x (AVX2 on the Zen 1,
  // alternating rounds). While a step's accumulators could be a heap buffer (the note on f.acc
  // below), the guard had made b2 1.04x slower.
  const TailStrategy x_tail = shape[2] % u ? TailStrategy::GuardWithIf : TailStrategy::Auto;
  f.out.compute_root();
  if (s.channel_outer) {  // one task per (channel tile, sample): few rows split unevenly over threads
    Var ct("ct");
    f.out.split(v.c, ct, v.c, t.tile)
        .split(v.c, co, ci, t.vector)
        .split(v.x, xo, xi, u, x_tail)
        .reorder(ci, xi, co, xo, v.y, ct, v.n)
        .fuse(ct, v.n, kTask)
        .parallel(kTask);
  } else {
    f.out.split(v.c, co, ci, t.vector).split(v.x, xo, xi, u, x_tail).reorder(ci, xi, co, xo, v.y, v.n);
    parallel_rows(f.out, s, shape[1], task_rows);
  }
  f.out.vectorize(ci).unroll(xi);
  // The accumulators of one channel vector x u pixels, in registers. On the stack: with channel
  // tiles shifted inwards Halide 14 leaves their channel extent as max(a, a) - min(a, a) + 8, and a
  // guarded last step has a run-time pixel extent; Halide put such run-time sizes over 32 floats
  // on the heap, a halide_malloc per step (b3 ~28,000 a sample, b5 ~150,000). On the stack instead,
  // b3 took 0.92x the time at batch 1 on 2 threads of the Zen 1.
  f.acc.compute_at(f.out, co).store_in(Halide::MemoryType::Stack).vectorize(v.c).unroll(v.x);
  Halide::Stage update = f.acc.update();
  update.vectorize(v.c).unroll(v.x);
  const Halide::RVar kx = f.r.x, ky = f.r.y;
  if (s.dw_taps_outer) {
    // Tap rows as a loop, each row's taps unrolled outside the pixels: a weight is loaded once
    // for all u pixels, and only the u accumulators stay live (5x5: 25 weights held across an
    // unrolled step spilled registers).
    update.reorder(v.c, v.x, kx, ky).unroll(kx);
  } else {
    // Every tap of one pixel in turn, all unrolled.
    update.reorder(v.c, kx, ky, v.x).unroll(kx).unroll(ky);
  }
}

}  // namespace

void schedule_conv_in_consumer_strips(const codegen::OpFuncs& f, const ir::Dims& shape, const ScheduleParams& s,
                                      const Halide::Func& consumer, int consumer_kernel) {
  if (f.kind != OpKind::ConvPointwise && f.kind != OpKind::Conv)
    throw ir::InternalError("strip fusion of a non-conv Func " + f.out.name());
  int fold = 1;  // a power of two (the ring index is then a mask) holding the rows one consumer row reads
  while (fold < consumer_kernel) fold *= 2;
  schedule_tiled_conv(f, shape, s, false, &consumer, fold);
}

void schedule_node(const codegen::OpFuncs& f, const ir::Dims& shape, const ScheduleParams& s, bool root,
                   const Halide::Expr& task_rows, bool lane_tail) {
  switch (f.kind) {
    case OpKind::Elementwise:
      if (root) schedule_elementwise(f, shape, s);
      return;
    case OpKind::ConvPointwise:
    case OpKind::Conv:
      schedule_tiled_conv(f, shape, s, lane_tail);
      return;
    case OpKind::ConvDepthwise:
      schedule_depthwise(f, shape, s, task_rows);
      return;
    case OpKind::Pool:
      schedule_pixel_sum(f.acc, f.r, shape[0], s);
      schedule_elementwise(f, shape, s);
      return;
    case OpKind::Dense:
      schedule_dense(f.acc, f.r, shape[0], s);
      schedule_elementwise(f, shape, s);
      return;
    case OpKind::SqueezeExcite:
      // inner: the pixel sum, fc1 -> hidden (its swish), fc2 -> scale (its sigmoid)
      schedule_pixel_sum(f.inner[0], f.inner_r[0], f.inner_extent[0], s);
      schedule_vector_reduction(f.inner[1], rvars(f.inner_r[1]), f.inner[2], f.inner_extent[1], s);
      schedule_vector_reduction(f.inner[3], rvars(f.inner_r[3]), f.inner[4], f.inner_extent[3], s);
      if (root) schedule_elementwise(f, shape, s);
      return;
  }
}

}  // namespace schedules::x86
