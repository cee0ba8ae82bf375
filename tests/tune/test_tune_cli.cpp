// effnetc tune end to end on a tiny spec: kill -9 mid-run and --resume (finished keys are not
// redone, keys never tuned go before unfinished ones; an Adams2019 time stored earlier is kept),
// shards and --merge, database problems on the command line, and compile --db recording the
// entries it used. Times are never checked.
// Needs AVX2 (exit 77 otherwise).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "schedules/autotuner/host_info.h"
#include "schedules/autotuner/tuning_db.h"

namespace fs = std::filesystem;
using namespace autotuner;

namespace {

const std::string kTarget = "x86-64-linux-avx2";

fs::path scratch(const std::string& name) {
  if (!host_runs(schedules::target_facts("x86-avx2"))) {
    std::printf("[SKIP] this CPU does not run AVX2 code\n");
    std::exit(77);
  }
  fs::path dir = fs::path(EFFNETC_TUNE_TEST_DIR) / "cli" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Starts effnetc with `args`, stdout and stderr into `log`.
pid_t start(const std::vector<std::string>& args, const fs::path& log) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv = {const_cast<char*>(EFFNETC_BIN)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(EFFNETC_BIN, argv.data());
    ::_exit(127);
  }
  return pid;
}

int finish(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run(const std::vector<std::string>& args, const fs::path& log) { return finish(start(args, log)); }

std::vector<std::string> tune_args(const fs::path& db, std::vector<std::string> more) {
  std::vector<std::string> a = {"tune", EFFNETC_TUNE_TINY_SPEC, "--target", kTarget, "--db", db.string(), "--threads",
                                "1"};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

// The keys a tune run started ("tune: key 2/8: <key>"), in order.
std::vector<std::string> keys_in_order(const std::string& log) {
  std::vector<std::string> keys;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    size_t colon = line.find(": ", 10);
    if (line.rfind("tune: key ", 0) == 0 && line.find(" done:") == std::string::npos && colon != std::string::npos)
      keys.push_back(line.substr(colon + 2));
  }
  return keys;
}

// The budget shares a tune run gave its keys ("... left, up to 2m29s for this key"), in seconds, in order.
std::vector<int> key_shares(const std::string& log) {
  std::vector<int> shares;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    size_t at = line.find(", up to ");
    if (at == std::string::npos) continue;
    int m = 0, sec = 0;
    std::string d = line.substr(at + 8);
    if (std::sscanf(d.c_str(), "%dm%ds", &m, &sec) == 2)
      shares.push_back(60 * m + sec);
    else if (std::sscanf(d.c_str(), "%ds", &sec) == 1)
      shares.push_back(sec);
  }
  return shares;
}

std::set<std::string> keys_started(const std::string& log) {
  std::vector<std::string> keys = keys_in_order(log);
  return {keys.begin(), keys.end()};
}

std::vector<std::string> dry_run_keys(const std::string& shard, const fs::path& dir) {
  fs::path log = dir / ("dry_" + std::to_string(std::hash<std::string>()(shard)) + ".txt");
  int rc = run({"tune", EFFNETC_TUNE_TINY_SPEC, "--target", kTarget, "--dry-run", "--shard", shard}, log);
  REQUIRE(rc == 0);
  std::vector<std::string> keys;
  std::istringstream in(read_text(log));
  for (std::string line; std::getline(in, line);)
    if (line.rfind("tune: ", 0) != 0) keys.push_back(line.substr(0, line.find('\t')));
  return keys;
}

}  // namespace

