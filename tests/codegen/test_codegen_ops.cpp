// Every codegen op (JIT, through lower_unit and the x86 schedules) against the oracle, on an
// aligned shape, an odd one (prime spatial size, channels not a multiple of 8) and one smaller
// than a tile, for each x86 ISA this CPU runs, reporting max-abs and normalised error.
#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "codegen/ops/conv2d.h"
#include "codegen/ops/dense.h"
#include "frontend/build_graph.h"
#include "frontend/random_weights.h"
#include "ir/ops.h"
#include "ir/passes/prescale_swish.h"
#include "ir/pipeline.h"
#include "oracle/executor.h"
#include "schedules/target_facts.h"
#include "schedules/x86/schedule_x86.h"
#include "tests/codegen/jit_runner.h"

namespace {

struct Shape {
  int c, h, w, c_out;
  const char* label;
};
const Shape kShapes[] = {{32, 16, 16, 64, "aligned"}, {20, 13, 13, 28, "odd"}, {3, 2, 2, 5, "small"}};

struct Builder {
  ir::Graph g;
  int x = -1;  // the value ops under test read

  // input [c,h,w]; with `nhwc_input` the op reads an NHWC value from a previous unit.
  Builder(const Shape& s, bool nhwc_input) {
    ir::Node& in = g.add("input", {});
    in.set("shape", ir::Dims{s.c, s.h, s.w});
    x = finish(in);
    if (nhwc_input) {
      ir::Node& pre = g.add("activation", {x});
      pre.set("kind", std::string("none"));
      pre.set("ref", std::string("pre"));
      x = finish(pre);
    }
  }
  int finish(ir::Node& n) {
    n.shape = ir::infer_shape(g, n);
    return n.id;
  }
  int conv(std::vector<int> inputs, int out, int k, int stride, ir::Dims pad, int groups, const std::string& layout,
           const std::string& act, bool bias = true, bool residual = false, bool in_scale = false, int block = 0) {
    int64_t in_c = g.node(inputs[0]).shape[0];
    ir::Node& n = g.add("conv2d", std::move(inputs));
    n.set("out", int64_t(out));
    n.set("kernel", int64_t(k));
    n.set("stride", int64_t(stride));
    n.set("pad", pad);
    n.set("groups", int64_t(groups));
    n.set("act", act);
    n.set("weight_layout", layout);
    if (residual) n.set("residual", int64_t(1));
    if (in_scale) n.set("in_scale", int64_t(1));
    std::string name = "conv" + std::to_string(n.id);
    ir::Dims ws = layout == "hwio" ? ir::Dims{k, k, in_c / groups, out} : ir::Dims{out, in_c / groups, k, k};
    if (block) {  // hwio in blocks of `block` output channels (ir/passes/block_weights.h)
      n.set("weight_block", int64_t(block));
      ws = {(out + block - 1) / block, k, k, in_c / groups, block};
    }
    n.params.push_back({"weight", name + ".weight", ws});
    if (bias) n.params.push_back({"bias", name + ".bias", {out}});
    return finish(n);
  }
  int op(const std::string& op, std::vector<int> inputs) {
    ir::Node& n = g.add(op, std::move(inputs));
    return finish(n);
  }
  int activation(int in, const std::string& kind) {
    ir::Node& n = g.add("activation", {in});
    n.set("kind", kind);
    return finish(n);
  }
  ir::Graph done(int out) {
    g.outputs = {out};
    ir::infer_shapes(g);
    return g;
  }
};

ir::Tensor random_input(const ir::Graph& g, int batch, uint64_t seed) {
  ir::Tensor t;
  t.shape = {batch};
  for (auto d : g.nodes.front().shape) t.shape.push_back(d);
  t.data.resize(size_t(ir::numel(t.shape)));
  uint64_t s = seed;
  for (float& v : t.data) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    v = float(int64_t(s >> 40) % 4001 - 2000) / 1000.0f;
  }
  return t;
}

// Compares codegen with the oracle on every ISA the CPU runs (the SSE2 baseline, slowest to
// JIT, on the odd shapes only, which exercise its tails); prints one line per ISA.
// `ref`: the oracle's output for `input`, from `g` or from a graph that computes the same.
void check(const ir::Graph& g, const ir::WeightMap& w, const ir::Tensor& input, const ir::Tensor& ref,
           const std::string& what, bool lane_tail = false) {
  for (const char* facts_name : {"x86-avx512", "x86-avx2", "x86-baseline"}) {
    const schedules::TargetFacts& facts = schedules::target_facts(facts_name);
    if (facts.isa == "baseline" && what.find(" odd ") == std::string::npos) continue;
    if (!codegen_test::host_supports(facts)) {
      std::printf("[SKIP] %-58s %-12s this CPU lacks it\n", what.c_str(), facts_name);
      continue;
    }
    ir::Tensor got = codegen_test::run_jit(g, w, input, facts, 1, lane_tail);
    codegen_test::Error e = codegen_test::compare(got, ref, 1e-4, 1e-4);
    std::printf("%-66s %-12s max-abs %.3g  normalised %.3g\n", what.c_str(), facts_name, e.max_abs,
                e.max_abs / std::max(e.max_ref, 1e-30));
    INFO(what << " on " << facts_name << ": max-abs " << e.max_abs);
    CHECK(e.within_tolerance);
  }
}

