// choose_tiling: defaults from the target's facts, overrides from a tuned database, errors.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "frontend/build_graph.h"
#include "ir/diagnostics.h"
#include "ir/passes/choose_tiling.h"
#include "ir/pipeline.h"
#include "schedules/schedule_params.h"
#include "schedules/target_facts.h"

namespace {

// A variant after every pass but choose_tiling.
ir::Graph fused(const std::string& variant) {
  ir::Graph g = frontend::build_graph(*frontend::builtin_spec(variant));
  ir::PipelineOptions o;
  o.disabled = {"choose_tiling"};
  ir::run_pipeline(g, nullptr, o);
  return g;
}

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text) : path("test_choose_tiling_" + std::to_string(counter()++) + ".json") {
    std::ofstream(path) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
  static int& counter() {
    static int k = 0;
    return k;
  }
};

}  // namespace

TEST_CASE("choose_tiling writes the target's default schedule on every node but the input") {
  for (const auto& [target, facts_name] :
       std::vector<std::pair<std::string, std::string>>{{"x86-64-linux", "x86-avx512"},
                                                        {"x86-64-linux-avx2", "x86-avx2"},
                                                        {"cuda", "cuda"},
                                                        {"x86-baseline", "x86-baseline"}}) {
    INFO(target);
    ir::Graph g = fused("b0");
    ir::PassLog log;
    ir::choose_tiling(g, target, "", log);
    const schedules::TargetFacts& facts = schedules::target_facts(facts_name);
    for (const auto& n : g.nodes) {
      CHECK(schedules::has_schedule_attrs(n) == (n.op != "input"));
      if (n.op != "input") CHECK(schedules::node_schedule(g, n, facts) == schedules::default_schedule(g, n, facts));
    }
    REQUIRE(log.lines.size() == 1);
    CHECK(log.lines[0].find(facts_name + ": 0 node(s) from the tuned database") != std::string::npos);
  }
}

TEST_CASE("default strip fusion: expand convs above a quarter of the L3 (narrow ones an eighth) into their depthwise conv, on x86 only") {
  for (const auto& [variant, expect] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"b0", {"[96,112,112]"}},
           {"b4", {"[144,190,190]", "[192,95,95]", "[192,95,95]", "[192,95,95]", "[192,95,95]"}},
           {"b7", {"[192,300,300]", "[288,150,150]", "[288,150,150]", "[288,150,150]", "[288,150,150]",
                   "[288,150,150]", "[288,150,150]", "[288,150,150]", "[480,75,75]", "[480,75,75]", "[480,75,75]",
                   "[480,75,75]", "[480,75,75]", "[480,75,75]", "[480,75,75]"}}}) {
    INFO(variant);
    ir::Graph g = fused(variant);
    std::vector<std::string> strips;
    for (const auto& n : g.nodes) {
      if (n.op == "input") continue;
      auto s = schedules::default_schedule(g, n, schedules::target_facts("x86-avx512"));
      CHECK(s.expand_rows == schedules::default_schedule(g, n, schedules::target_facts("x86-avx2")).expand_rows);
      CHECK(schedules::default_schedule(g, n, schedules::target_facts("cuda")).expand_rows == 0);
      CHECK(s.expand_rows <= 1);
      if (s.expand_rows) strips.push_back(ir::dims_str(n.shape));
    }
    // 480x75x75 floats = 10.8 MB > 8 MB; b4's 192x95x95 (6.9 MB) and b0's 96x112x112 (4.8 MB) expand
    // 32 and 16 channels (narrow) and pass 4 MB; b7's 1344x38x38 (7.8 MB, from 224) stays whole.
    CHECK(strips == expect);
  }
}