TEST_CASE("a tune run killed with SIGKILL leaves a valid database, and --resume finishes without redoing keys") {
  fs::path dir = scratch("resume");
  fs::path db = dir / "db.json";
  const int total = int(dry_run_keys("0/1", dir).size());
  REQUIRE(total >= 6);

  pid_t pid = start(tune_args(db, {"--budget", "10m", "--trials", "2"}), dir / "first.txt");
  size_t done_at_kill = 0;
  for (int i = 0; i < 1200 && done_at_kill < 2; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    DbLoad l = load_db(db.string(), nullptr);
    if (l.status == DbStatus::ok) done_at_kill = l.db.entries.size();
  }
  kill(pid, SIGKILL);
  CHECK(finish(pid) == 128 + SIGKILL);
  DbLoad killed = load_db(db.string(), nullptr);
  REQUIRE(killed.status == DbStatus::ok);
  REQUIRE(killed.db.entries.size() >= 2);
  REQUIRE(int(killed.db.entries.size()) < total);

  int rc = run(tune_args(db, {"--budget", "10m", "--trials", "2", "--resume"}), dir / "resume.txt");
  std::string log = read_text(dir / "resume.txt");
  INFO(log);
  REQUIRE(rc == 0);
  DbLoad after = load_db(db.string(), nullptr);
  REQUIRE(after.status == DbStatus::ok);
  CHECK(int(after.db.entries.size()) == total);
  std::set<std::string> redone = keys_started(log);
  CHECK(int(redone.size()) == total - int(killed.db.entries.size()));
  for (const auto& [key, e] : killed.db.entries) {
    INFO(key);
    CHECK(!redone.count(key));
    CHECK(db_to_json(after.db)["entries"][key] == db_to_json(killed.db)["entries"][key]);
  }
  CHECK(log.find("resume: " + std::to_string(killed.db.entries.size()) + " of " + std::to_string(total)) !=
        std::string::npos);
}

TEST_CASE("--resume gives its budget to the keys without an entry before the unfinished ones, heaviest first") {
  fs::path dir = scratch("resume_order");
  fs::path db = dir / "db.json";
  int rc = run(tune_args(db, {"--budget", "5m", "--trials", "1"}), dir / "first.txt");
  std::vector<std::string> by_weight = keys_in_order(read_text(dir / "first.txt"));
  INFO(read_text(dir / "first.txt"));
  REQUIRE(rc == 0);
  REQUIRE(by_weight.size() >= 4);
  DbLoad first = load_db(db.string(), nullptr);
  REQUIRE(first.status == DbStatus::ok);
  REQUIRE(first.db.entries.size() == by_weight.size());

  // The two heaviest keys unfinished, as a budget that ran out leaves them; the two lightest never reached.
  const size_t n = by_weight.size();
  for (size_t i : {size_t(0), size_t(1)}) first.db.entries.at(by_weight[i]).complete = false;
  for (size_t i : {n - 2, n - 1}) first.db.entries.erase(by_weight[i]);
  write_db_atomic(db.string(), first.db);

  rc = run(tune_args(db, {"--budget", "5m", "--trials", "1", "--resume"}), dir / "resume.txt");
  std::string log = read_text(dir / "resume.txt");
  INFO(log);
  REQUIRE(rc == 0);
  CHECK(keys_in_order(log) == std::vector<std::string>{by_weight[n - 2], by_weight[n - 1], by_weight[0], by_weight[1]});
  CHECK(log.find("already tuned; 2 not reached yet go first, then 2 unfinished") != std::string::npos);
  // Shares of the weight among the keys not reached: the heavier of the two lightest keys gets at
  // least half of the 5 minutes, where a share of all four keys' weight gave it a sliver.
  std::vector<int> shares = key_shares(log);
  REQUIRE(shares.size() == 4);
  CHECK(shares[0] >= 140);
  DbLoad after = load_db(db.string(), nullptr);
  REQUIRE(after.status == DbStatus::ok);
  CHECK(after.db.entries.size() == n);
}