void check(const ir::Graph& g, const std::string& what, bool lane_tail = false) {
  ir::WeightMap w = frontend::random_weights(g, 7);
  ir::Tensor input = random_input(g, 2, 11);
  check(g, w, input, oracle::run_graph(g, w, input, 2).at(0), what, lane_tail);
}

std::string label(const std::string& op, const Shape& s) {
  return op + " " + s.label + " [" + std::to_string(s.c) + "," + std::to_string(s.h) + "," + std::to_string(s.w) + "]";
}

// b0 at 64x64 through the whole pass pipeline for the host's best x86 facts, with the oracle's
// output on the unfused graph: for tests that change schedule knobs and run it by JIT.
struct FusedB0 {
  ir::Graph g;
  ir::WeightMap w;
  ir::Tensor input, ref;
  const schedules::TargetFacts* facts;
};

FusedB0 fused_b0_64(uint64_t weight_seed, uint64_t input_seed) {
  frontend::Spec spec = *frontend::builtin_spec("b0");
  spec.resolution = 64;
  FusedB0 f;
  f.g = frontend::build_graph(spec);
  f.w = frontend::random_weights(f.g, weight_seed);
  f.input = random_input(f.g, 2, input_seed);
  f.ref = oracle::run_graph(f.g, f.w, f.input, 2).at(0);
  f.facts = &schedules::target_facts(codegen_test::host_supports(schedules::target_facts("x86-avx512")) ? "x86-avx512"
                                                                                                        : "x86-avx2");
  ir::PipelineOptions options;
  options.target = f.facts->name;
  ir::run_pipeline(f.g, &f.w, options);
  return f;
}

// The expand convs: a conv read only by a depthwise conv of its block.
bool feeds_depthwise(const ir::Graph& g, const ir::Node& n) {
  std::vector<int> consumers = g.consumers(n.id);
  const ir::Node* c = consumers.size() == 1 ? &g.node(consumers[0]) : nullptr;
  return n.op == "conv2d" && n.get_int("groups") == 1 && !n.has("ref") && c && c->op == "conv2d" &&
         c->get_int("groups") > 1;
}

}  // namespace

TEST_CASE("conv2d 1x1 oihw + bias + swish, from NHWC") {
  for (const Shape& s : kShapes) {
    Builder b(s, true);
    check(b.done(b.conv({b.x}, s.c_out, 1, 1, {0, 0, 0, 0}, 1, "oihw", "swish")), label("conv1x1 oihw", s));
  }
}

TEST_CASE("conv2d 1x1 hwio + residual + in_scale (SE folded into the projection)") {
  for (const Shape& s : kShapes) {
    Builder b(s, true);
    int scale = b.activation(b.op("global_avg_pool", {b.x}), "sigmoid");
    int y = b.conv({b.x, b.x, scale}, s.c, 1, 1, {0, 0, 0, 0}, 1, "hwio", "none", true, true, true);
    check(b.done(y), label("conv1x1 hwio residual in_scale", s));
  }
}

TEST_CASE("conv2d 1x1 in_scale on an image with fewer pixels than output channels") {
  // H*W < Cout (b0's 7x7 projections): the scaled weights outnumber the pixels; 20 channels
  // leave a vector tail. In a lane tail's kernel the input is scaled instead.
  const Shape shapes[] = {{32, 4, 4, 64, "aligned"}, {20, 3, 3, 28, "odd"}, {20, 4, 4, 20, "residual"}};
  for (const Shape& s : shapes) {
    Builder b(s, true);
    int scale = b.activation(b.op("global_avg_pool", {b.x}), "sigmoid");
    bool residual = s.c == s.c_out;
    std::vector<int> in = residual ? std::vector<int>{b.x, b.x, scale} : std::vector<int>{b.x, scale};
    int y = b.conv(in, s.c_out, 1, 1, {0, 0, 0, 0}, 1, "hwio", "none", true, residual, true);
    ir::Graph g = b.done(y);
    check(g, label(std::string("conv1x1 in_scale, few pixels") + (residual ? " residual" : ""), s));
    check(g, label(std::string("conv1x1 in_scale, few pixels, lane tail") + (residual ? " residual" : ""), s), true);
  }
}

