// The tuner's measurement and loop on a tiny spec: a candidate that crashes, hangs, throws or
// computes something else is a failed measurement, and the loop records it and goes on.
// Times are never checked. Needs a CPU with AVX2 (exit 77 otherwise).
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <sstream>

#include "frontend/spec_json.h"
#include "ir/passes/choose_tiling.h"
#include "schedules/autotuner/host_info.h"
#include "schedules/autotuner/measure.h"
#include "schedules/autotuner/search_space.h"
#include "schedules/autotuner/tuner.h"
#include "schedules/autotuner/tuning_db.h"

namespace fs = std::filesystem;
using namespace autotuner;

namespace {

const schedules::TargetFacts& facts() {
  const schedules::TargetFacts& f = schedules::target_facts("x86-avx2");
  if (!host_runs(f)) {
    std::printf("[SKIP] this CPU does not run AVX2 code\n");
    std::exit(77);
  }
  return f;
}

// The task of `w` whose key starts with `key_prefix`.
const TuneTask& task_with_key(const Workload& w, const std::string& key_prefix) {
  for (const auto& t : w.tasks)
    if (t.key.rfind(key_prefix, 0) == 0) return t;
  throw std::runtime_error("no key " + key_prefix);
}

// The tiny spec's work: the project conv's key is timed in the block's unit.
struct Fixture {
  Workload w = collect_work({frontend::spec_from_json_file(EFFNETC_TUNE_TINY_SPEC)}, facts(), "");
  const TuneTask& task(const std::string& key_prefix) const { return task_with_key(w, key_prefix); }
  MeasureRequest request(const TuneTask& t, double seconds) const {
    MeasureRequest rq;
    rq.graph = &w.graphs[t.graph];
    rq.unit = &w.units[t.graph][t.unit];
    rq.facts = &facts();
    rq.schedule = codegen::unit_schedule(*rq.graph, *rq.unit, facts(), false);
    rq.threads = 1;
    rq.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(long(seconds * 1000));
    return rq;
  }
};

}  // namespace