TEST_CASE("shards cover every key once, and --merge joins their databases") {
  fs::path dir = scratch("shards");
  std::vector<std::string> all = dry_run_keys("0/1", dir);
  std::multiset<std::string> covered;
  for (int i = 0; i < 3; i++)
    for (const auto& k : dry_run_keys(std::to_string(i) + "/3", dir)) covered.insert(k);
  CHECK(covered == std::multiset<std::string>(all.begin(), all.end()));

  // Two shards of the two keys with [32,16,16] (the head conv and the pool), then merged.
  for (int i = 0; i < 2; i++) {
    fs::path db = dir / ("shard" + std::to_string(i) + ".json");
    int rc = run(tune_args(db, {"--budget", "5m", "--trials", "1", "--match", "[32,16,16]", "--shard",
                                std::to_string(i) + "/2"}),
                 dir / ("shard" + std::to_string(i) + ".txt"));
    INFO(read_text(dir / ("shard" + std::to_string(i) + ".txt")));
    REQUIRE(rc == 0);
  }
  fs::path merged = dir / "merged.json";
  int rc =
      run({"tune", "--merge", (dir / "shard0.json").string(), (dir / "shard1.json").string(), "-o", merged.string()},
          dir / "merge.txt");
  INFO(read_text(dir / "merge.txt"));
  REQUIRE(rc == 0);
  DbLoad m = load_db(merged.string(), nullptr);
  REQUIRE(m.status == DbStatus::ok);
  std::set<std::string> want;
  for (const auto& k : all)
    if (k.find("[32,16,16]") != std::string::npos) want.insert(k);
  std::set<std::string> got;
  for (const auto& [key, e] : m.db.entries) got.insert(key);
  CHECK(got == want);
}

TEST_CASE("--resume without --adams2019 keeps the Adams2019 time an earlier run stored") {
  fs::path dir = scratch("adams_resume");
  fs::path db = dir / "db.json";
  int rc = run(tune_args(db, {"--budget", "5m", "--trials", "1", "--match", "dense", "--adams2019"}), dir / "a.txt");
  INFO(read_text(dir / "a.txt"));
  REQUIRE(rc == 0);
  DbLoad first = load_db(db.string(), nullptr);
  REQUIRE(first.status == DbStatus::ok);
  REQUIRE(first.db.entries.size() == 1);
  const std::string key = first.db.entries.begin()->first;
  std::optional<double> adams = first.db.entries.begin()->second.adams2019_ms;
  REQUIRE(adams.has_value());

  // Mark the entry unfinished, as a budget that ran out leaves it, so that --resume tunes it again.
  first.db.entries.at(key).complete = false;
  write_db_atomic(db.string(), first.db);
  rc = run(tune_args(db, {"--budget", "5m", "--trials", "1", "--match", "dense", "--resume"}), dir / "b.txt");
  INFO(read_text(dir / "b.txt"));
  REQUIRE(rc == 0);
  CHECK(read_text(dir / "b.txt").find("resume: 0 of 1") != std::string::npos);
  DbLoad second = load_db(db.string(), nullptr);
  REQUIRE(second.status == DbStatus::ok);
  REQUIRE(second.db.entries.count(key) == 1);
  CHECK(second.db.entries.at(key).adams2019_ms == adams);
}

TEST_CASE("a corrupt or foreign database: an error for --resume, a warning and a backup otherwise") {
  fs::path dir = scratch("bad");
  fs::path db = dir / "db.json";
  std::ofstream(db) << "{\"format\": 1, \"entries\": {";
  int rc = run(tune_args(db, {"--resume", "--budget", "1m", "--match", "dense"}), dir / "resume.txt");
  std::string log = read_text(dir / "resume.txt");
  INFO(log);
  CHECK(rc == 2);
  CHECK(log.find("effnetc tune: error: " + db.string() + ": not valid JSON") != std::string::npos);
  CHECK(read_text(db) == "{\"format\": 1, \"entries\": {");  // untouched

  rc = run(tune_args(db, {"--budget", "1m", "--trials", "1", "--match", "dense"}), dir / "fresh.txt");
  log = read_text(dir / "fresh.txt");
  INFO(log);
  CHECK(rc == 0);
  CHECK(log.find("warning: " + db.string() + ": not valid JSON") != std::string::npos);
  CHECK(read_text(dir / "db.json.bak") == "{\"format\": 1, \"entries\": {");
  CHECK(load_db(db.string(), nullptr).status == DbStatus::ok);
}