TEST_CASE("conv2d 1x1 in_scale: the scale goes into the input only in a lane tail, over few pixels") {
  const codegen::Vars& v = codegen::vars();
  for (const Shape& s : {Shape{32, 4, 4, 64, "16 pixels"}, Shape{32, 8, 8, 64, "64 pixels"}}) {
    Builder b(s, true);
    int scale = b.activation(b.op("global_avg_pool", {b.x}), "sigmoid");
    int y = b.conv({b.x, scale}, s.c_out, 1, 1, {0, 0, 0, 0}, 1, "hwio", "none", true, false, true);
    ir::Graph g = b.done(y);
    codegen::Weights weights;
    int buffers = 0;
    for (const auto& p : g.node(y).params)
      weights.add(p.name, Halide::ImageParam(Halide::Float(32), 1, "w" + std::to_string(buffers++)));
    std::vector<codegen::Value> in = {{Halide::Func("x"), g.node(b.x).shape}, {Halide::Func("s"), g.node(scale).shape}};
    for (auto& value : in) value.f(v.c, v.x, v.y, v.n) = 1.0f;
    for (bool tail : {false, true}) {
      codegen::OpFuncs f = codegen::lower_conv2d(g.node(y), in, weights, codegen::Math::Portable, tail);
      bool scale_input = tail && s.h * s.w < s.c_out;
      INFO(s.label << ", lane tail " << tail);
      CHECK(f.scaled_input.defined() == scale_input);
      CHECK(f.scaled_weight.defined() == !scale_input);
    }
  }
}

TEST_CASE("conv2d 1x1 hwio in blocks of output channels, plain and with in_scale") {
  for (const Shape& s : kShapes) {
    if (s.c_out % 4) continue;
    for (int block : {s.c_out / 4, s.c_out / 2}) {
      Builder b(s, true);
      check(b.done(b.conv({b.x}, s.c_out, 1, 1, {0, 0, 0, 0}, 1, "hwio", "swish", true, false, false, block)),
            label("conv1x1 blocks of " + std::to_string(block), s));
      Builder c(s, true);
      int scale = c.activation(c.op("global_avg_pool", {c.x}), "sigmoid");
      check(c.done(c.conv({c.x, scale}, s.c_out, 1, 1, {0, 0, 0, 0}, 1, "hwio", "none", true, false, true, block)),
            label("conv1x1 in_scale blocks of " + std::to_string(block), s));
    }
  }
}

// One extent of `traced`'s realizations, summed (coordinates are min, extent per dimension:
// index 1 the channels', 3 the pixels' of a conv's register tile).
std::atomic<int64_t> g_traced_sum{0};
const char* g_traced = "";
int g_traced_coordinate = 3;
int sum_traced_extents(Halide::JITUserContext*, const halide_trace_event_t* e) {
  if (e->event == halide_trace_begin_realization && std::strcmp(e->func, g_traced) == 0)
    g_traced_sum += e->coordinates[g_traced_coordinate];
  return 0;
}

// `f`'s output of `channels` x 7 x 7 realized with `traced`'s realizations summed by
// sum_traced_extents over `coordinate`.
int64_t traced_extent_sum(const codegen::OpFuncs& f, Halide::Func traced, int coordinate, int channels) {
  traced.trace_realizations();
  const std::string name = traced.name();
  g_traced = name.c_str();
  g_traced_coordinate = coordinate;
  g_traced_sum = 0;
  Halide::Pipeline p(f.out);
  p.jit_handlers().custom_trace = sum_traced_extents;
  p.realize({channels, 7, 7, 1});
  return g_traced_sum;
}

// Weights of 0.5 for every parameter of `n` (`buffers` holds them).
codegen::Weights halves(const ir::Node& n, std::vector<Halide::Buffer<float>>& buffers) {
  codegen::Weights weights;
  for (const auto& p : n.params) {
    Halide::ImageParam param(Halide::Float(32), 1, "w" + std::to_string(buffers.size()));
    buffers.emplace_back(int(ir::numel(p.shape)));
    buffers.back().fill(0.5f);
    param.set(buffers.back());
    weights.add(p.name, param);
  }
  return weights;
}

// 8-lane vectors, blocks of 4 pixels and the given tile knobs.
schedules::ScheduleParams test_knobs(int tile_channels, int dw_unroll = 4, int channel_outer = 0) {
  schedules::ScheduleParams s;
  s.vector_width = 8;
  s.tile_channels = tile_channels;
  s.tile_pixels = 4;
  s.dw_unroll = dw_unroll;
  s.channel_outer = channel_outer;
  return s;
}

// The conv of graph output 0 lowered on weights of 0.5 and inputs of ones (`buffers` holds the
// weights), scheduled with `s`.
codegen::OpFuncs scheduled_conv(const ir::Graph& g, std::vector<Halide::Buffer<float>>& buffers,
                                const schedules::ScheduleParams& s) {
  const codegen::Vars& v = codegen::vars();
  const ir::Node& n = g.node(g.outputs[0]);
  std::vector<codegen::Value> in;
  for (int input : n.inputs) {
    in.push_back({Halide::Func("x" + std::to_string(input)), g.node(input).shape});
    in.back().f(v.c, v.x, v.y, v.n) = 1.0f;
  }
  codegen::OpFuncs f = codegen::lower_conv2d(n, in, halves(n, buffers), codegen::Math::Portable);
  schedules::x86::schedule_node(f, n.shape, s, true);
  return f;
}

