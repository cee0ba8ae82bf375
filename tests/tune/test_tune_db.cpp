// The tuned database and the tuner's work list, without timing anything: round trip, atomic
// replacement under SIGKILL, corrupt / stale / foreign files, merge, shard partition, the
// search space, that choose_tiling reads what the tuner writes, and the host's cache sizes.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "frontend/build_graph.h"
#include "frontend/spec_json.h"
#include "ir/diagnostics.h"
#include "ir/passes/choose_tiling.h"
#include "ir/pipeline.h"
#include "schedules/autotuner/host_info.h"
#include "schedules/autotuner/search_space.h"
#include "schedules/autotuner/tuning_db.h"
#include "schedules/autotuner/workload.h"

namespace fs = std::filesystem;
using namespace autotuner;

namespace {

std::string scratch(const std::string& name) {
  fs::path dir = fs::path(EFFNETC_TUNE_TEST_DIR) / "db";
  fs::create_directories(dir);
  fs::path p = dir / name;
  fs::remove(p);
  return p.string();
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TuningDb sample_db(const std::string& target = "x86-avx512", int threads = 2) {
  TuningDb db;
  db.id = {target, cpu_model(), threads};
  DbEntry a;
  a.knobs = {{"vector_width", 24}, {"tile_channels", 48}, {"tile_pixels", 6}};
  a.best_ms = 0.25;
  a.default_ms = 0.5;
  a.adams2019_ms = 0.9;
  a.trials = 12;
  a.failed = 2;
  a.unit = "efficientnet_b0 unit 3 (features.2.0)";
  db.entries["conv2d [96,56,56]->[24,56,56] k1 s1 g1 residual=0 in_scale=0 act=none"] = a;
  DbEntry b;
  b.trials = 1;
  b.failed = 1;
  b.error = "default schedule failed: boom";
  b.unit = "efficientnet_b0 unit 0 (features.0)";
  b.complete = false;
  db.entries["dense [1280]->[1000] act=none"] = b;
  return db;
}

frontend::Spec tiny_spec() { return frontend::spec_from_json_file(EFFNETC_TUNE_TINY_SPEC); }

}  // namespace

TEST_CASE("the CPU identity and its file tag carry family and model: a hypervisor names Zen 4 and Zen 5 \"AMD EPYC\"") {
  const std::string zen4 = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\n"
                           "model name\t: AMD EPYC\nflags\t\t: fpu avx512f\n";
  const std::string zen5 = "cpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\n";
  CHECK(cpu_model_of(zen4) == "AMD EPYC (family 25, model 17)");
  CHECK(cpu_model_of(zen5) == "AMD EPYC (family 26, model 2)");
  CHECK(cpu_model_of("model name\t: Some CPU\n") == "Some CPU");
  CHECK(cpu_model_of("") == "unknown");
  CHECK(!cpu_model().empty());
  CHECK(cpu_tag_of(zen4) == "amd-f25-m17");
  CHECK(cpu_tag_of("cpu family\t: 6\nmodel\t\t: 167\nmodel name\t: Intel(R) Xeon(R) Processor\n") == "intel-f6-m167");
  CHECK(cpu_tag_of("model name\t: Some CPU\n") == "some");
  CHECK(cpu_tag_of("") == "unknown");
}

TEST_CASE("cache sizes: K/M/G suffixes, and the L2 and L3 of a /sys cache directory") {
  CHECK(cache_size_bytes("512K") == 512 << 10);
  CHECK(cache_size_bytes("8m") == 8 << 20);
  CHECK(cache_size_bytes("1G") == 1LL << 30);
  CHECK(cache_size_bytes("4096") == 4096);
  for (const std::string bad : {"", "K", "8 M", "8MB", "-1K", "1.5M", "8T", "1234567890"})
    CHECK(!cache_size_bytes(bad));

  fs::path dir = fs::path(EFFNETC_TUNE_TEST_DIR) / "sys_cache";
  fs::remove_all(dir);
  auto index = [&](int i, const std::string& level, const std::string& type, const std::string& size) {
    fs::create_directories(dir / ("index" + std::to_string(i)));
    write_text((dir / ("index" + std::to_string(i)) / "level").string(), level + "\n");
    write_text((dir / ("index" + std::to_string(i)) / "type").string(), type + "\n");
    write_text((dir / ("index" + std::to_string(i)) / "size").string(), size + "\n");
  };
  index(0, "1", "Data", "32K");
  index(1, "1", "Instruction", "64K");
  CHECK(!host_caches_in(dir.string()));  // no L2
  index(2, "2", "Unified", "512K");
  std::optional<schedules::CpuCaches> c = host_caches_in(dir.string());
  REQUIRE(c);
  CHECK(c->l2_bytes == 512 << 10);
  CHECK(c->l3_bytes == 0);  // no L3
  index(3, "3", "Unified", "8192K");
  c = host_caches_in(dir.string());
  REQUIRE(c);
  CHECK(c->l3_bytes == 8 << 20);
  CHECK(!host_caches_in((dir / "missing").string()));
}

TEST_CASE("a database survives a write and a load unchanged") {
  std::string path = scratch("roundtrip.json");
  TuningDb db = sample_db();
  write_db_atomic(path, db);
  DbIdentity want = db.id;
  DbLoad l = load_db(path, &want);
  REQUIRE(l.status == DbStatus::ok);
  CHECK(l.problem.empty());
  CHECK(db_to_json(l.db) == db_to_json(db));
  CHECK(l.db.version == effnetc_version());
  want.threads = 0;  // any thread count (what compile asks for)
  CHECK(load_db(path, &want).status == DbStatus::ok);
  for (const auto& e : fs::directory_iterator(fs::path(path).parent_path()))
    CHECK(e.path().filename().string().rfind(".roundtrip.json.tmp", 0) == std::string::npos);
  // readable like any data file (mkstemp's 0600 had made the committed database private)
  mode_t mask = ::umask(022);
  write_db_atomic(path, db);
  ::umask(mask);
  CHECK((fs::status(path).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write |
                                                                  fs::perms::group_read | fs::perms::others_read));
}

TEST_CASE("a kill at any moment of a write leaves the old or the new database") {
  std::string path = scratch("atomic.json");
  TuningDb a = sample_db(), b = sample_db();
  b.entries.erase(b.entries.begin());
  write_db_atomic(path, a);
  for (int round = 0; round < 12; round++) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      for (int i = 0;; i++) write_db_atomic(path, i % 2 ? a : b);
    }
    usleep(useconds_t(2000 + 1500 * round));
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    DbLoad l = load_db(path, nullptr);
    REQUIRE(l.status == DbStatus::ok);
    nlohmann::json j = db_to_json(l.db);
    CHECK((j == db_to_json(a) || j == db_to_json(b)));
  }
  for (const auto& e : fs::directory_iterator(fs::path(path).parent_path()))
    if (e.path().filename().string().rfind(".atomic.json.tmp", 0) == 0) fs::remove(e.path());
}