TEST_CASE("tune refuses a directory as --db without moving it, and options it cannot honour") {
  fs::path dir = scratch("refused");
  fs::create_directories(dir / "tuned");
  std::ofstream(dir / "tuned" / "x.json") << "{}";
  auto refused = [&](const std::vector<std::string>& args, const std::string& message) {
    INFO(message);
    CHECK(run(args, dir / "log.txt") == 2);
    std::string log = read_text(dir / "log.txt");
    INFO(log);
    CHECK(log.find(message) != std::string::npos);
  };
  // compile --db takes a directory; tune writes one file, and a directory is not a corrupt one.
  refused(tune_args(dir / "tuned", {"--budget", "1m", "--match", "dense"}),
          (dir / "tuned").string() + ": not a regular file (a directory); --db names the database file to write");
  CHECK(fs::is_regular_file(dir / "tuned" / "x.json"));
  CHECK_FALSE(fs::exists(dir / "tuned.bak"));
  refused(tune_args(dir / "db.json", {"--budget", "2600000h"}), "--budget is at most 8784h (a year), got '2600000h'");
  refused(tune_args(dir / "db.json", {"--budget", "1" + std::string(400, '0') + "s"}),
          "--budget expects a positive duration");
  refused(tune_args(dir / "db.json", {"--match", "no such key"}),
          "--match 'no such key': no tuning key of these networks contains it");
  refused(tune_args("/proc/no/db.json", {"--match", "dense"}), "/proc/no/db.json: cannot write into /proc/no");
  refused(
      {"tune", "--merge", (dir / "tuned" / "x.json").string(), "--target", kTarget, "-o", (dir / "m.json").string()},
      "--merge takes databases and -o OUT only, not --target");
  refused(tune_args(dir / "db.json", {"--trials", "+5"}), "--trials expects an integer in [1, 100000], got '+5'");
  refused(tune_args(dir / "db.json", {"--match", ""}), "option --match needs a value, got an empty one");
  refused({"inspect", EFFNETC_TUNE_TINY_SPEC, "--target", kTarget},
          "--target applies to the pass pipeline: --emit=final or --emit=ir-after=PASS");
  refused({"inspect", EFFNETC_TUNE_TINY_SPEC, "--emit=ir-after="}, "--emit=ir-after= needs a pass name");
  refused({"inspect", EFFNETC_TUNE_TINY_SPEC, "--emit=final", "--disable-pass=,"},
          "--disable-pass needs pass names, comma-separated");
}

namespace {

struct Compiled {
  nlohmann::json manifest;
  std::string log;
};

// effnetc compile of the tiny spec for `target` with --db `db` into dir/lib_<name>; its log is
// dir/<name>.txt.
Compiled compile_with_db(const fs::path& dir, const fs::path& db, const std::string& name,
                         const std::string& target = kTarget) {
  fs::path out = dir / ("lib_" + name);
  std::vector<std::string> args = {
      "compile",   EFFNETC_TUNE_TINY_SPEC, "--random-weights", "1", "--target", target, "--db", db.string(), "-o",
      out.string()};
  int rc = run(args, dir / (name + ".txt"));
  Compiled c{nlohmann::json(), read_text(dir / (name + ".txt"))};
  INFO(c.log);
  REQUIRE(rc == 0);
  c.manifest = nlohmann::json::parse(read_text(out / "manifest.json"));
  REQUIRE(c.manifest.contains("tuned_db"));
  return c;
}

// A database for this CPU and `target` (the tiny spec's first conv: tile_pixels `pixels`) and a
// foreign one (same entries, another CPU) in `dir`; returns the tuned key.
std::string write_databases(const fs::path& dir, const fs::path& ours, const fs::path& foreign,
                            const std::string& target = "x86-avx2", int pixels = 3) {
  std::string head;
  for (const auto& k : dry_run_keys("0/1", dir))
    if (k.rfind("conv2d [8,16,16]->[32,16,16]", 0) == 0) head = k;
  REQUIRE(!head.empty());
  TuningDb db;
  db.id = {target, cpu_model(), 1};
  db.entries[head].knobs = {{"tile_pixels", pixels}};
  db.entries[head].unit = "test";
  db.entries["conv2d [1,1,1]->[1,1,1] not in this network"].unit = "test";
  write_db_atomic(ours.string(), db);
  db.id.cpu = "Another CPU";
  write_db_atomic(foreign.string(), db);
  return head;
}

// The one database a compile used.
nlohmann::json only_database(const Compiled& c) {
  INFO(c.manifest.dump());
  REQUIRE(c.manifest["tuned_db"]["databases"].size() == 1);
  return c.manifest["tuned_db"]["databases"][0];
}

// The kernel objects of one ISA in a library's obj folder (k<N>_<isa>.o) that differ from
// another library's, by name.
std::set<std::string> differing_kernels(const fs::path& lib_a, const fs::path& lib_b, const std::string& isa) {
  std::set<std::string> differ;
  const std::string suffix = "_" + isa + ".o";
  int seen = 0;
  for (const auto& e : fs::directory_iterator(lib_a / "obj")) {
    std::string name = e.path().filename().string();
    bool kernel = name[0] == 'k' && name.size() > suffix.size() &&
                  name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (!kernel) continue;
    seen++;
    if (read_text(e.path()) != read_text(lib_b / "obj" / name)) differ.insert(name);
  }
  REQUIRE(seen > 0);
  return differ;
}

}  // namespace