TEST_CASE("a measurement returns the output, and a candidate is compared with it") {
  Fixture f;
  const TuneTask& t = f.task("conv2d [8,16,16]->[32,16,16]");  // the head conv: a unit of its own
  Measurement ref = measure(f.request(t, 120));
  INFO(ref.error);
  REQUIRE(ref.ok);
  REQUIRE(ref.output.size() == 32 * 16 * 16);
  MeasureRequest rq = f.request(t, 120);
  rq.schedule[t.node].tile_pixels = 5;
  rq.schedule[t.node].vector_width = 16;
  rq.schedule[t.node].tile_channels = 32;
  rq.reference = &ref.output;
  Measurement m = measure(rq);
  INFO(m.error);
  CHECK(m.ok);
  CHECK(m.output.empty());
  CHECK(m.max_abs_error <= 1e-4);
  // The candidate's tile (32) is timed on weights in its own blocks: the head conv's default
  // AVX2 tile of 16 blocked them by 16, the candidate's graph holds them unblocked, and both
  // computed the same values above (the weights are drawn per logical tensor).
  const ir::Node& head = rq.graph->node(t.node);
  REQUIRE(head.get_int("weight_block", 0) == 16);
  CHECK_FALSE(candidate_graph(*rq.graph, rq.schedule).node(t.node).has("weight_block"));
  codegen::UnitSchedule narrow = rq.schedule;
  narrow[t.node].tile_channels = 16;
  CHECK(candidate_graph(*rq.graph, narrow).node(t.node).get_int("weight_block") == 16);
  // A tile of whole vectors past the 32 channels (3 x 12 lanes, schedules::pads_channels) is timed
  // on weights zero-padded to 36 channels, drawn as the same logical tensor: same values again.
  MeasureRequest padded = f.request(t, 120);
  padded.schedule[t.node].vector_width = 12;
  padded.schedule[t.node].tile_channels = 36;
  padded.reference = &ref.output;
  const ir::Graph padded_graph = candidate_graph(*padded.graph, padded.schedule);
  const ir::Node& wide = padded_graph.node(t.node);
  CHECK(wide.get_int("weight_block") == 36);
  CHECK(wide.param("weight")->shape == ir::Dims{1, 1, 1, 8, 36});
  Measurement pm = measure(padded);
  INFO(pm.error);
  CHECK(pm.ok);
  CHECK(pm.max_abs_error <= 1e-4);

  SECTION("in turn with a baseline, the candidate's output still compared") {
    rq.baseline = f.request(t, 120).schedule;
    Measurement p = measure(rq);
    INFO(p.error);
    CHECK(p.ok);
    CHECK(p.max_abs_error <= 1e-4);
    CHECK(p.ms > 0);
    CHECK(p.baseline_ms > 0);
    CHECK(p.ratio > 0);
    rq.hook = [](const codegen::UnitSchedule&, std::vector<float>& out) { out[3] += 1e-3f; };
    Measurement w = measure(rq);
    CHECK(!w.ok);
    CHECK(w.error.find("output 3 is") != std::string::npos);
  }
  SECTION("a crash") {
    rq.hook = [](const codegen::UnitSchedule&, std::vector<float>&) { ::raise(SIGSEGV); };
    Measurement c = measure(rq);
    CHECK(!c.ok);
    CHECK(!c.timed_out);
    CHECK(c.error.find("crashed (signal 11") != std::string::npos);
  }
  SECTION("a hang past the deadline") {
    rq.hook = [](const codegen::UnitSchedule&, std::vector<float>&) { ::sleep(600); };
    rq.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    Measurement c = measure(rq);
    CHECK(!c.ok);
    CHECK(c.timed_out);
  }
  SECTION("an exception (a compile error would be one)") {
    rq.hook = [](const codegen::UnitSchedule&, std::vector<float>&) { throw std::runtime_error("no such schedule"); };
    Measurement c = measure(rq);
    CHECK(!c.ok);
    CHECK(c.error == "no such schedule");
  }
  SECTION("a wrong result") {
    rq.hook = [](const codegen::UnitSchedule&, std::vector<float>& out) { out[17] += 1e-3f; };
    Measurement c = measure(rq);
    CHECK(!c.ok);
    CHECK(c.error.find("output 17 is") != std::string::npos);
  }
}

// Options for a 1-thread tune run into an empty database under the test directory's `subdir`.
TuneOptions fresh_db_options(const std::string& subdir, int max_trials) {
  fs::path dir = fs::path(EFFNETC_TUNE_TEST_DIR) / subdir;
  fs::create_directories(dir);
  TuneOptions o;
  o.db_path = (dir / "db.json").string();
  fs::remove(o.db_path);
  o.budget_s = 300;
  o.max_trials = max_trials;
  o.threads = 1;
  return o;
}

// The tuner's first candidate after a conv's default: its first whole register tile that is not
// the default (tiles come before the descent, 1 vector of channels first).
schedules::ScheduleParams first_candidate(const ir::Node& conv, const schedules::ScheduleParams& d) {
  for (int m = 1;; m++) {
    schedules::ScheduleParams c = schedules::with_register_tile(d, m, conv, facts());
    if (!(c == d)) return c;
  }
}

TEST_CASE("tune records a failing candidate as failed, keeps going and writes the entry") {
  Fixture f;
  TuneOptions o = fresh_db_options("measure", 4);
  // The first candidate after the default crashes.
  std::vector<TuneTask> tasks = {f.task("conv2d [8,16,16]->[32,16,16]"), f.task("dense")};
  const ir::Graph& g = f.w.graphs[tasks[0].graph];
  const int head = tasks[0].node;
  schedules::ScheduleParams d = schedules::default_schedule(g, g.node(head), facts());
  schedules::ScheduleParams bad = first_candidate(g.node(head), d);
  o.child_hook = [head, bad](const codegen::UnitSchedule& s, std::vector<float>&) {
    if (s.at(head) == bad) std::abort();
  };
  TuneSummary sum = tune(f.w, tasks, facts(), o);
  CHECK(sum.tuned == 2);
  DbLoad l = load_db(o.db_path, nullptr);
  REQUIRE(l.status == DbStatus::ok);
  REQUIRE(l.db.entries.count(tasks[0].key));
  const DbEntry& e = l.db.entries.at(tasks[0].key);
  CHECK(e.failed == 1);
  CHECK(e.trials == 4);
  CHECK(e.error.empty());
  CHECK(e.default_ms.has_value());
  CHECK(e.best_ms.has_value());
  CHECK(schedules::schedule_from_json(e.knobs, "entry") != bad);
  CHECK(l.db.entries.count(tasks[1].key));
  CHECK(l.db.id.target == "x86-avx2");
  CHECK(l.db.id.threads == 1);
}