// The same, scheduled with test_knobs.
codegen::OpFuncs scheduled_conv(const ir::Graph& g, std::vector<Halide::Buffer<float>>& buffers, int tile_channels,
                                int dw_unroll = 4, int channel_outer = 0) {
  return scheduled_conv(g, buffers, test_knobs(tile_channels, dw_unroll, channel_outer));
}

TEST_CASE("conv2d 1x1 and depthwise: a row's last block of pixels accumulates only its own pixels") {
  // 24 channels x 7x7 (1x1: one tile of 24; depthwise 3x3: three 8-channel vectors), blocks of 4
  // pixels: 4 + 3 a row, 49 pixels per tile in all (shifted inwards, the last block had
  // recomputed one pixel: 56); rows outer and channel tiles outer.
  Builder b(Shape{16, 7, 7, 24, "7x7"}, true);
  ir::Graph pointwise = b.done(b.conv({b.x}, 24, 1, 1, {0, 0, 0, 0}, 1, "hwio", "swish"));
  Builder b2(Shape{24, 7, 7, 24, "7x7"}, true);
  ir::Graph depthwise = b2.done(b2.conv({b2.x}, 24, 3, 1, {1, 1, 1, 1}, 24, "hwio", "swish"));
  for (const ir::Graph* g : {&pointwise, &depthwise}) {
    for (int channel_outer : {0, 1}) {
      std::vector<Halide::Buffer<float>> buffers;
      codegen::OpFuncs f = scheduled_conv(*g, buffers, g == &pointwise ? 24 : 8, 4, channel_outer);
      INFO((g == &pointwise ? "pointwise" : "depthwise") << ", channel_outer " << channel_outer);
      CHECK(traced_extent_sum(f, f.acc, 3, 24) == (g == &pointwise ? 49 : 3 * 49));
      Halide::Buffer<float> out = Halide::Pipeline(f.out).realize({24, 7, 7, 1});
      const float sum = g == &pointwise ? 16 * 0.5f + 0.5f : 9 * 0.5f + 0.5f;           // an inner pixel
      CHECK(out(23, 3, 3, 0) == Approx(sum * (1.0f - 1.0f / (1.0f + std::exp(sum)))));  // swish
    }
  }
}

TEST_CASE("conv2d 1x1 in_scale with channel-tile tasks: each task scales only its own tile's weights") {
  // 24 output channels in three 8-channel tasks, weights unblocked and in blocks of 8. Read
  // through `c % 24`, Halide bounded each task's scaled weights by all 24 channels (b3's 1392 ->
  // 232 projections on AVX-512: 1.07x the time at batch 1).
  for (int block : {0, 8}) {
    Builder b(Shape{96, 7, 7, 24, "7x7"}, true);
    int scale = b.activation(b.op("global_avg_pool", {b.x}), "sigmoid");
    ir::Graph g = b.done(b.conv({b.x, scale}, 24, 1, 1, {0, 0, 0, 0}, 1, "hwio", "none", true, false, true, block));
    std::vector<Halide::Buffer<float>> buffers;
    codegen::OpFuncs f = scheduled_conv(g, buffers, 8, 4, 1);
    REQUIRE(f.scaled_weight.defined());
    INFO("weight_block " << block);
    CHECK(traced_extent_sum(f, f.scaled_weight, 1, 24) == 24);
  }
}

std::atomic<int> g_mallocs{0};
void* counting_malloc(Halide::JITUserContext*, size_t size) {
  g_mallocs++;
  return std::aligned_alloc(64, (size + 63) / 64 * 64);
}
void counting_free(Halide::JITUserContext*, void* p) { std::free(p); }

TEST_CASE("conv2d register tiles are stack allocations, not a malloc per tile") {
  // A tile's accumulators of run-time extent, over Halide's 32 floats, went to halide_malloc once
  // per tile (b3: ~28,000 calls a sample), and lived in memory: the pointwise conv's guarded row
  // tails (24 channels x 4 pixels = 96 floats on 7-pixel rows; with run-time widths here), and
  // the depthwise conv's channel tiles shifted inwards (16 of 24 channels), whose channel extent
  // Halide 14 leaves as max(a, a) - min(a, a) + 8 (with constant extents but the batch, as in a
  // library's kernels). Both conv kinds run in both forms.
  const codegen::Vars& v = codegen::vars();
  Builder b(Shape{16, 7, 7, 24, "7x7"}, true);
  ir::Graph pointwise = b.done(b.conv({b.x}, 24, 1, 1, {0, 0, 0, 0}, 1, "hwio", "none"));
  Builder b2(Shape{24, 7, 7, 24, "7x7"}, true);
  ir::Graph depthwise = b2.done(b2.conv({b2.x}, 24, 5, 1, {2, 2, 2, 2}, 24, "hwio", "none"));
  for (const ir::Graph* g : {&pointwise, &depthwise}) {
    for (int channel_outer : {0, 1}) {
      for (bool constant_extents : {false, true}) {
        std::vector<Halide::Buffer<float>> buffers;
        // depthwise steps of 8 x 5 = 40 floats: Halide bounds run-time sizes of up to 32 itself
        codegen::OpFuncs f = scheduled_conv(*g, buffers, g == &pointwise ? 24 : 16, 5, channel_outer);
        if (constant_extents) f.out.bound(v.c, 0, 24).bound(v.x, 0, 7).bound(v.y, 0, 7);
        Halide::Pipeline p(f.out);
        p.jit_handlers().custom_malloc = counting_malloc;
        p.jit_handlers().custom_free = counting_free;
        g_mallocs = 0;
        Halide::Buffer<float> out = p.realize({24, 7, 7, 1});
        INFO((g == &pointwise ? "pointwise" : "depthwise")
             << ", channel_outer " << channel_outer << ", constant extents " << constant_extents);
        CHECK(g_mallocs == 0);
        const float sum = g == &pointwise ? 16 * 0.5f + 0.5f : 25 * 0.5f + 0.5f;  // an inner pixel: all taps 1
        CHECK(out(23, 3, 3, 0) == Approx(sum));
      }
    }
  }
}