TEST_CASE("compile --db takes the tuned entries and lists them in manifest.json; a foreign one is ignored") {
  fs::path dir = scratch("compile");
  std::string head = write_databases(dir, dir / "db.json", dir / "foreign.json");
  Compiled c = compile_with_db(dir, dir / "db.json", "db");
  CHECK(c.manifest["tuned_db"]["used"] == true);
  CHECK(only_database(c)["isa"] == "x86-avx2");
  CHECK(only_database(c)["entries_used"] == nlohmann::json::array({head}));

  c = compile_with_db(dir, dir / "foreign.json", "foreign");
  CHECK(c.manifest["tuned_db"]["used"] == false);
  CHECK(c.log.find("warning: " + (dir / "foreign.json").string() + ": tuned for CPU 'Another CPU'") !=
        std::string::npos);
}

TEST_CASE("compile --db DIR picks the database made on this CPU; none there is a warning") {
  fs::path dir = scratch("compile_dir");
  fs::create_directories(dir / "dbs");
  // "a_" sorts before "b_": the foreign file is read first and passed over.
  std::string head = write_databases(dir, dir / "dbs" / "b_ours.json", dir / "dbs" / "a_foreign.json");
  std::ofstream(dir / "dbs" / "notes.txt") << "not a database";
  Compiled c = compile_with_db(dir, dir / "dbs", "dir");
  CHECK(c.manifest["tuned_db"]["used"] == true);
  CHECK(only_database(c)["file"] == (dir / "dbs" / "b_ours.json").string());
  CHECK(only_database(c)["entries_used"] == nlohmann::json::array({head}));

  fs::remove(dir / "dbs" / "b_ours.json");
  c = compile_with_db(dir, dir / "dbs", "dir_foreign");
  CHECK(c.manifest["tuned_db"]["used"] == false);
  CHECK(c.log.find("warning: --db " + (dir / "dbs").string() + ": none of its 1 .json file(s) is a database") !=
        std::string::npos);
}

