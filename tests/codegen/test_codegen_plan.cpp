// The data side of codegen: pack_weights, ScheduleParams (JSON, attrs, defaults), the
// compilation-unit split and signatures, the workspace planner and the lane tail.
#include <catch2/catch.hpp>

#include "codegen/aot/lane_tail.h"
#include "codegen/aot/plan_calls.h"
#include "codegen/aot/workspace_plan.h"
#include "codegen/units.h"
#include "frontend/build_graph.h"
#include "frontend/random_weights.h"
#include "ir/diagnostics.h"
#include "ir/ops.h"
#include "ir/passes/pack_weights.h"
#include "ir/pipeline.h"
#include "schedules/schedule_params.h"

namespace {

ir::Graph b0() { return frontend::build_graph(*frontend::builtin_spec("b0")); }

// A variant through the pass pipeline (no weights) and its units as a library plan's calls and
// values (plan_calls, as compile_library starts its plan).
struct Planned {
  ir::Graph g;
  std::vector<codegen::Unit> units;
  codegen::LibraryPlan plan;
};

Planned planned(const std::string& variant) {
  Planned p{frontend::build_graph(*frontend::builtin_spec(variant)), {}, {}};
  ir::run_pipeline(p.g, nullptr, ir::PipelineOptions{});
  p.units = codegen::split_units(p.g);
  codegen::plan_calls(p.g, p.units, p.plan);
  return p;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ir::UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("pack_weights: 64-B aligned slots, shared names share one, idempotent") {
  ir::Graph g = b0();
  ir::WeightMap w = frontend::random_weights(g, 3);
  std::vector<float> blob = ir::pack_weights(g, w);
  for (const auto& n : g.nodes)
    for (const auto& p : n.params) {
      REQUIRE(p.offset >= 0);
      CHECK(p.offset % 16 == 0);
      const ir::Tensor& t = w.at(p.name);
      CHECK(std::equal(t.data.begin(), t.data.end(), blob.begin() + p.offset));
    }
  CHECK(blob.size() % 16 == 0);
  ir::Graph again = g;
  CHECK(ir::pack_weights(again, w) == blob);
  for (size_t i = 0; i < g.nodes.size(); i++)
    for (size_t k = 0; k < g.nodes[i].params.size(); k++)
      CHECK(again.nodes[i].params[k].offset == g.nodes[i].params[k].offset);

  ir::Graph shared;
  ir::Node& in = shared.add("input", {});
  in.set("shape", ir::Dims{4});
  ir::Node& a = shared.add("dense", {0});
  a.params.push_back({"weight", "w", {4, 4}});
  ir::Node& b = shared.add("dense", {1});
  b.params.push_back({"weight", "w", {4, 4}});
  ir::WeightMap ws{{"w", {{4, 4}, std::vector<float>(16, 1.0f)}}};
  CHECK(ir::pack_weights(shared, ws).size() == 16);
  CHECK(shared.nodes[1].params[0].offset == shared.nodes[2].params[0].offset);
}

TEST_CASE("pack_weights rejects missing, misshaped and non-finite tensors by name") {
  ir::Graph g = b0();
  ir::WeightMap w = frontend::random_weights(g, 3);
  ir::WeightMap missing = w;
  missing.erase("features.0.0.weight");
  CHECK(error_of([&] {
          ir::Graph c = g;
          ir::pack_weights(c, missing);
        }) == "weight tensor 'features.0.0.weight' is missing (shape [32,3,3,3])");
  ir::WeightMap misshaped = w;
  misshaped["classifier.1.bias"].shape = {999};
  CHECK(error_of([&] {
          ir::Graph c = g;
          ir::pack_weights(c, misshaped);
        }) == "weight tensor 'classifier.1.bias': expected shape [1000], found [999]");
  ir::WeightMap nan = w;
  nan["classifier.1.bias"].data[7] = NAN;
  CHECK(error_of([&] {
          ir::Graph c = g;
          ir::pack_weights(c, nan);
        }) == "weight tensor 'classifier.1.bias': element 7 is not finite");
}

TEST_CASE("ScheduleParams: JSON and attr round trips, errors name the knob") {
  schedules::ScheduleParams s;
  s.vector_width = 24;
  s.tile_channels = 48;
  s.tile_pixels = 12;
  s.parallel_rows = 2;
  CHECK(schedules::schedule_from_json(schedules::to_json(s), "db") == s);
  ir::Graph g = b0();
  ir::Node n = g.nodes[1];
  schedules::set_schedule_attrs(n, s);
  CHECK(schedules::node_schedule(g, n, schedules::target_facts("x86-avx2")) == s);
  CHECK(schedules::schedule_str(s) == "v24 tc48 tx12 dw4 to0 er0 pr2 co0");

  CHECK(error_of([] {
          schedules::schedule_from_json({{"tile_colour", 3}}, "/entries/k");
        }) == "/entries/k.tile_colour: unknown schedule knob");
  CHECK(error_of([] {
          schedules::schedule_from_json({{"tile_pixels", 0}}, "db");
        }) == "db.tile_pixels: tile_pixels must be in [1, 64], got 0");
  CHECK(error_of([] {
          schedules::schedule_from_json({{"vector_width", 16}, {"tile_channels", 24}}, "db");
        }) == "db: tile_channels 24 is not a multiple of vector_width 16");
  CHECK(error_of([] { schedules::target_facts("x86-avx1024"); }).find("unknown target facts 'x86-avx1024'") == 0);
}

TEST_CASE("default_schedule follows the target facts") {
  ir::Graph g = b0();
  const ir::Node* proj24 = nullptr;  // features.2.x projection: a 1x1 conv to 24 channels
  for (const auto& n : g.nodes)
    if (n.op == "conv2d" && n.get_int("kernel") == 1 && n.shape[0] == 24) proj24 = &n;
  REQUIRE(proj24);
  auto avx512 = schedules::default_schedule(g, *proj24, schedules::target_facts("x86-avx512"));
  // AVX-512: the 24 channels as two 16-lane vectors over weights padded to 32 (pads_channels),
  // 56-pixel rows in 4 blocks of 14 (no overhang); AVX2's 12 accumulators: 3 x 4 (7 loads per 12
  // FMAs) beats 1 x 12 (13 loads) and 2 x 6, whose 2-vector tiles would overhang 24 channels.
  CHECK(schedules::schedule_str(avx512) == "v16 tc32 tx14 dw4 to0 er0 pr1 co0");
  CHECK(schedules::pads_channels(avx512, 24));
  auto avx2 = schedules::default_schedule(g, *proj24, schedules::target_facts("x86-avx2"));
  CHECK(schedules::schedule_str(avx2) == "v8 tc24 tx4 dw4 to0 er0 pr1 co0");
  CHECK_FALSE(schedules::pads_channels(avx2, 24));
  auto base = schedules::default_schedule(g, *proj24, schedules::target_facts("x86-baseline"));
  CHECK(base.vector_width == 4);
  // The head conv (320 -> 1280 at 7x7): its weights outweigh its input, so channel tiles go outside.
  const ir::Node* head = nullptr;
  for (const auto& n : g.nodes)
    if (n.op == "conv2d" && n.shape[0] == 1280) head = &n;
  REQUIRE(head);
  CHECK(schedules::default_schedule(g, *head, schedules::target_facts("x86-avx512")).channel_outer == 1);
  CHECK(schedules::default_schedule(g, *proj24, schedules::target_facts("x86-avx512")).channel_outer == 0);
  // The 112 -> 672 expands at 14x14: weights (294 KB) over their input, but within half the
  // facts' 1 MB L2 and 14 rows, so row tasks; with a 512 KB L2, channel tiles.
  const ir::Node* expand672 = nullptr;
  for (const auto& n : g.nodes)
    if (n.op == "conv2d" && n.get_int("kernel") == 1 && n.shape[0] == 672 && n.shape[1] == 14) expand672 = &n;
  REQUIRE(expand672);
  CHECK(schedules::default_schedule(g, *expand672, schedules::target_facts("x86-avx512")).channel_outer == 0);
  schedules::set_cpu_caches(schedules::CpuCaches{512 << 10, 32 << 20});
  CHECK(schedules::default_schedule(g, *expand672, schedules::target_facts("x86-avx512")).channel_outer == 1);
  schedules::set_cpu_caches(std::nullopt);
}

TEST_CASE("default register tiles do not overhang the row") {
  ir::Graph g = b0();
  const auto& avx512 = schedules::target_facts("x86-avx512");
  int checked = 0;
  for (const auto& n : g.nodes) {
    if (n.op != "conv2d" || n.shape[2] == 1) continue;  // SE's 1x1 convs before fusion
    auto s = schedules::default_schedule(g, n, avx512);
    INFO("node %" << n.id << " " << ir::dims_str(n.shape) << " " << schedules::schedule_str(s));
    if (n.get_int("groups") > 1) {
      // rows as tasks from 14 rows up; 7 rows split 4:3 over two threads, so channel tiles
      CHECK(s.channel_outer == (n.shape[1] < 14 ? 1 : 0));
      CHECK(n.shape[0] % s.tile_channels == 0);
      continue;
    }
    // b0's widths (7..112) all allow whole blocks of 7 to 16 pixels, but for 40 channels in
    // five 8-lane vectors, whose 28-pixel rows go in blocks of 4 (20 accumulators)
    CHECK(n.shape[2] % s.tile_pixels == 0);
    CHECK(s.tile_pixels >= (n.shape[0] == 40 ? 4 : 7));
    // 112 channels: 7 tiles of 16, not 4 of 32 overhanging by 16
    if (n.shape[0] == 112) CHECK(s.tile_channels == 16);
    checked++;
  }
  CHECK(checked == 33);  // stem, 15 expand, 16 project, head
}

TEST_CASE("b0 splits into 19 units; repeated blocks share a signature") {
  ir::Graph g = b0();
  std::vector<codegen::Unit> units = codegen::split_units(g);
  REQUIRE(units.size() == 19);  // stem, 16 blocks, head, classifier
  CHECK(units.front().inputs == std::vector<int>{0});
  CHECK(units.back().outputs == g.outputs);
  const auto& facts = schedules::target_facts("x86-avx512");
  auto sig = [&](size_t u) {
    return codegen::unit_signature(g, units[u], {codegen::unit_schedule(g, units[u], facts, true)});
  };
  CHECK(sig(2) != sig(3));    // features.2.0 (stride 2, 16->24) vs features.2.1 (residual)
  CHECK(sig(7) == sig(8));    // features.4.1 and features.4.2
  CHECK(sig(13) == sig(15));  // features.6.1 and features.6.3
  // The residual block reads its input twice but takes it once.
  CHECK(units[3].inputs.size() == 1);
  CHECK(units[3].weights.size() == 3 * (1 + 4) + 4);  // three conv + BN (1 + 4 params each), SE fc1/fc2 (4)
}

TEST_CASE("workspace plan: values alive together never overlap, dead ones are reused") {
  codegen::LibraryPlan plan;
  plan.batch_chunk = 2;
  auto value = [&](int64_t floats) {
    codegen::PlannedValue v;
    v.shape = {floats};
    plan.values.push_back(v);
    return int(plan.values.size() - 1);
  };
  int a = value(100), b = value(40), c = value(30), d = value(100);
  plan.calls = {{0, {}, {a}, {}}, {0, {a}, {b}, {}}, {0, {b, a}, {c}, {}}, {0, {c}, {d}, {}}};
  int64_t total = codegen::plan_workspace(plan);
  auto span = [&](int v) {
    return std::make_pair(plan.values[size_t(v)].offset,
                          plan.values[size_t(v)].offset + (ir::numel(plan.values[size_t(v)].shape) * 2 + 15) / 16 * 16);
  };
  auto overlap = [&](int x, int y) { return span(x).first < span(y).second && span(y).first < span(x).second; };
  CHECK(!overlap(a, b));
  CHECK(!overlap(a, c));
  CHECK(!overlap(b, c));
  CHECK(!overlap(c, d));
  CHECK(plan.values[size_t(d)].offset == 0);  // a and b are dead by then
  CHECK(total == 208 + 80 + 64);
}

TEST_CASE("lane tail: b0's 7x7 blocks, head and classifier; gathered slots outlive the head") {
  const int64_t l2 = schedules::target_facts("x86-avx512").l2_bytes;
  Planned p = planned("b0");
  codegen::set_lane_tail(p.plan, codegen::lane_tail_start(p.g, p.units, l2));
  REQUIRE(p.plan.tail_call == 13);  // features.6.1 .. 6.3, 7.0, head conv, pool + classifier
  CHECK(p.plan.tail_chunk == codegen::kLaneTailChunk);
  std::vector<int> gathered;
  for (size_t v = 0; v < p.plan.values.size(); v++)
    if (p.plan.values[v].gathered) gathered.push_back(int(v));
  REQUIRE(gathered == p.plan.calls[12].outputs);  // features.6.0's output, read by 6.1 (and its residual)

  const int64_t total = codegen::plan_workspace(p.plan);
  auto span = [&](int v, int64_t samples) {
    const auto& pv = p.plan.values[size_t(v)];
    return std::make_pair(pv.offset, pv.offset + ir::numel(pv.shape) * samples);
  };
  const auto slots = span(gathered[0], p.plan.tail_chunk);
  CHECK(slots.second <= total);
  for (int c = 0; c < int(p.plan.calls.size()); c++)
    for (int v : p.plan.calls[size_t(c)].outputs) {
      if (v == gathered[0] || p.plan.values[size_t(v)].home != codegen::PlannedValue::Home::Workspace) continue;
      if (c >= p.plan.tail_call) {  // the tail's values hold tail_chunk samples
        CHECK(span(v, p.plan.tail_chunk).second <= total);
      } else {  // no value of the head in a gathered slot: each sample of a lane keeps its own
        auto o = span(v, 1);
        CHECK((o.second <= slots.first || slots.second <= o.first));
      }
    }

  // Weight-heavy dense units, the last of them adding the network input: the tail would run
  // without the input bound, so there is none; without the add, units 1..3 are the tail.
  for (bool skip : {true, false}) {
    ir::Graph dense;
    dense.add("input", {}).set("shape", ir::Dims{8});
    int last = 0;
    for (int i = 1; i <= 4; i++) {
      ir::Node& d = dense.add("dense", {last});
      d.set("out", int64_t(8));
      d.set("ref", "d" + std::to_string(i));
      d.params.push_back({"weight", "w" + std::to_string(i), {8, 8}});
      last = d.id;
    }
    if (skip) last = dense.add("add", {last, 0}).id;
    dense.outputs = {last};
    ir::infer_shapes(dense);
    CHECK(codegen::lane_tail_start(dense, codegen::split_units(dense), l2) == (skip ? -1 : 1));
  }

  for (const char* v : {"b4", "b7"}) {  // stage 7 too large for 4 samples, no tail
    Planned q = planned(v);
    CHECK(codegen::lane_tail_start(q.g, q.units, l2) == -1);
    codegen::set_lane_tail(q.plan, -1);
    CHECK(q.plan.tail_call == -1);
    CHECK(q.plan.tail_chunk == 1);
  }
}