TEST_CASE("corrupt, stale and foreign databases are reported in one line, never thrown") {
  DbIdentity want{"x86-avx512", cpu_model(), 2};
  std::string path = scratch("bad.json");
  auto status_of = [&](const std::string& text, const std::string& expect_in_problem) {
    write_text(path, text);
    DbLoad l = load_db(path, &want);
    INFO(text);
    INFO(l.problem);
    CHECK(l.problem.find(path) != std::string::npos);
    CHECK(l.problem.find('\n') == std::string::npos);
    CHECK(l.problem.find(expect_in_problem) != std::string::npos);
    return l.status;
  };
  nlohmann::json good = db_to_json(sample_db());
  auto with = [&](const std::string& ptr, const nlohmann::json& v) {
    nlohmann::json j = good;
    j[nlohmann::json::json_pointer(ptr)] = v;
    return j.dump();
  };
  std::string text = good.dump();
  CHECK(status_of(text.substr(0, text.size() / 2), "not valid JSON") == DbStatus::corrupt);
  CHECK(status_of("", "not valid JSON") == DbStatus::corrupt);
  CHECK(status_of("[1, 2]", "expected a JSON object") == DbStatus::corrupt);
  CHECK(status_of(with("/entries", nlohmann::json::array()), "/entries") == DbStatus::corrupt);
  CHECK(status_of(with("/threads", "two"), "/threads") == DbStatus::corrupt);
  std::string key = good["entries"].begin().key();
  CHECK(status_of(with("/entries/" + key + "/knobs/tile_size", 3), "unknown schedule knob") == DbStatus::corrupt);
  CHECK(status_of(with("/entries/" + key + "/knobs/vector_width", 0), "vector_width") == DbStatus::corrupt);
  CHECK(status_of(with("/entries/" + key + "/trials", -1), "trials") == DbStatus::corrupt);
  CHECK(status_of(with("/format", 99), "format 99") == DbStatus::stale);
  CHECK(status_of(with("/format", 1), "before 1x1 weights were stored in tile blocks") == DbStatus::stale);
  CHECK(status_of(with("/effnetc_version", "0.0.0-old"), "0.0.0-old") == DbStatus::stale);
  CHECK(status_of(with("/target", "x86-avx2"), "x86-avx2") == DbStatus::foreign);
  CHECK(status_of(with("/cpu", "Some Other CPU"), "Some Other CPU") == DbStatus::foreign);
  CHECK(status_of(with("/threads", 7), "7 thread(s)") == DbStatus::foreign);
  // What nlohmann::json would take silently or crash on: a NUL byte ends its document, and it
  // prints and frees nesting by recursion (300000 levels overflowed the stack).
  CHECK(status_of(text + std::string(1, '\0') + "{{{", "a NUL byte at byte") == DbStatus::corrupt);
  CHECK(status_of("{\"format\": " + std::string(300000, '[') + std::string(300000, ']') + "}",
                  "nested more than 64 levels deep") == DbStatus::corrupt);
  CHECK(status_of(with("/entries/" + key + "/knobs/vector_width", nlohmann::json(18446744073709551615ull)),
                  "vector_width must be in [1, 256], got 18446744073709551615") == DbStatus::corrupt);
  // The tile's knobs together: a multiple of the vector width, and few enough vectors to unroll
  // (1024 scalar accumulators x 64 pixels crashed Halide's simplifier).
  nlohmann::json knobs = good["entries"][key]["knobs"];
  knobs["vector_width"] = 8;
  knobs["tile_channels"] = 12;
  CHECK(status_of(with("/entries/" + key + "/knobs", knobs), "tile_channels 12 is not a multiple of vector_width 8") ==
        DbStatus::corrupt);
  knobs["vector_width"] = 1;
  knobs["tile_channels"] = 1024;
  knobs["tile_pixels"] = 64;
  CHECK(status_of(with("/entries/" + key + "/knobs", knobs), "is 65536 vectors; at most 256") == DbStatus::corrupt);
  fs::remove(path);
  CHECK(load_db(path, &want).status == DbStatus::missing);
  // A directory or FIFO is never read (a FIFO would block), and is not a corrupt file to move aside.
  fs::create_directories(path);
  DbLoad dir = load_db(path, &want);
  CHECK(dir.status == DbStatus::not_a_file);
  CHECK(dir.problem == path + ": not a regular file (a directory)");
  fs::remove(path);
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  CHECK(load_db(path, &want).status == DbStatus::not_a_file);
  fs::remove(path);
}