// Times rewritten in the parent (TuneOptions::time_hook). Candidates are timed in turn with
// the best so far, so the ratio decides, not a figure from another moment.
struct HookedRun {
  Fixture f;
  std::vector<TuneTask> tasks = {f.task("conv2d [8,16,16]->[32,16,16]")};
  const ir::Graph& g = f.w.graphs[tasks[0].graph];
  schedules::ScheduleParams d = schedules::default_schedule(g, g.node(tasks[0].node), facts());
  schedules::ScheduleParams candidate = first_candidate(g.node(tasks[0].node), d);

  DbEntry tune_with(const std::string& subdir, int trials, std::function<double(const schedules::ScheduleParams&)> ms) {
    TuneOptions o = fresh_db_options(subdir, trials);
    o.time_hook = [&](const schedules::ScheduleParams& s, double& t) { t = ms(s); };
    tune(f.w, tasks, facts(), o);
    DbLoad l = load_db(o.db_path, nullptr);
    REQUIRE(l.status == DbStatus::ok);
    return l.db.entries.at(tasks[0].key);
  }
};

// The default's own timing (alone, for its output and time) fell in a slow phase: 3 ms, then
// 1 ms in every pair. Compared with that figure every candidate at 1 ms would have won; timed
// in turn with the default, none does.
TEST_CASE("a default timed in a slow phase does not make an equal candidate win") {
  HookedRun r;
  int default_runs = 0;
  DbEntry e = r.tune_with("slow_default", 3, [&](const schedules::ScheduleParams& s) {
    return s == r.d ? (default_runs++ == 0 ? 3.0 : 1.0) : 1.0;
  });
  CHECK(default_runs == 3);  // alone, then as the baseline of the two candidates
  CHECK(schedules::schedule_from_json(e.knobs, "entry") == r.d);
  CHECK(e.complete);
  CHECK(*e.best_ms == *e.default_ms);
}

// A candidate at half the default's time wins its pair and keeps winning the confirmation's
// pairs: the entry holds the default's time from those and the candidate's as that x 0.5.
TEST_CASE("a winner is confirmed against the default in turn before it is stored") {
  HookedRun r;
  DbEntry e = r.tune_with("confirm", 3, [&](const schedules::ScheduleParams& s) {
    return s == r.candidate ? 1.0 : 2.0;
  });
  CHECK(schedules::schedule_from_json(e.knobs, "entry") == r.candidate);
  CHECK(e.complete);
  CHECK(*e.default_ms == Approx(2.0));
  CHECK(*e.best_ms == Approx(1.0));
}

// A candidate that won its pair by luck (faster only the first time it is timed) loses the
// confirmation, and the default is kept.
TEST_CASE("a winner that loses the confirmation is not stored") {
  HookedRun r;
  int candidate_runs = 0;
  DbEntry e = r.tune_with("lucky", 3, [&](const schedules::ScheduleParams& s) {
    return s == r.candidate && candidate_runs++ == 0 ? 0.5 : 1.0;
  });
  CHECK(candidate_runs >= 4);  // its trial, then the confirmation's three pairs
  CHECK(schedules::schedule_from_json(e.knobs, "entry") == r.d);
  CHECK(e.complete);
  CHECK(*e.best_ms == *e.default_ms);
}