TEST_CASE("strip fusion follows the L3 that set_cpu_caches gives the CPU facts, and not cuda's") {
  ir::Graph g = fused("b0");
  auto strips = [&](const std::string& facts) {
    std::vector<std::string> shapes;
    for (const auto& n : g.nodes)
      if (n.op != "input" && schedules::default_schedule(g, n, schedules::target_facts(facts)).expand_rows)
        shapes.push_back(ir::dims_str(n.shape));
    return shapes;
  };
  const int64_t builtin_l3 = schedules::target_facts("x86-avx2").l3_bytes;
  schedules::set_cpu_caches(schedules::CpuCaches{512 << 10, 8 << 20});
  // An eighth of 8 MB is 1 MB: b0's narrow expands (16 and 24 input channels) of 4.8 MB and 1.8 MB
  // fuse; its 40-channel 240x28x28 ones (0.75 MB) do not.
  const std::vector<std::string> narrow = {"[96,112,112]", "[144,56,56]", "[144,56,56]"};
  CHECK(strips("x86-avx2") == narrow);
  CHECK(strips("x86-avx512") == narrow);
  CHECK(strips("cuda").empty());
  CHECK(schedules::target_facts("cuda").l2_bytes == 50 << 20);
  CHECK(schedules::cpu_caches().l2_bytes == 512 << 10);
  schedules::set_cpu_caches(std::nullopt);
  CHECK(schedules::target_facts("x86-avx2").l3_bytes == builtin_l3);
  CHECK(strips("x86-avx2") == std::vector<std::string>{"[96,112,112]"});  // 4.8 MB > 32 MB / 8
}

TEST_CASE("convs with 24 or 40 output channels on AVX-512: 1x1 in padded 16-lane tiles, the stem in 8-lane vectors") {
  const schedules::TargetFacts& avx512 = schedules::target_facts("x86-avx512");
  int halves = 0;
  for (const std::string variant : {"b0", "b3"}) {
    ir::Graph g = fused(variant);
    for (const auto& n : g.nodes) {
      if (n.op != "conv2d" || n.get_int("groups", 1) != 1) continue;
      INFO(variant << " node %" << n.id << " " << ir::dims_str(n.shape));
      auto s = schedules::default_schedule(g, n, avx512);
      int64_t c = n.shape[0];
      if ((c == 24 || c == 40) && n.get_int("kernel") == 1) {
        halves++;
        CHECK(s.vector_width == 16);
        CHECK(s.tile_channels == (c + 15) / 16 * 16);
        CHECK(schedules::pads_channels(s, c));
      } else if (c == 24 || c == 40) {
        halves++;
        CHECK(s.vector_width == 8);
        CHECK(s.tile_channels == c);
      } else if (c % 16 == 0) {
        CHECK(s.vector_width == 16);
      }
      CHECK(s.tile_channels % s.vector_width == 0);
      CHECK(s.tile_pixels >= 1);
      CHECK(schedules::default_schedule(g, n, schedules::target_facts("x86-avx2")).vector_width == 8);
    }
  }
  // b0: the projections to 24 (two) and to 40 (two); b3: its 40-channel stem and the projections to 24 (two)
  CHECK(halves == 7);
}

TEST_CASE("choose_tiling takes a tuned entry for every node with its key, and leaves tiled nodes alone") {
  ir::Graph g = fused("b0");
  const ir::Node* project = nullptr;
  for (const auto& n : g.nodes)
    if (n.get_str("name", "") == "features.2.1.block.3.0") project = &n;
  REQUIRE(project);
  std::string key = ir::tuning_key(g, *project);
  CHECK(key == "conv2d [144,56,56],[24,56,56],[144,1,1]->[24,56,56] k1 s1 g1 residual=1 in_scale=1 act=none");
  TempFile db(R"({"target": "x86-avx512", "entries": {")" + key +
              R"(": {"tile_channels": 48, "tile_pixels": 6}, "conv2d [1,1,1]->[1,1,1] unused": {}}})");

  ir::Node& tiled = g.nodes.back();
  schedules::ScheduleParams preset;
  preset.tile_pixels = 3;
  schedules::set_schedule_attrs(tiled, preset);

  ir::PassLog log;
  ir::choose_tiling(g, "x86-64-linux-avx512", db.path, log);
  const auto& facts = schedules::target_facts("x86-avx512");
  int tuned = 0;
  for (const auto& n : g.nodes) {
    if (n.op == "input") continue;
    schedules::ScheduleParams s = schedules::node_schedule(g, n, facts);
    if (ir::tuning_key(g, n) == key) {
      tuned++;
      CHECK(s.tile_channels == 48);
      CHECK(s.tile_pixels == 6);
      CHECK(s.vector_width == schedules::default_schedule(g, n, facts).vector_width);
    } else if (n.id == tiled.id) {
      CHECK(s == preset);
    } else {
      CHECK(s == schedules::default_schedule(g, n, facts));
    }
  }
  CHECK(tuned == 1);
  CHECK(log.lines.back().find(": 1 node(s) from the tuned database") != std::string::npos);
}

