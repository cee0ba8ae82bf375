#include "schedules/cuda/schedule_cuda.h"

#include <algorithm>

#include "ir/diagnostics.h"

namespace schedules::cuda {
namespace {

using codegen::OpKind;
using Halide::Func;
using Halide::RDom;
using Halide::RVar;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

// Threads per block aimed for: 256 = 8 warps, inside the 128-256 range the CUDA C++ Best Practices
// Guide ("Thread and Block Heuristics") recommends as a start. Not yet measured on a GPU here.
constexpr int kBlockThreads = 256;
// Shared memory a block may use without the opt-in attribute (CUDA Programming Guide, compute
// capability 8.x/9.x: 48 KiB static per block). The staged 1x1-conv input must fit in it.
constexpr int64_t kStaticSharedBytes = 48 << 10;

// A split factor no larger than the loop it splits: every split here shifts its tail inwards,
// which needs extent >= factor (recomputing a few values instead of guarding them).
int fit(int64_t factor, int64_t extent) { return int(std::max<int64_t>(1, std::min(factor, extent))); }

// Contiguous channels per thread: the largest power of two <= vector_width dividing `channels`.
int channel_vector(const ScheduleParams& s, int64_t channels) {
  int v = 1;
  while (v * 2 <= s.vector_width && channels % (v * 2) == 0) v *= 2;
  return v;
}

// The largest divisor of n that is at most `cap`.
int divisor_at_most(int64_t n, int64_t cap) {
  for (int64_t d = std::min(n, cap); d > 1; d--)
    if (n % d == 0) return int(d);
  return 1;
}

// The constant extent of a reduction dimension (every RDom in codegen/ops has one).
int64_t constant_extent(const RVar& r) {
  const auto* e = r.extent().as<Halide::Internal::IntImm>();
  if (!e) throw ir::InternalError("reduction " + r.name() + " has no constant extent");
  return e->value;
}

// Warp width: threads per warp from the target facts.
int facts_lanes() { return target_facts("cuda").vector_lanes; }

// A thread block over a [C,H,W] value: threads_c x threads_x x threads_y threads, each thread
// computing `vector` contiguous channels x `pixels` consecutive pixels of one row.
struct BlockTile {
  int vector, pixels, threads_c, threads_x, threads_y;
};

BlockTile block_tile(const ScheduleParams& s, const ir::Dims& shape, int pixels_per_thread) {
  const int64_t channels = shape[0], height = shape[1], width = shape[2];
  BlockTile t;
  t.vector = channel_vector(s, channels);
  t.threads_c = fit(s.tile_channels / t.vector, channels / t.vector);
  t.pixels = fit(pixels_per_thread, width);
  t.threads_y = fit(s.parallel_rows, height);
  t.threads_x = fit(kBlockThreads / (t.threads_c * t.threads_y), width / t.pixels);
  return t;
}

// The innermost block and thread loops of a Func scheduled by tile_value: per-block producers
// (shared memory) are computed at `block`, per-thread ones (registers) at `thread`.
struct Levels {
  Var block, thread;
};

// The pure definition of a [C,H,W] Func f(c, x, y, n) as one kernel: rows fused with the batch,
// blocks over (channel tiles, pixel tiles, rows), threads inside.
Levels tile_value(Func f, const BlockTile& t) {
  const codegen::Vars& v = codegen::vars();
  Var yn("yn"), cq("cq"), cv("cv"), xq("xq"), xv("xv"), co("co"), xo("xo"), yo("yo"), ci("ci"), xi("xi"), yi("yi");
  const TailStrategy shift = TailStrategy::ShiftInwards;
  f.compute_root()
      .fuse(v.y, v.n, yn)
      .split(v.c, cq, cv, t.vector, shift)
      .split(v.x, xq, xv, t.pixels, shift)
      .reorder(cv, xv, cq, xq, yn)
      .gpu_tile(cq, xq, yn, co, xo, yo, ci, xi, yi, t.threads_c, t.threads_x, t.threads_y, shift);
  if (t.vector > 1) f.vectorize(cv);
  if (t.pixels > 1) f.unroll(xv);
  return {co, ci};
}

// A per-sample vector f(c, n): one thread per channel, blocks over channel tiles and samples.
// An update stage keeps its reduction loop inside the thread.
void tile_vector(Func f, const RDom& r, int64_t channels) {
  const codegen::Vars& v = codegen::vars();
  Var co("co"), no("no"), ci("ci"), ni("ni");
  int threads = fit(kBlockThreads, channels);
  const TailStrategy shift = TailStrategy::ShiftInwards;
  f.compute_root().gpu_tile(v.c, v.n, co, no, ci, ni, threads, 1, shift);
  if (!r.defined()) return;
  std::vector<VarOrRVar> order;
  for (int i = 0; i < r.dimensions(); i++) order.push_back(r[i]);
  order.push_back(v.c);
  order.push_back(v.n);
  // Updates cannot recompute (shift inwards) without changing the result: guard the tail.
  f.update().reorder(order).gpu_tile(v.c, v.n, co, no, ci, ni, threads, 1, TailStrategy::GuardWithIf);
}

void schedule_elementwise(codegen::OpFuncs f, const ir::Dims& shape, const ScheduleParams& s) {
  if (shape.size() == 1)
    tile_vector(f.out, RDom(), shape[0]);
  else
    tile_value(f.out, block_tile(s, shape, 1));
}

// sum(c, n) over the pixels r = (x, y) of a [C,H,W] value, as a block-level reduction: a block
// holds one warp of channels x `rows` threads; each thread sums the rows y = rows*k + u for its u
// (rfactor), the partial sums sit in shared memory, and one thread per channel adds them up.
void schedule_channel_sum(Func sum, const RDom& r, int64_t channels) {
  const codegen::Vars& v = codegen::vars();
  Var u("u"), co("co"), ci("ci");
  RVar ryo("ryo"), ryi("ryi");
  int threads_c = fit(facts_lanes(), channels);
  int rows = divisor_at_most(constant_extent(r.y), std::max(1, kBlockThreads / threads_c));
  const TailStrategy shift = TailStrategy::ShiftInwards;
  Func partial = sum.update().split(r.y, ryo, ryi, rows).rfactor(ryi, u);
  sum.compute_root().split(v.c, co, ci, threads_c, shift).gpu_blocks(co, v.n).gpu_threads(ci);
  sum.update()
      .split(v.c, co, ci, threads_c, TailStrategy::GuardWithIf)
      .reorder(ryi, ci, co, v.n)
      .gpu_blocks(co, v.n)
      .gpu_threads(ci);
  partial.compute_at(sum, co).gpu_threads(v.c, u);
  partial.update().reorder(r.x, ryo, v.c, u, v.n).gpu_threads(v.c, u);
}

// Tiles f.out as `t` and keeps each thread's accumulators (`vector` channels x `pixels` pixels)
// in registers over the whole reduction of f.acc.
Levels accumulate_per_thread(codegen::OpFuncs f, const BlockTile& t) {
  const codegen::Vars& v = codegen::vars();
  Levels at = tile_value(f.out, t);
  f.acc.compute_at(f.out, at.thread);
  std::vector<VarOrRVar> order = {v.c, v.x};
  for (int i = 0; i < f.r.dimensions(); i++) order.push_back(f.r[i]);
  order.push_back(v.y);
  order.push_back(v.n);
  f.acc.update().reorder(order);
  if (t.vector > 1) f.acc.vectorize(v.c), f.acc.update().vectorize(v.c);
  if (t.pixels > 1) f.acc.unroll(v.x), f.acc.update().unroll(v.x);
  return at;
}

// conv2d with an accumulator (1x1 and k x k, groups 1): each thread accumulates `vector`
// channels x tile_pixels pixels in registers over the whole reduction. For a 1x1 conv whose
// input tile (all input channels x the block's pixels) fits in static shared memory and is
// shared by several channel threads, the block first stages that tile, so each input value is
// read from global memory once per block instead of once per channel thread.
void schedule_accumulating_conv(codegen::OpFuncs f, const ir::Dims& shape, const ScheduleParams& s) {
  const codegen::Vars& v = codegen::vars();
  BlockTile t = block_tile(s, shape, s.tile_pixels);
  Levels at = accumulate_per_thread(f, t);
  if (f.scaled_weight.defined()) {
    // weight(o, i) * scale(i, n), the SE scale folded into the weights: a small kernel of its own.
    // Its dimensions (o % block, i, o / block, n): the blocks outermost, one kernel launch each.
    Var i = f.scaled_weight.args()[1], b = f.scaled_weight.args()[2];
    Var co("co"), io("io"), no("no"), ci("ci"), ii("ii"), ni("ni");
    f.scaled_weight.compute_root()
        .reorder(v.c, i, v.n, b)
        .gpu_tile(v.c, i, v.n, co, io, no, ci, ii, ni, fit(facts_lanes(), shape[0]), 8, 1, TailStrategy::GuardWithIf);
  }
  if (f.kind != OpKind::ConvPointwise || t.threads_c == 1) return;
  const int64_t in_channels = constant_extent(f.r.x);
  const int64_t block_pixels = int64_t(t.pixels) * t.threads_x * t.threads_y;
  if (in_channels * block_pixels * int64_t(sizeof(float)) > kStaticSharedBytes) return;
  Var sc("sc"), sx("sx");
  f.input.in(f.acc)
      .compute_at(f.out, at.block)
      .split(v.c, v.c, sc, t.threads_c, TailStrategy::GuardWithIf)
      .split(v.x, v.x, sx, t.threads_x, TailStrategy::GuardWithIf)
      .reorder(sc, sx, v.c, v.x, v.y, v.n)
      .gpu_threads(sc, sx);
}

// Depthwise conv: a thread's channels x dw_unroll pixels accumulate over the k x k taps, unrolled.
void schedule_depthwise(codegen::OpFuncs f, const ir::Dims& shape, const ScheduleParams& s) {
  accumulate_per_thread(f, block_tile(s, shape, s.dw_unroll));
  f.acc.update().unroll(f.r.x).unroll(f.r.y);
}

}  // namespace

void schedule_node(const codegen::OpFuncs& f, const ir::Dims& shape, const ScheduleParams& s, bool root) {
  if (s.expand_rows != 0)
    throw ir::UserError("schedule knob expand_rows=" + std::to_string(s.expand_rows) +
                        ": strip fusion is not implemented by the CUDA schedules (use 0)");
  switch (f.kind) {
    case OpKind::Elementwise:
      if (root) schedule_elementwise(f, shape, s);
      return;
    case OpKind::ConvPointwise:
    case OpKind::Conv:
      schedule_accumulating_conv(f, shape, s);
      return;
    case OpKind::ConvDepthwise:
      schedule_depthwise(f, shape, s);
      return;
    case OpKind::Pool:
      schedule_channel_sum(f.acc, f.r, shape[0]);
      schedule_elementwise(f, shape, s);
      return;
    case OpKind::Dense:
      tile_vector(f.acc, f.r, shape[0]);
      schedule_elementwise(f, shape, s);
      return;
    case OpKind::SqueezeExcite:
      // inner[0] is the pixel sum; fc1, hidden, fc2 and scale are vectors.
      schedule_channel_sum(f.inner[0], f.inner_r[0], f.inner_extent[0]);
      for (size_t i = 1; i < f.inner.size(); i++) tile_vector(f.inner[i], f.inner_r[i], f.inner_extent[i]);
      if (root) schedule_elementwise(f, shape, s);
      return;
  }
}

}  // namespace schedules::cuda