TEST_CASE("compile --db gives each ISA of a multi-ISA archive the database tuned for it") {
  fs::path dir = scratch("compile_isas");
  fs::create_directories(dir / "both");
  fs::create_directories(dir / "avx512");
  std::string head = write_databases(dir, dir / "both" / "avx2.json", dir / "avx2_foreign.json", "x86-avx2", 3);
  write_databases(dir, dir / "both" / "avx512.json", dir / "avx512_foreign.json", "x86-avx512", 5);
  fs::copy_file(dir / "both" / "avx512.json", dir / "avx512" / "avx512.json");
  const std::string target = "x86-64-linux";

  Compiled both = compile_with_db(dir, dir / "both", "both", target);
  const nlohmann::json& dbs = both.manifest["tuned_db"]["databases"];
  INFO(both.manifest.dump());
  REQUIRE(dbs.size() == 2);
  CHECK(dbs[0]["isa"] == "x86-avx512");
  CHECK(dbs[0]["entries_used"] == nlohmann::json::array({head}));
  CHECK(dbs[1]["isa"] == "x86-avx2");
  CHECK(dbs[1]["file"] == (dir / "both" / "avx2.json").string());
  CHECK(dbs[1]["entries_used"] == nlohmann::json::array({head}));

  // Without the AVX2 database the AVX2 kernel of that conv is another one; the AVX-512 one is not.
  Compiled first_only = compile_with_db(dir, dir / "avx512", "avx512_only", target);
  CHECK(only_database(first_only)["isa"] == "x86-avx512");
  CHECK(differing_kernels(dir / "lib_both", dir / "lib_avx512_only", "avx512").empty());
  CHECK(differing_kernels(dir / "lib_both", dir / "lib_avx512_only", "avx2").size() == 1);

  // A file goes to the ISA it was tuned for, the later one too.
  Compiled file = compile_with_db(dir, dir / "both" / "avx2.json", "avx2_file", target);
  CHECK(only_database(file)["isa"] == "x86-avx2");
  CHECK(differing_kernels(dir / "lib_both", dir / "lib_avx2_file", "avx2").empty());
}

TEST_CASE("compile --caches records the cache sizes in manifest.json; bad sizes are usage errors, for tune too") {
  fs::path dir = scratch("caches");
  auto compile = [&](const std::string& name, std::vector<std::string> more) {
    std::vector<std::string> args = {"compile", EFFNETC_TUNE_TINY_SPEC, "--random-weights", "1", "--target", kTarget,
                                     "-o",      (dir / name).string()};
    args.insert(args.end(), more.begin(), more.end());
    return run(args, dir / (name + ".txt"));
  };
  auto caches = [&](const std::string& name) {
    INFO(read_text(dir / (name + ".txt")));
    return nlohmann::json::parse(read_text(dir / name / "manifest.json")).at("caches");
  };
  REQUIRE(compile("given", {"--caches", "512K,8M"}) == 0);
  CHECK(caches("given") == nlohmann::json{{"l2_bytes", 512 << 10}, {"l3_bytes", 8 << 20}, {"from", "--caches"}});
  REQUIRE(compile("builtin", {}) == 0);
  CHECK(caches("builtin") == nlohmann::json{{"l2_bytes", 1 << 20}, {"l3_bytes", 32 << 20}, {"from", "target facts"}});
  if (host_caches()) {
    REQUIRE(compile("host", {"--caches", "host"}) == 0);
    CHECK(caches("host")["l2_bytes"] == host_caches()->l2_bytes);
    CHECK(caches("host")["from"] == "host");
  }
  for (const auto& [arg, message] : std::vector<std::pair<std::string, std::string>>{
           {"8M", "--caches expects host or L2,L3 sizes such as 512K,8M (L3 0: none), got '8M'"},
           {"512K,8MB", "--caches expects host or L2,L3 sizes"},
           {"4K,8M", "--caches: an L2 of 4096 bytes is outside 16K..1G"},
           {"1M,512K", "--caches: an L3 of 524288 bytes is neither 0 nor within L2..64G"}}) {
    INFO(arg);
    CHECK(compile("bad", {"--caches", arg}) == 2);
    CHECK(read_text(dir / "bad.txt").find(message) != std::string::npos);
  }
  CHECK(run({"compile", EFFNETC_TUNE_TINY_SPEC, "--random-weights", "1", "--target", "cuda", "-o",
             (dir / "cuda").string(), "--caches", "1M,8M"},
            dir / "cuda.txt") == 2);
  CHECK(read_text(dir / "cuda.txt").find("--caches sizes x86 schedules") != std::string::npos);
  // tune takes the same option (its defaults are what compile builds with it).
  CHECK(run(tune_args(dir / "db.json", {"--caches", "512K,8M", "--dry-run"}), dir / "tune.txt") == 0);
  CHECK(run(tune_args(dir / "db.json", {"--caches", "512K"}), dir / "tune_bad.txt") == 2);
  CHECK(read_text(dir / "tune_bad.txt").find("--caches expects host or L2,L3 sizes") != std::string::npos);
}