TEST_CASE("choose_tiling leaves a node to its current default where the tuner's search kept the default") {
  ir::Graph g = fused("b0");
  std::string won, kept;
  for (const auto& n : g.nodes) {
    if (n.get_str("name", "") == "features.2.1.block.3.0") won = ir::tuning_key(g, n);
    if (n.get_str("name", "") == "features.2.1.block.0.0") kept = ir::tuning_key(g, n);
  }
  REQUIRE(!won.empty());
  REQUIRE(!kept.empty());
  // Tuner entries: `won` beat its default, `kept` holds the knobs of an older default.
  TempFile db(R"({"target": "x86-avx512", "entries": {")" + won +
              R"(": {"knobs": {"vector_width": 8, "tile_channels": 24, "tile_pixels": 5}, "best_ms": 0.5, )"
              R"("default_ms": 0.6}, ")" + kept +
              R"(": {"knobs": {"tile_channels": 16, "tile_pixels": 5}, "best_ms": 0.7, "default_ms": 0.7}}})");
  ir::PassLog log;
  ir::choose_tiling(g, "x86-64-linux-avx512", db.path, log);
  const auto& facts = schedules::target_facts("x86-avx512");
  int seen = 0;
  for (const auto& n : g.nodes) {
    if (n.op == "input") continue;
    schedules::ScheduleParams s = schedules::node_schedule(g, n, facts);
    if (ir::tuning_key(g, n) == won) {
      seen++;
      CHECK(s.tile_pixels == 5);
      CHECK(s.tile_pixels != schedules::default_schedule(g, n, facts).tile_pixels);
    } else if (ir::tuning_key(g, n) == kept) {
      seen++;
      CHECK(s == schedules::default_schedule(g, n, facts));
      CHECK(s.tile_pixels != 5);
    }
  }
  CHECK(seen >= 2);
  CHECK(log.lines.back().find(": 1 node(s) from the tuned database") != std::string::npos);
  CHECK(ir::tuned_knobs_apply(std::nullopt, std::nullopt));
  CHECK(ir::tuned_knobs_apply(0.5, 0.6));
  CHECK_FALSE(ir::tuned_knobs_apply(0.6, 0.6));
}

TEST_CASE("choose_tiling errors name the target, the database and the entry") {
  ir::Graph g = fused("b0");
  ir::PassLog log;
  CHECK_THROWS_WITH(ir::choose_tiling(g, "arm64", "", log),
                    Catch::Contains("unknown target 'arm64'") && Catch::Contains("x86-64-linux-avx2"));
  CHECK_THROWS_WITH(ir::choose_tiling(g, "x86-avx512", "no/such/db.json", log),
                    Catch::Contains("no/such/db.json: no such file"));
  TempFile other(R"({"target": "x86-avx2", "entries": {}})");
  CHECK_THROWS_WITH(ir::choose_tiling(g, "x86-avx512", other.path, log),
                    Catch::Contains("/target: the database is for 'x86-avx2', expected 'x86-avx512'"));
  TempFile broken(R"({"target": "x86-avx512", "entries": )");
  CHECK_THROWS_AS(ir::choose_tiling(g, "x86-avx512", broken.path, log), ir::UserError);
  std::string key = ir::tuning_key(g, g.nodes[1]);
  TempFile bad_knob(R"({"target": "x86-avx512", "entries": {")" + key + R"(": {"tile_colour": 3}}})");
  CHECK_THROWS_WITH(ir::choose_tiling(g, "x86-avx512", bad_knob.path, log),
                    Catch::Contains("/entries/" + key) && Catch::Contains("unknown schedule knob"));
}