TEST_CASE("merge keeps complete entries over incomplete ones, then the faster, and refuses foreign inputs") {
  TuningDb a = sample_db(), b = sample_db();
  std::string k1 = a.entries.begin()->first, k2 = std::next(a.entries.begin())->first;
  b.entries[k1].best_ms = 0.125;  // faster, both complete
  b.entries[k2].complete = true;  // complete beats incomplete
  b.entries[k2].unit = "from b";
  a.entries["only in a"] = a.entries[k1];  // kept
  std::string pa = scratch("merge_a.json"), pb = scratch("merge_b.json"), pc = scratch("merge_c.json");
  write_db_atomic(pa, a);
  write_db_atomic(pb, b);
  TuningDb m = merge_dbs({pa, pb});
  CHECK(m.entries.size() == 3);
  CHECK(*m.entries[k1].best_ms == 0.125);
  CHECK(m.entries[k2].unit == "from b");
  CHECK(m.entries.count("only in a"));
  write_db_atomic(pc, sample_db("x86-avx512", 1));
  try {
    merge_dbs({pa, pc});
    FAIL("merging databases measured with different thread counts must fail");
  } catch (const ir::UserError& e) {
    CHECK(std::string(e.what()).find(pc) != std::string::npos);
  }
}

TEST_CASE("keys are distinct across networks, and shards i/n cover each key exactly once") {
  const auto& facts = schedules::target_facts("x86-avx512");
  std::vector<frontend::Spec> specs = {*frontend::builtin_spec("b0"), *frontend::builtin_spec("b1"), tiny_spec()};
  Workload w = collect_work(specs, facts, "");
  std::set<std::string> keys;
  for (const auto& t : w.tasks) keys.insert(t.key);
  CHECK(keys.size() == w.tasks.size());
  CHECK(int(w.tasks.size()) < w.tunable_nodes);  // b0 and b1 share block shapes
  for (int n : {1, 2, 3, 7}) {
    std::multiset<std::string> covered;
    for (int i = 0; i < n; i++)
      for (const auto& t : shard_tasks(w.tasks, i, n)) covered.insert(t.key);
    CHECK(covered == std::multiset<std::string>(keys.begin(), keys.end()));
  }
  CHECK_THROWS_AS(shard_tasks(w.tasks, 3, 3), ir::UserError);
  Workload only = collect_work(specs, facts, "squeeze_excite");
  REQUIRE(!only.tasks.empty());
  for (const auto& t : only.tasks) CHECK(t.key.rfind("squeeze_excite", 0) == 0);
}