std::vector<int> g_loop_extents;
int recording_par_for(Halide::JITUserContext* uc, int (*task)(Halide::JITUserContext*, int, uint8_t*), int min,
                      int extent, uint8_t* closure) {
  g_loop_extents.push_back(extent);
  for (int i = min; i < min + extent; i++)
    if (int rc = task(uc, i, closure)) return rc;
  return 0;
}

// The extents of the parallel loops `f` runs at batch 1 (run serially, on `shape`'s sizes).
std::vector<int> loop_extents(Halide::Func f, const std::vector<int>& shape) {
  Halide::Pipeline p(f);
  p.jit_handlers().custom_do_par_for = recording_par_for;
  g_loop_extents.clear();
  Halide::Buffer<float> out = p.realize(shape);
  return g_loop_extents;
}

TEST_CASE("at batch 1 the SE-scaled weights of a projection and the classifier are split into tasks") {
  // A parallel loop of one task keeps every other thread waiting. A projection's weights scaled by
  // its SE (once per run under row tasks) were tasks of a sample; the classifier's 1000 outputs
  // were 5 tasks (3 on one of 2 threads, 2 on the other) in 8-lane vectors, and one task in
  // 16-lane vectors, whose 1000 % 16 tail made it one chunk.
  const codegen::Vars& v = codegen::vars();
  Builder b(Shape{96, 7, 7, 24, "7x7"}, true);
  int scale = b.activation(b.op("global_avg_pool", {b.x}), "sigmoid");
  ir::Graph projection = b.done(b.conv({b.x, scale}, 24, 1, 1, {0, 0, 0, 0}, 1, "hwio", "none", true, false, true));
  std::vector<Halide::Buffer<float>> buffers;
  codegen::OpFuncs f = scheduled_conv(projection, buffers, 8);
  REQUIRE(f.scaled_weight.defined());
  std::vector<int> extents = loop_extents(f.out, {24, 7, 7, 1});
  CHECK(extents == std::vector<int>{3, 7});  // 96 input channels in tasks of 32, then the 7 rows

  Builder d(Shape{64, 1, 1, 1000, "vector"}, true);
  ir::Node& fc = d.g.add("dense", {d.op("flatten", {d.x})});
  fc.set("out", int64_t(1000));
  fc.params.push_back({"weight", "fc.weight", {1000, 64}});
  fc.params.push_back({"bias", "fc.bias", {1000}});
  ir::Graph classifier = d.done(d.finish(fc));
  const ir::Node& dense = classifier.node(classifier.outputs[0]);
  std::vector<codegen::Value> features = {{Halide::Func("features"), {64}}};
  features[0].f(v.c, v.n) = 1.0f;
  for (int lanes : {8, 16}) {
    codegen::OpFuncs g = codegen::lower_dense(dense, features, halves(dense, buffers), codegen::Math::Portable);
    schedules::ScheduleParams knobs = test_knobs(lanes);
    knobs.vector_width = lanes;
    schedules::x86::schedule_node(g, dense.shape, knobs, true);
    extents = loop_extents(g.out, {1000, 1});
    INFO(lanes << "-lane vectors");
    REQUIRE(extents.size() == 1);
    CHECK(extents[0] >= 8);
  }
}