// The search's margin shrinks with the unit's time (pairs of short units scatter more): 1.5 %
// faster wins nothing on a 1 ms unit (2 % needed) and is kept on a 10 ms one (1 %).
TEST_CASE("a trial must beat the best by more on a short unit than on a long one") {
  for (double unit_ms : {1.0, 10.0}) {
    HookedRun r;
    DbEntry e = r.tune_with("margin", 3, [&](const schedules::ScheduleParams& s) {
      return s == r.candidate ? 0.985 * unit_ms : unit_ms;
    });
    CAPTURE(unit_ms);
    CHECK(e.complete);
    CHECK((schedules::schedule_from_json(e.knobs, "entry") == r.candidate) == (unit_ms == 10.0));
  }
}

// A chain of wins whose last step was luck: the candidate wins (0.5x), then another schedule
// wins against it the one time it is timed. That one loses its confirmation, and the
// candidate before it is confirmed and stored instead of the default.
TEST_CASE("when the last best loses its confirmation, the best before it is confirmed") {
  HookedRun r;
  std::optional<schedules::ScheduleParams> lucky;
  DbEntry e = r.tune_with("fallback", 3, [&](const schedules::ScheduleParams& s) {
    if (s == r.d) return 1.0;
    if (s == r.candidate) return 0.5;
    if (!lucky) {
      lucky = s;
      return 0.2;
    }
    return 1.0;
  });
  REQUIRE(lucky);
  CHECK(e.complete);
  CHECK(schedules::schedule_from_json(e.knobs, "entry") == r.candidate);
  CHECK(*e.best_ms == Approx(0.5));
}

// Tunes `task` alone with times rewritten (`winner` 0.5 ms, `via` 0.7 ms, everything else 1 ms)
// and checks that the search reached `winner` and that it kept it through the confirmation.
void check_tuner_finds(const Workload& w, const TuneTask& task, const schedules::TargetFacts& f,
                       const schedules::ScheduleParams& winner, const std::string& subdir,
                       const std::optional<schedules::ScheduleParams>& via = std::nullopt) {
  TuneOptions o = fresh_db_options(subdir, 64);
  int winner_runs = 0;
  o.time_hook = [&](const schedules::ScheduleParams& s, double& ms) {
    ms = s == winner ? (winner_runs++, 0.5) : via && s == *via ? 0.7 : 1.0;
  };
  tune(w, {task}, f, o);
  DbLoad l = load_db(o.db_path, nullptr);
  REQUIRE(l.status == DbStatus::ok);
  const DbEntry& e = l.db.entries.at(task.key);
  CHECK(e.complete);
  CHECK(winner_runs >= 4);  // its trial, then the confirmation's three pairs (later trials pair with it too)
  CHECK(schedules::schedule_from_json(e.knobs, "entry") == winner);
  CHECK(*e.best_ms == Approx(0.5));
}

// Whole register tiles are tried with the pixels that suit them: here 4 vectors of channels,
// which the descent cannot reach (it would change the channels with the default's pixels).
TEST_CASE("the tuner tries whole register tiles, which the descent cannot reach") {
  Fixture f;
  const TuneTask& task = f.task("conv2d [8,16,16]->[32,16,16]");
  const ir::Graph& g = f.w.graphs[task.graph];
  const ir::Node& head = g.node(task.node);
  schedules::ScheduleParams d = schedules::default_schedule(g, head, facts());
  schedules::ScheduleParams wide = schedules::with_register_tile(d, 4, head, facts());
  REQUIRE(wide.tile_channels == 4 * d.vector_width);
  REQUIRE(wide.tile_pixels != d.tile_pixels);
  check_tuner_finds(f.w, task, facts(), wide, "tiles");
}