TEST_CASE("the search space: tile_pixels holds every AVX2 register tile's pixel count") {
  // 3 vectors x 3-4 pixels, 2 x 4-6, 1 x 6-12 fill AVX2's 12 accumulator registers.
  const auto& facts = schedules::target_facts("x86-avx2");
  Workload w = collect_work({*frontend::builtin_spec("b0")}, facts, "");
  int checked = 0;
  for (const auto& t : w.tasks) {
    const ir::Graph& g = w.graphs[t.graph];
    const ir::Node& n = g.node(t.node);
    if (n.op != "conv2d" || n.get_int("groups") != 1 || n.shape[2] != 14) continue;
    for (const auto& k : search_space(g, n, schedules::node_schedule(g, n, facts)))
      if (k.name == "tile_pixels") {
        INFO(t.key);
        for (int px : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14})
          CHECK(std::count(k.values.begin(), k.values.end(), px) == 1);
        CHECK(k.values.back() == 14);  // none wider than the row
        checked++;
      }
  }
  CHECK(checked > 0);  // b0's 14x14 expands and projections
}

TEST_CASE("the search space: the knobs that matter per op, candidates that stay consistent") {
  const auto& facts = schedules::target_facts("x86-avx512");
  Workload w = collect_work({*frontend::builtin_spec("b0")}, facts, "");
  nlohmann::json names = schedules::to_json(schedules::ScheduleParams{});
  std::set<std::string> seen_ops;
  int strip_fusable = 0, ends_unit_before_depthwise = 0;
  for (const auto& t : w.tasks) {
    const ir::Graph& g = w.graphs[t.graph];
    const ir::Node& n = g.node(t.node);
    schedules::ScheduleParams s = schedules::node_schedule(g, n, facts);
    std::set<std::string> knobs;
    for (const auto& k : search_space(g, n, s)) {
      knobs.insert(k.name);
      CHECK(names.contains(k.name));
      for (int v : k.values) {
        schedules::ScheduleParams c = with_knob(s, k, v);
        CHECK(c.*k.field == v);
        CHECK_NOTHROW(schedules::schedule_from_json(schedules::to_json(c), t.key));
      }
    }
    INFO(t.key);
    bool depthwise = n.op == "conv2d" && n.get_int("groups") > 1;
    CHECK(knobs.count("vector_width"));
    CHECK(knobs.count("tile_pixels") == (n.op == "conv2d" && !depthwise ? 1u : 0u));
    CHECK(knobs.count("dw_unroll") == (depthwise ? 1u : 0u));
    CHECK(knobs.count("dw_taps_outer") == (depthwise ? 1u : 0u));
    seen_ops.insert(n.op);
    strip_fusable += int(knobs.count("expand_rows"));
    // A unit ends at a node with `ref`, so its depthwise consumer is in the next unit: no strip.
    std::vector<int> consumers = g.consumers(n.id);
    if (n.has("ref") && consumers.size() == 1 && g.node(consumers[0]).get_int("groups", 1) > 1) {
      ends_unit_before_depthwise++;
      CHECK(knobs.count("expand_rows") == 0u);
    }
  }
  CHECK(strip_fusable > 0);              // b0's expand convs, read only by their depthwise conv
  CHECK(ends_unit_before_depthwise > 0);  // b0's stem, read by features.1.0's depthwise conv
  CHECK(seen_ops == std::set<std::string>{"conv2d", "squeeze_excite", "global_avg_pool", "dense"});
}