TEST_CASE("conv2d 1x1 with an odd number of channel-tile tasks: each tile's rows in two tasks") {
  // 24 output channels in three 8-channel tiles, 7 rows: 6 tasks of 4 or 3 rows (as 3 tasks, 2
  // threads at batch 1 took 2 and 1), every output computed once and right; 16 channels in two
  // tiles stay 2 tasks. A projection that scales its tile's weights by SE keeps whole tiles.
  for (int channels : {24, 16}) {
    Builder b(Shape{16, 7, 7, channels, "7x7"}, true);
    ir::Graph g = b.done(b.conv({b.x}, channels, 1, 1, {0, 0, 0, 0}, 1, "hwio", "none"));
    std::vector<Halide::Buffer<float>> buffers;
    codegen::OpFuncs f = scheduled_conv(g, buffers, 8, 4, 1);
    INFO(channels << " channels");
    CHECK(loop_extents(f.out, {int(channels), 7, 7, 1}) == std::vector<int>{channels == 24 ? 6 : 2});
    Halide::Buffer<float> out = Halide::Pipeline(f.out).realize({int(channels), 7, 7, 1});
    for (int y = 0; y < 7; y++)
      for (int c = 0; c < channels; c++) CHECK(out(c, 6, y, 0) == Approx(16 * 0.5f + 0.5f));
    CHECK(traced_extent_sum(f, f.acc, 3, int(channels)) == channels / 8 * 49);  // per tile, its 49 pixels once
  }
  Builder b(Shape{96, 7, 7, 24, "7x7"}, true);
  int scale = b.activation(b.op("global_avg_pool", {b.x}), "sigmoid");
  ir::Graph g = b.done(b.conv({b.x, scale}, 24, 1, 1, {0, 0, 0, 0}, 1, "hwio", "none", true, false, true));
  std::vector<Halide::Buffer<float>> buffers;
  codegen::OpFuncs f = scheduled_conv(g, buffers, 8, 4, 1);
  CHECK(loop_extents(f.out, {24, 7, 7, 1}) == std::vector<int>{3});
}

TEST_CASE("conv2d 1x1 to 24 or 40 channels: one tile of whole 16-lane vectors over zero-padded weights") {
  // Against the oracle: weights in one block of 32 or 48 channels (block_weights' padded layout),
  // plain and as an SE-scaled projection with a residual, under each ISA's default schedule
  // (AVX-512: the padded tile; AVX2: 8-lane vectors reading the same padded blob).
  for (int out : {24, 40}) {
    const Shape s{20, 13, 13, out, "odd"};
    const int block = (out + 15) / 16 * 16;
    Builder b(s, true);
    check(b.done(b.conv({b.x}, out, 1, 1, {0, 0, 0, 0}, 1, "hwio", "swish", true, false, false, block)),
          label("conv1x1 padded block of " + std::to_string(block), s));
    const Shape same{out, 13, 13, out, "odd"};  // a residual has the output's channels
    Builder c(same, true);
    int scale = c.activation(c.op("global_avg_pool", {c.x}), "sigmoid");
    check(c.done(c.conv({c.x, c.x, scale}, out, 1, 1, {0, 0, 0, 0}, 1, "hwio", "none", true, true, true, block)),
          label("conv1x1 in_scale residual padded block of " + std::to_string(block), same));
  }
  // 24 channels, v16 tc32 on 7-pixel rows in blocks of 4: on padded weights each block's
  // accumulators are 32 channels (the last vector rounded up) and every pixel's are computed once;
  // on unpadded weights the tile stays within the channels, two 16-channel tiles shifted inwards
  // (0-15, 8-23) computing each pixel twice. Both store the right values.
  schedules::ScheduleParams knobs = test_knobs(32);
  knobs.vector_width = 16;
  for (int block : {32, 0}) {
    Builder b(Shape{16, 7, 7, 24, "7x7"}, true);
    ir::Graph g = b.done(b.conv({b.x}, 24, 1, 1, {0, 0, 0, 0}, 1, "hwio", "none", true, false, false, block));
    std::vector<Halide::Buffer<float>> buffers;
    codegen::OpFuncs f = scheduled_conv(g, buffers, knobs);
    INFO("weight block " << block);
    CHECK(f.padded_channels == (block != 0));
    Halide::Buffer<float> y = Halide::Pipeline(f.out).realize({24, 7, 7, 1});
    for (int c = 0; c < 24; c++) CHECK(y(c, 6, 3, 0) == Approx(16 * 0.5f + 0.5f));
    CHECK(traced_extent_sum(f, f.acc, 3, 24) == (block ? 49 : 98));
    CHECK(traced_extent_sum(f, f.acc, 1, 24) == (block ? 14 * 32 : 28 * 16));
  }
}

TEST_CASE("conv2d 1x1 stride 2, no bias") {
  for (const Shape& s : kShapes) {
    Builder b(s, true);
    check(b.done(b.conv({b.x}, s.c_out, 1, 2, {0, 0, 0, 0}, 1, "hwio", "relu", false)), label("conv1x1 s2", s));
  }
}

TEST_CASE("conv2d depthwise k3 s1 oihw and k5 s2 hwio with asymmetric padding") {
  for (const Shape& s : kShapes) {
    Builder b(s, true);
    check(b.done(b.conv({b.x}, s.c, 3, 1, {1, 1, 1, 1}, s.c, "oihw", "swish")), label("depthwise k3 s1", s));
    Builder b2(s, true);
    check(b2.done(b2.conv({b2.x}, s.c, 5, 2, {1, 1, 2, 2}, s.c, "hwio", "swish")),
          label("depthwise k5 s2 pad 1,1,2,2", s));
  }
}

