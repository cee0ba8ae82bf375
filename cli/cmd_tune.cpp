// effnetc tune: times schedules for the distinct tuning keys of one or more networks on this
// machine and writes the tuned database that `effnetc compile --db` and choose_tiling read
// (schedules/autotuner, docs/tuning.md); --merge joins the databases of several shards.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <regex>
#include <thread>

#include "cli/args.h"
#include "cli/cache_arg.h"
#include "cli/commands.h"
#include "cli/spec_arg.h"
#include "ir/diagnostics.h"
#include "schedules/autotuner/host_info.h"
#include "schedules/autotuner/tuner.h"
#include "schedules/autotuner/tuning_db.h"

namespace cli {
namespace {

const char* kHelp =
    "usage: effnetc tune <b0..b7|spec.json|all>... --target x86-64-linux[-avx2|-avx512] [--budget 10m]\n"
    "                    [--trials N] [--db FILE] [--resume] [--shard i/n] [--threads T] [--match TEXT]\n"
    "                    [--adams2019] [--dry-run] [--caches host|L2,L3]\n"
    "       effnetc tune --merge A.json B.json ... -o OUT.json\n"
    "\n"
    "Times schedule candidates for every distinct tuning key of the networks (each key once, in the\n"
    "compilation unit that holds it) and writes the best knobs to the database after every key.\n"
    "  --target T       x86-64-linux or -avx512 tune AVX-512 code, -avx2 AVX2 code (the CPU must run it)\n"
    "  --budget D       wall-clock budget: 90s, 20m, 1h (default 10m, at most 8784h); stops at it,\n"
    "                   --resume goes on\n"
    "  --trials N       at most N candidates per key, the default schedule included (default 64)\n"
    "  --db FILE        the database (default: schedules/tuned/<target facts>-<CPU tag>.json in the source\n"
    "                   tree, e.g. x86-avx512-intel-f6-m167.json: one file per kind of machine)\n"
    "  --resume         skip keys the database has finished; tune keys it lacks, then continue unfinished ones\n"
    "  --shard i/n      tune only keys i, i+n, i+2n, ... of the sorted list (0 <= i < n)\n"
    "  --threads T      Halide threads for the timed runs (default: all cores); recorded in the database\n"
    "  --match TEXT     only keys containing TEXT (e.g. \"k1 s1\"); none is an error\n"
    "  --adams2019      also time Halide's Adams2019 autoscheduler on each key's unit (baseline)\n"
    "  --dry-run        list this shard's keys on stdout and exit\n"
    "  --caches C       default schedules sized for this CPU's caches (host) or these (512K,8M), as\n"
    "                   `effnetc compile --caches` builds them: use the same option for both\n"
    "  --merge          merge databases of one target, CPU and thread count into -o OUT\n";

// "90s", "20m", "1h", "45" (seconds) -> seconds; at most a year (a deadline beyond the clock's
// range would overflow into the past).
double parse_budget(const std::string& text) {
  static const std::regex re(R"(([0-9]{1,12}(\.[0-9]{1,12})?)([smh]?))");
  constexpr double kMaxBudget = 366 * 24 * 3600.0;
  std::smatch m;
  if (!std::regex_match(text, m, re) || std::stod(m[1]) <= 0)
    throw UsageError("--budget expects a positive duration like 90s, 20m or 1h, got '" + text + "'");
  double unit = m[3] == "h" ? 3600 : m[3] == "m" ? 60 : 1;
  if (std::stod(m[1]) * unit > kMaxBudget) throw UsageError("--budget is at most 8784h (a year), got '" + text + "'");
  return std::stod(m[1]) * unit;
}

std::pair<int, int> parse_shard(const std::string& text) {
  static const std::regex re(R"(([0-9]{1,6})/([0-9]{1,6}))");
  std::smatch m;
  if (!std::regex_match(text, m, re) || std::stoi(m[2]) < 1 || std::stoi(m[1]) >= std::stoi(m[2]))
    throw UsageError("--shard expects i/n with 0 <= i < n, got '" + text + "'");
  return {std::stoi(m[1]), std::stoi(m[2])};
}

std::string facts_for_target(const std::string& target) {
  if (target == "x86-64-linux" || target == "x86-64-linux-avx512") return "x86-avx512";
  if (target == "x86-64-linux-avx2") return "x86-avx2";
  throw ir::UserError("--target '" + target +
                      "': the tuner times x86 code only: x86-64-linux, x86-64-linux-avx512 "
                      "or x86-64-linux-avx2");
}

int merge(const Args& a) {
  if (!a.value("output")) throw UsageError("--merge needs -o OUT.json");
  autotuner::TuningDb db = autotuner::merge_dbs(a.positional);
  autotuner::write_db_atomic(*a.value("output"), db);
  std::printf("wrote %s: %zu entries from %zu database(s) (%s, %d thread(s))\n", a.value("output")->c_str(),
              db.entries.size(), a.positional.size(), db.id.target.c_str(), db.id.threads);
  return 0;
}

}  // namespace

int cmd_tune(const Argv& argv) {
  Args a = parse_args(argv, {"target", "budget", "trials", "db", "shard", "threads", "match", "output", "caches"},
                      {"resume", "adams2019", "dry-run", "merge"}, {{"-o", "output"}});
  if (a.flag("help")) {
    std::printf("%s", kHelp);
    return 0;
  }
  if (a.flag("merge")) {
    for (const char* other :
         {"target", "budget", "trials", "db", "shard", "threads", "match", "caches", "resume", "adams2019", "dry-run"})
      if (a.given(other)) throw UsageError(std::string("--merge takes databases and -o OUT only, not --") + other);
    return merge(a);
  }
  if (a.positional.empty()) throw UsageError("tune expects variants, spec files or 'all'\n" + std::string(kHelp));
  if (!a.value("target")) throw UsageError("missing --target (x86-64-linux, x86-64-linux-avx2, x86-64-linux-avx512)");
  if (a.value("output")) throw UsageError("-o is for --merge; the database is --db FILE");
  const nlohmann::json caches = apply_caches_arg(a.value("caches"));
  const schedules::TargetFacts& facts = schedules::target_facts(facts_for_target(*a.value("target")));

  std::vector<frontend::Spec> specs;
  for (const auto& arg : a.positional) {
    if (arg != "all") {
      specs.push_back(spec_from_arg(arg));
      continue;
    }
    for (const auto& name : frontend::builtin_names()) specs.push_back(*frontend::builtin_spec(name));
  }
  auto [shard, shards] = parse_shard(a.value_or("shard", "0/1"));
  autotuner::TuneOptions o;
  o.db_path = a.value_or("db", std::string(EFFNETC_SOURCE_DIR) + "/schedules/tuned/" + facts.name + "-" +
                                   autotuner::cpu_tag() + ".json");
  o.resume = a.flag("resume");
  o.budget_s = parse_budget(a.value_or("budget", "10m"));
  o.max_trials = int(a.int_value("trials", 64, 1, 100000));
  o.threads = int(a.int_value("threads", std::max(1u, std::thread::hardware_concurrency()), 1, 1024));
  o.adams2019 = a.flag("adams2019");
  o.progress = &std::cerr;

  autotuner::Workload w = autotuner::collect_work(specs, facts, a.value_or("match", ""));
  if (w.tasks.empty() && a.value("match"))
    throw ir::UserError("--match '" + *a.value("match") +
                        "': no tuning key of these networks contains it (list them "
                        "with --dry-run)");
  std::vector<autotuner::TuneTask> tasks = autotuner::shard_tasks(w.tasks, shard, shards);
  std::fprintf(stderr, "tune: %zu distinct tuning key(s) over %d tunable node(s) of %zu network(s); shard %d/%d: %zu\n",
               w.tasks.size(), w.tunable_nodes, specs.size(), shard, shards, tasks.size());
  if (a.flag("dry-run")) {
    for (const auto& t : tasks) std::printf("%s\t%s\n", t.key.c_str(), t.where.c_str());
    return 0;
  }

  std::filesystem::path parent = std::filesystem::path(o.db_path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (::access(parent.empty() ? "." : parent.c_str(), W_OK) != 0)
    throw ir::UserError(o.db_path + ": cannot write into " + (parent.empty() ? std::string(".") : parent.string()) +
                        ": " + std::strerror(errno));
  std::fprintf(stderr, "tune: database %s, %s, %d thread(s), budget %.0f s, caches L2 %lld K, L3 %lld K (%s)\n",
               o.db_path.c_str(), facts.name.c_str(), o.threads, o.budget_s, caches["l2_bytes"].get<long long>() >> 10,
               caches["l3_bytes"].get<long long>() >> 10, caches["from"].get<std::string>().c_str());
  autotuner::TuneSummary s = autotuner::tune(w, tasks, facts, o);
  std::printf("tune: %d key(s) tuned, %d already done, %d incomplete, %d left%s -> %s\n", s.tuned, s.skipped,
              s.incomplete, s.tasks - s.tuned - s.skipped,
              s.budget_exhausted || s.incomplete ? " (budget used up: run again with --resume to go on)" : "",
              o.db_path.c_str());
  return 0;
}

}  // namespace cli