// A win in the middle of a sweep that takes a knob out of the search space (the knob's only
// value left is the winner's: e.g. tile_channels once a one-vector tile's vectors are as wide as
// the conv's channels). The sweep goes on over the knobs the winner's space has; before, it
// indexed the space by the positions of the sweep's start and read past its end (SIGSEGV on b6;
// with the tuner's bounds-checked containers, an abort). The descent starts from a one-vector
// tile, which the timing hook lets win the tile trials first.
TEST_CASE("a win that takes a knob out of the search space does not end the sweep past the space") {
  Fixture f;
  for (const TuneTask& task : f.w.tasks) {
    const std::string& key = task.key;
    const ir::Graph& g = f.w.graphs[task.graph];
    const ir::Node& node = g.node(task.node);
    schedules::ScheduleParams d = schedules::default_schedule(g, node, facts());
    if (node.op != "conv2d" || search_space(g, node, d).empty()) continue;
    schedules::ScheduleParams one = schedules::with_register_tile(d, 1, node, facts());
    std::vector<KnobChoice> space = search_space(g, node, one);
    std::optional<schedules::ScheduleParams> shrinks;  // a change of a knob before the last that drops one
    for (size_t k = 0; k + 1 < space.size() && !shrinks; k++)
      for (int v : space[k].values) {
        schedules::ScheduleParams c = with_knob(one, space[k], v);
        if (search_space(g, node, c).size() < space.size()) {
          shrinks = c;
          break;
        }
      }
    CAPTURE(key);
    if (!shrinks) continue;
    check_tuner_finds(f.w, task, facts(), *shrinks, "shrink", one);
    return;
  }
  FAIL("no key of the tiny spec has a knob change that shrinks its search space");
}

// A key is timed in its unit beside the database entries of the unit's other nodes, as a library
// compiled with the database runs it; an entry whose search kept its default is not one of them
// (compile --db does not apply it either). The child aborts, failing the default's measurement,
// unless the neighbour's schedule is the expected one.
TEST_CASE("a key is timed beside the database entries of its unit's other nodes") {
  Fixture f;
  const TuneTask& task = f.task("conv2d [8,16,16]->[24,16,16]");  // the block's expand
  const ir::Graph& g = f.w.graphs[task.graph];
  std::optional<int> neighbour;  // a depthwise conv of the expand's unit
  for (int id : f.w.units[task.graph][task.unit].nodes)
    if (id != task.node && g.node(id).op == "conv2d" && g.node(id).get_int("groups", 1) > 1) neighbour = id;
  REQUIRE(neighbour);
  const int nb = *neighbour;
  const schedules::ScheduleParams d = schedules::default_schedule(g, g.node(nb), facts());
  std::vector<KnobChoice> space = search_space(g, g.node(nb), d);
  REQUIRE(!space.empty());
  schedules::ScheduleParams tuned = d;  // the neighbour's first knob at another value
  for (int v : space[0].values)
    if (v != d.*space[0].field) tuned = with_knob(d, space[0], v);
  REQUIRE(!(tuned == d));
  for (bool beat_default : {true, false}) {
    CAPTURE(beat_default);
    TuneOptions o = fresh_db_options("neighbours", 1);
    TuningDb db;
    db.id = DbIdentity{facts().name, cpu_model(), 1};
    DbEntry e;
    e.knobs = schedules::to_json(tuned);
    e.default_ms = 2.0;
    e.best_ms = beat_default ? 1.0 : 2.0;
    db.entries[ir::tuning_key(g, g.node(nb))] = e;
    write_db_atomic(o.db_path, db);
    const schedules::ScheduleParams expected = beat_default ? tuned : d;
    o.child_hook = [nb, expected](const codegen::UnitSchedule& s, std::vector<float>&) {
      if (!(s.at(nb) == expected)) std::abort();
    };
    std::ostringstream progress;
    o.progress = &progress;
    tune(f.w, {task}, facts(), o);
    DbLoad l = load_db(o.db_path, nullptr);
    REQUIRE(l.status == DbStatus::ok);
    const DbEntry& got = l.db.entries.at(task.key);
    INFO(progress.str());
    CHECK(got.error.empty());
    CHECK(got.failed == 0);
    CHECK((progress.str().find("beside 1 node(s) of its unit") != std::string::npos) == beat_default);
  }
}