TEST_CASE("conv2d 1x1 and depthwise with act_scale, as prescale_swish leaves them, against the unscaled convs") {
  for (const Shape& s : kShapes) {
    Builder b(s, true);
    int expand = b.conv({b.x}, s.c_out, 1, 1, {0, 0, 0, 0}, 1, "hwio", "swish");
    ir::Graph g = b.done(b.conv({expand}, s.c_out, 3, 1, {1, 1, 1, 1}, s.c_out, "hwio", "swish"));
    ir::WeightMap w = frontend::random_weights(g, 7);
    ir::Tensor input = random_input(g, 2, 11);
    ir::Tensor ref = oracle::run_graph(g, w, input, 2).at(0);
    ir::PassLog log;
    ir::prescale_swish(g, &w, "x86-64-linux", log);
    REQUIRE(g.nodes.back().has("act_scale"));
    check(g, w, input, ref, label("conv 1x1 + depthwise k3, act_scale", s));
  }
}

TEST_CASE("conv2d k3 s2 read straight from the NCHW network input (the stem)") {
  for (const Shape& s : kShapes) {
    Builder b(s, false);
    check(b.done(b.conv({b.x}, s.c_out, 3, 2, {1, 1, 1, 1}, 1, "oihw", "swish")), label("conv k3 s2 oihw nchw-in", s));
    Builder b2(s, false);
    check(b2.done(b2.conv({b2.x}, s.c_out, 3, 1, {0, 1, 2, 1}, 1, "hwio", "none")),
          label("conv k3 s1 hwio pad 0,1,2,1", s));
  }
}

TEST_CASE("two unpadded k3 convs reading one value in the same unit (the input copy must not move it)") {
  for (const Shape& s : kShapes) {
    if (s.h < 3) continue;
    Builder b(s, true);
    int p = b.conv({b.x}, s.c_out, 3, 1, {0, 0, 0, 0}, 1, "hwio", "none");
    int q = b.conv({b.x}, s.c_out, 3, 1, {0, 0, 0, 0}, 1, "hwio", "relu");
    check(b.done(b.op("add", {p, q})), label("conv k3 unpadded x2 shared input", s));
  }
}

TEST_CASE("conv2d grouped and channel-multiplier depthwise") {
  for (const Shape& s : kShapes) {
    Builder b(s, true);
    int groups = s.c % 4 == 0 ? 4 : s.c;  // 20 -> 4 groups of 5; 3 -> depthwise with multiplier 2
    int out = 2 * s.c;
    check(b.done(b.conv({b.x}, out, 3, 1, {1, 1, 1, 1}, groups, "oihw", "none")), label("conv grouped", s));
  }
}

TEST_CASE("batch_norm, activations, add, mul, dropout") {
  for (const Shape& s : kShapes) {
    Builder b(s, true);
    ir::Node& bn = b.g.add("batch_norm", {b.x});
    bn.set("eps", 1e-3);
    for (const char* role : {"weight", "bias", "running_mean", "running_var"})
      bn.params.push_back({role, std::string("bn.") + role, {s.c}});
    int y = b.finish(bn);
    check(b.done(y), label("batch_norm", s));
    for (const char* kind : {"swish", "sigmoid", "relu", "none"}) {
      Builder a(s, true);
      check(a.done(a.activation(a.x, kind)), label(std::string("activation ") + kind, s));
    }
    Builder add(s, true);
    check(add.done(add.op("add", {add.x, add.activation(add.x, "sigmoid")})), label("add", s));
    Builder mul(s, true);
    int sc = mul.activation(mul.op("global_avg_pool", {mul.x}), "sigmoid");
    check(mul.done(mul.op("mul", {mul.x, sc})), label("mul by [C,1,1]", s));
    Builder drop(s, true);
    ir::Node& d = drop.g.add("dropout", {drop.x});
    d.set("p", 0.2);
    check(drop.done(drop.finish(d)), label("dropout", s));
  }
}

TEST_CASE("global_avg_pool, flatten, dense oi/io") {
  for (const Shape& s : kShapes) {
    Builder b(s, true);
    check(b.done(b.op("global_avg_pool", {b.x})), label("global_avg_pool", s));
    Builder f(s, true);
    check(f.done(f.op("flatten", {f.x})), label("flatten [C,H,W]", s));
    for (const char* layout : {"oi", "io"}) {
      Builder d(s, true);
      int v = d.op("flatten", {d.op("global_avg_pool", {d.x})});
      ir::Node& fc = d.g.add("dense", {v});
      fc.set("out", int64_t(s.c_out * 3 + 1));
      fc.set("weight_layout", std::string(layout));
      fc.set("act", std::string(layout[0] == 'i' ? "swish" : "none"));
      ir::Dims ws = layout[0] == 'i' ? ir::Dims{s.c, s.c_out * 3 + 1} : ir::Dims{s.c_out * 3 + 1, s.c};
      fc.params.push_back({"weight", "fc.weight", ws});
      fc.params.push_back({"bias", "fc.bias", {s.c_out * 3 + 1}});
      check(d.done(d.finish(fc)), label(std::string("dense ") + layout, s));
    }
  }
}