namespace {

// The tiny spec after the pipeline up to choose_tiling, which the test runs itself.
ir::Graph untiled_tiny_graph() {
  ir::Graph g = frontend::build_graph(tiny_spec());
  ir::PipelineOptions po;
  po.target = "x86-avx512";
  po.disabled = {"choose_tiling"};
  ir::run_pipeline(g, nullptr, po);
  return g;
}

}  // namespace

TEST_CASE("choose_tiling applies the knobs of a database the tuner wrote, and used_entries names them") {
  ir::Graph g = untiled_tiny_graph();
  const ir::Node* head = nullptr;
  for (const auto& n : g.nodes)
    if (n.get_str("name", "") == "features.2.0") head = &n;
  REQUIRE(head);
  const auto& facts = schedules::target_facts("x86-avx512");
  schedules::ScheduleParams tuned = schedules::default_schedule(g, *head, facts);
  tuned.tile_pixels = 3;
  TuningDb db = sample_db();
  db.entries[ir::tuning_key(g, *head)].knobs = schedules::to_json(tuned);
  db.entries[ir::tuning_key(g, *head)].unit = "test";
  std::string path = scratch("for_choose_tiling.json");
  write_db_atomic(path, db);
  ir::PassLog log;
  ir::choose_tiling(g, "x86-avx512", path, log);
  CHECK(schedules::node_schedule(g, *head, facts) == tuned);
  CHECK(used_entries(g, db) == std::vector<std::string>{ir::tuning_key(g, *head)});
}

TEST_CASE("choose_tiling names the database and the entry whose expand_rows its node cannot take") {
  ir::Graph g = untiled_tiny_graph();
  const ir::Node* projection = nullptr;  // a unit's output: read from the next unit, where no strip reaches
  for (const auto& n : g.nodes)
    if (n.op == "conv2d" && n.has("ref") && n.get_int("kernel") == 1) projection = &n;
  REQUIRE(projection);
  CHECK_FALSE(schedules::may_strip_fuse(g, *projection));
  TuningDb db = sample_db();
  const std::string key = ir::tuning_key(g, *projection);
  db.entries[key].knobs = nlohmann::json{{"expand_rows", 3}};
  db.entries[key].unit = "test";
  std::string path = scratch("misfit.json");
  write_db_atomic(path, db);
  ir::PassLog log;
  try {
    ir::choose_tiling(g, "x86-avx512", path, log);
    FAIL("choose_tiling took expand_rows 3 on a unit's output");
  } catch (const ir::UserError& e) {
    CHECK(std::string(e.what()) ==
          path + ": /entries/" + key + ": expand_rows 3 needs a conv2d read only by one depthwise conv2d of its unit");
  }
}