TEST_CASE("squeeze_excite multiply (oi) and scale (io)") {
  // "wide": fc1 to 96 and fc2 to 384 channels, several vectors per task and fc2 in several tasks
  // of register accumulators (schedule_vector_reduction), the pixel sum's rows as tasks
  const Shape wide = {384, 5, 3, 8, "wide"};
  std::vector<Shape> shapes(std::begin(kShapes), std::end(kShapes));
  shapes.push_back(wide);
  for (const Shape& s : shapes) {
    for (const char* mode : {"multiply", "scale"}) {
      Builder b(s, true);
      int squeeze = std::max(1, s.c / 4);
      bool io = mode[0] == 's';
      ir::Node& se = b.g.add("squeeze_excite", {b.x});
      se.set("squeeze", int64_t(squeeze));
      se.set("mode", std::string(mode));
      se.set("weight_layout", std::string(io ? "io" : "oi"));
      se.params.push_back({"fc1.weight", "se.fc1.weight", io ? ir::Dims{s.c, squeeze} : ir::Dims{squeeze, s.c, 1, 1}});
      se.params.push_back({"fc1.bias", "se.fc1.bias", {squeeze}});
      se.params.push_back({"fc2.weight", "se.fc2.weight", io ? ir::Dims{squeeze, s.c} : ir::Dims{s.c, squeeze, 1, 1}});
      se.params.push_back({"fc2.bias", "se.fc2.bias", {s.c}});
      check(b.done(b.finish(se)), label(std::string("squeeze_excite ") + mode, s));
    }
  }
}

TEST_CASE("whole unfused b0 graph from build_graph (batch_norm, dropout, SE as pool/conv/mul) at 64x64") {
  frontend::Spec spec = *frontend::builtin_spec("b0");
  spec.resolution = 64;
  ir::Graph g = frontend::build_graph(spec);
  ir::WeightMap w = frontend::random_weights(g, 5);
  ir::Tensor input = random_input(g, 2, 3);
  ir::Tensor ref = oracle::run_graph(g, w, input, 2).at(0);
  const auto& facts = schedules::target_facts(
      codegen_test::host_supports(schedules::target_facts("x86-avx512")) ? "x86-avx512" : "x86-avx2");
  codegen_test::Error e = codegen_test::compare(codegen_test::run_jit(g, w, input, facts), ref, 1e-3, 1e-3);
  std::printf("%-66s %-12s max-abs %.3g  normalised %.3g\n", "b0 unfused at 64x64", facts.name.c_str(), e.max_abs,
              e.max_abs / std::max(e.max_ref, 1e-30));
  CHECK(e.within_tolerance);
  CHECK(e.max_abs <= 1e-4);
}

TEST_CASE("fused b0 at 64x64 with every schedule-placement knob flipped (strip fusion, channel tiles outer)") {
  FusedB0 f = fused_b0_64(5, 3);
  int strips = 0;
  for (auto& n : f.g.nodes) {
    if (n.op != "conv2d") continue;
    n.set("sched.channel_outer", int64_t(1 - n.get_int("sched.channel_outer", 0)));
    if (feeds_depthwise(f.g, n)) {
      n.set("sched.expand_rows", int64_t(3));
      strips++;
    }
  }
  REQUIRE(strips == 15);  // every block but the first (expand ratio 1) has an expand conv
  codegen_test::Error e = codegen_test::compare(codegen_test::run_jit(f.g, f.w, f.input, *f.facts), f.ref, 1e-3, 1e-3);
  std::printf("%-66s %-12s max-abs %.3g  normalised %.3g\n", "b0 fused, knobs flipped, at 64x64", f.facts->name.c_str(),
              e.max_abs, e.max_abs / std::max(e.max_ref, 1e-30));
  CHECK(e.within_tolerance);
  CHECK(e.max_abs <= 1e-4);
}

TEST_CASE("fused b0 at 64x64 with strips of one band per thread (expand_rows = 1), 1 to 3 bands") {
  FusedB0 f = fused_b0_64(6, 4);
  int strips = 0;
  for (auto& n : f.g.nodes)
    if (feeds_depthwise(f.g, n)) {
      n.set("sched.expand_rows", int64_t(1));
      strips++;
    }
  REQUIRE(strips == 15);
  for (int bands : {1, 2, 3}) {  // 3: bands of uneven rows (32 rows: 11, 11, 10; 2 rows: 1, 1, none)
    codegen_test::Error e =
        codegen_test::compare(codegen_test::run_jit(f.g, f.w, f.input, *f.facts, bands), f.ref, 1e-3, 1e-3);
    INFO(bands << " bands: max-abs " << e.max_abs);
    CHECK(e.within_tolerance);
    CHECK(e.max_abs <= 1e-4);
  }
}
