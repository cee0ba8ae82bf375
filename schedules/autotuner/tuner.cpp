#include "schedules/autotuner/tuner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>

#include "ir/diagnostics.h"
#include "ir/passes/choose_tiling.h"
#include "schedules/autotuner/host_info.h"
#include "schedules/autotuner/search_space.h"
#include "schedules/autotuner/tuning_db.h"

namespace autotuner {
namespace {

using Clock = std::chrono::steady_clock;
using schedules::ScheduleParams;

constexpr double kMinGain = 0.01;   // the confirmed winner must beat the default by 1 % (timing noise)
constexpr int kConfirmations = 3;   // children that time a search's winner against the default
constexpr int kFallbacks = 2;       // earlier bests confirmed when the search's last best is not
constexpr int kMaxTileVectors = 4;  // register tiles tried whole: 1..4 vectors of channels

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string duration_str(double s) {
  long t = std::max(0L, long(std::lround(s)));
  char buf[32];
  if (t >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", t);
  return buf;
}

std::string ms_str(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g ms", ms);
  return buf;
}

// The gain a candidate needs over the best to win one paired trial: a pair's ratio scatters more
// the shorter the unit (a schedule paired with itself: 0.99-1.03x on a 0.37 ms unit, 0.99-1.10x
// on a 0.07 ms one, docs/tuning.md), and a descent that takes wins inside that scatter chains
// them (b0's classifier went 40 -> 8 -> 32 -> 64 lanes, and the last lost its confirmation).
// 2 % at 1 ms, scaled by 1/sqrt(time), kept between kMinGain and 8 %.
double search_margin(double default_ms) {
  return std::clamp(0.02 / std::sqrt(std::max(default_ms, 1e-6)), kMinGain, 0.08);
}

std::string ratio_str(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fx", r);
  return buf;
}

// The schedules the database gives the other nodes of a key's unit (the entries `compile --db`
// applies, ir::tuned_knobs_apply), by node id. A key is timed beside them, as a tuned library
// runs it: beside the defaults, an entry was chosen for neighbours that library no longer has.
// Nodes of the key's own kind stay at their defaults, as before; an entry that does not parse
// is left out (compile --db names it).
codegen::UnitSchedule tuned_neighbours(const ir::Graph& g, const codegen::Unit& u, int node, const TuningDb& db,
                                       const schedules::TargetFacts& facts) {
  codegen::UnitSchedule tuned;
  const std::string own = ir::tuning_key(g, g.node(node));
  for (int id : u.nodes) {
    const ir::Node& n = g.node(id);
    const std::string key = ir::tuning_key(g, n);
    auto e = db.entries.find(key);
    if (key == own || e == db.entries.end() || e->second.knobs.empty() ||
        !ir::tuned_knobs_apply(e->second.best_ms, e->second.default_ms))
      continue;
    try {
      tuned[id] = schedules::schedule_from_json(e->second.knobs, "database entry " + key,
                                                schedules::default_schedule(g, n, facts));
    } catch (const ir::UserError&) {
    }
  }
  return tuned;
}

class KeyTuner {
 public:
  // `neighbours`: schedules of other nodes of the unit in place of their defaults (tuned_neighbours).
  KeyTuner(const Workload& w, const TuneTask& t, const schedules::TargetFacts& facts, const TuneOptions& o,
           Clock::time_point budget_end, const codegen::UnitSchedule& neighbours)
      : g_(w.graphs[t.graph]),
        unit_(w.units[t.graph][t.unit]),
        node_(g_.node(t.node)),
        facts_(facts),
        o_(o),
        budget_end_(budget_end) {
    base_ = codegen::unit_schedule(g_, unit_, facts, false);
    for (const auto& [id, s] : neighbours) base_[id] = s;
  }

  // The entry for this key, or false when the budget ran out before the default was measured.
  bool run(Clock::time_point key_end, const DbEntry* previous, DbEntry& e) {
    ScheduleParams defaults = base_.at(node_.id);
    Measurement m = measure_with(defaults, nullptr, false);
    if (m.timed_out && Clock::now() >= budget_end_) return false;
    e.trials = 1 + (previous ? previous->trials : 0);
    e.failed = previous ? previous->failed : 0;
    if (!m.ok) {
      e.failed++;
      e.error = "default schedule failed: " + m.error;
      e.complete = false;  // --resume tries again
      note("default schedule failed: " + m.error);
      return true;
    }
    reference_ = std::move(m.output);
    e.default_ms = m.ms;
    margin_ = search_margin(m.ms);
    best_ = defaults;
    tried_.insert(schedules::schedule_str(defaults));
    note("default " + ms_str(m.ms) + " [" + schedules::schedule_str(defaults) + "]");
    if (o_.adams2019) {
      Measurement a = measure_with(defaults, &reference_, true);
      if (a.ok) e.adams2019_ms = a.ms;
      note(a.ok ? "Adams2019 " + ms_str(a.ms) : "Adams2019 failed: " + a.error);
    } else if (previous) {
      e.adams2019_ms = previous->adams2019_ms;  // a resumed key keeps the baseline an earlier run timed
    }
    if (previous && !previous->knobs.empty()) {
      try {
        try_candidate(schedules::schedule_from_json(previous->knobs, "previous entry", defaults), e);
      } catch (const ir::UserError& err) {
        note(std::string("previous entry not usable: ") + err.what());
      }
    }
    // Whole register tiles first (register_tiles, each with the pixels that suit it): a handful
    // of the likeliest winners, which a descent cut short by its key's time share never reached
    // on b5's and b6's heaviest keys. Then a greedy coordinate descent from the best: sweep the
    // knobs until a sweep changes nothing (a sweep changes one knob at a time, so it pairs a
    // wider tile with a narrower one's pixels, which may spill); if it moved, the tiles of its
    // best once more, and another descent if one of them won.
    bool out_of_time = false, out_of_trials = false, improved = true;
    auto must_stop = [&]() {
      if (e.trials - (previous ? previous->trials : 0) >= o_.max_trials) out_of_trials = true;
      if (Clock::now() >= key_end || Clock::now() >= budget_end_) out_of_time = true;
      return out_of_time || out_of_trials;
    };
    const bool tiled = find_knob("tile_pixels").has_value();
    auto try_tiles = [&]() {
      bool won = false;
      for (const ScheduleParams& c : register_tiles(best_)) {
        if (tried_.count(schedules::schedule_str(c))) continue;
        if (must_stop()) break;
        won = try_candidate(c, e) || won;
      }
      return won;
    };
    if (tiled) try_tiles();
    ScheduleParams tiles_from = best_;
    while (improved && !out_of_time && !out_of_trials) {
      improved = false;
      // Knobs by name, each looked up again in the space of the best so far: a win can take a
      // knob out of the space (a 40-channel conv in 40-lane vectors leaves tile_channels one
      // value), and an index taken before it then read past the end (the tuner's SIGSEGV in
      // memmove, on b6's 132² 240->40 projection after a 40-lane win, 2026-11-29).
      std::vector<std::string> names;
      for (const KnobChoice& k : search_space(g_, node_, best_)) names.push_back(k.name);
      for (const std::string& name : names) {
        if (out_of_time || out_of_trials) break;
        std::optional<KnobChoice> knob = find_knob(name);
        if (!knob) continue;
        for (int v : knob->values) {
          ScheduleParams c = with_knob(best_, *knob, v);
          if (tried_.count(schedules::schedule_str(c))) continue;
          if (must_stop()) break;
          improved = try_candidate(c, e) || improved;
        }
      }
      if (improved || !tiled || best_ == tiles_from) continue;
      tiles_from = best_;
      improved = try_tiles();
    }
    bool confirmed = confirm(defaults, e);
    e.knobs = schedules::to_json(best_);
    e.complete = !out_of_time && confirmed;
    return true;
  }

 private:
  // Whole register tiles: 1..kMaxTileVectors vectors of `from`'s width. (A 24- or 40-channel
  // 1x1 conv's channels in 8-lane vectors, once a candidate here and then the default, are reached
  // by the descent now: vector_width 8, then tile_channels 24 or 40.)
  std::vector<ScheduleParams> register_tiles(const ScheduleParams& from) const {
    std::vector<ScheduleParams> tiles;
    const int64_t channels = node_.shape[0];
    for (int m = 1; m <= kMaxTileVectors && int64_t(m - 1) * from.vector_width < channels; m++)
      tiles.push_back(schedules::with_register_tile(from, m, node_, facts_));
    return tiles;
  }

  // `s` alone, or in turn with `baseline` (measure.h) when that is given.
  Measurement measure_with(const ScheduleParams& s, const std::vector<float>* reference, bool adams,
                           const ScheduleParams* baseline = nullptr) {
    MeasureRequest rq;
    rq.graph = &g_;
    rq.unit = &unit_;
    rq.facts = &facts_;
    rq.schedule = base_;
    rq.schedule[node_.id] = s;
    if (baseline) {
      rq.baseline = base_;
      (*rq.baseline)[node_.id] = *baseline;
    }
    rq.threads = o_.threads;
    rq.deadline = std::min(budget_end_, Clock::now() + std::chrono::milliseconds(long(o_.candidate_timeout_s * 1000)));
    rq.reference = reference;
    rq.adams2019 = adams;
    rq.hook = o_.child_hook;
    Measurement m = measure(rq);
    if (m.ok && o_.time_hook) {
      o_.time_hook(s, m.ms);
      if (baseline) {
        o_.time_hook(*baseline, m.baseline_ms);
        m.ratio = m.ms / m.baseline_ms;
      }
    }
    return m;
  }

  // Each candidate was timed in turn with the best so far, in one child (measure.h): the VM's
  // phases, in which everything runs ~1.5x slower for seconds to minutes, then slow both alike
  // (timed alone in separate children, a unit's default took 0.37 or 0.63 ms at 2 threads, and a
  // default timed in a slow phase lost to whatever came after it). What one child cannot rule
  // out is its own luck, and a descent can chain small wins; so the search's winner is timed in
  // turn with the default in kConfirmations more children and kept only when the median ratio
  // beats it by kMinGain. The median, not the worst: where the second vCPU is taken away for a
  // while, a schedule that wins by splitting work over the threads loses in that child (b0's
  // classifier as 25 40-lane vectors in parallel chunks: 0.82x in its trial, 1.14x in one
  // confirming child). When the last best is not confirmed, the bests before it are, latest
  // first, up to kFallbacks of them: a chain's first step is often the real win and its later
  // steps luck. The entry then holds the least disturbed of the default's times and the
  // winner's time as that times the median ratio.
  // Sets the entry's times; false when the budget left no time to confirm (the default is kept).
  bool confirm(const ScheduleParams& defaults, DbEntry& e) {
    std::vector<ScheduleParams> winners = {best_};
    for (auto it = chain_.rbegin(); it != chain_.rend() && int(winners.size()) <= kFallbacks; ++it)
      if (!(*it == defaults)) winners.push_back(*it);
    best_ = defaults;
    e.best_ms = e.default_ms;  // until a winner is confirmed
    if (winners.front() == defaults) return true;
    std::optional<double> default_ms;
    for (const ScheduleParams& w : winners) {
      std::vector<double> ratios;
      for (int i = 0; i < kConfirmations; i++) {
        Measurement m = Clock::now() < budget_end_ ? measure_with(w, &reference_, false, &defaults) : Measurement{};
        if (!m.ok) {
          note("confirmation cut short" + (m.error.empty() ? std::string() : ": " + m.error) + "; keeping the default");
          return false;
        }
        default_ms = std::min(default_ms.value_or(m.baseline_ms), m.baseline_ms);
        ratios.push_back(m.ratio);
      }
      std::sort(ratios.begin(), ratios.end());
      const double ratio = ratios[ratios.size() / 2];
      e.default_ms = e.best_ms = *default_ms;
      std::string figures = ratio_str(ratio) + " the default's time (median of " + std::to_string(kConfirmations) +
                            " children, " + ratio_str(ratios.front()) + " to " + ratio_str(ratios.back()) +
                            "), default " + ms_str(*default_ms) + " [" + schedules::schedule_str(w) + "]";
      if (ratio < 1 - kMinGain) {
        best_ = w;
        e.best_ms = *default_ms * ratio;
        note("confirmed: " + figures);
        return true;
      }
      note("not confirmed: " + figures);
    }
    note("keeping the default");
    return true;
  }

  // Measures `c`; true when it became the best.
  bool try_candidate(const ScheduleParams& c, DbEntry& e) {
    std::string name = schedules::schedule_str(c);
    if (!tried_.insert(name).second) return false;
    Measurement m = measure_with(c, &reference_, false, &best_);
    if (m.timed_out && Clock::now() >= budget_end_) return false;  // cut by the budget: not a trial
    e.trials++;
    if (!m.ok) {
      e.failed++;
      note("trial " + std::to_string(e.trials) + " failed [" + name + "]: " + m.error);
      return false;
    }
    if (!(m.ratio < 1 - margin_)) return false;
    chain_.push_back(best_);
    best_ = c;
    note("trial " + std::to_string(e.trials) + ": " + ratio_str(m.ratio) + " the best's time, in turn (" +
         ms_str(m.ms) + " vs " + ms_str(m.baseline_ms) + ") [" + name + "] new best");
    return true;
  }

  // The knob `name` of the best's search space, if it has one.
  std::optional<KnobChoice> find_knob(const std::string& name) const {
    for (auto& k : search_space(g_, node_, best_))
      if (k.name == name) return k;
    return std::nullopt;
  }

  void note(const std::string& line) {
    if (o_.progress) *o_.progress << "tune:   " << line << "\n" << std::flush;
  }

  const ir::Graph& g_;
  const codegen::Unit& unit_;
  const ir::Node& node_;
  const schedules::TargetFacts& facts_;
  const TuneOptions& o_;
  Clock::time_point budget_end_;
  codegen::UnitSchedule base_;
  std::vector<float> reference_;
  ScheduleParams best_;
  double margin_ = kMinGain;           // search_margin() of the default's time
  std::vector<ScheduleParams> chain_;  // the bests before best_, the default first
  std::set<std::string> tried_;
};

// The database to extend: a matching one, or a new one (see docs/tuning.md for the rules).
TuningDb open_db(const TuneOptions& o, const DbIdentity& id) {
  DbLoad l = load_db(o.db_path, &id);
  if (l.status == DbStatus::ok) return l.db;
  TuningDb fresh;
  fresh.id = id;
  if (l.status == DbStatus::missing) {
    if (o.resume && o.progress) *o.progress << "tune: " << o.db_path << " does not exist yet: nothing to resume\n";
    return fresh;
  }
  if (l.status == DbStatus::not_a_file)
    throw ir::UserError(l.problem + "; --db names the database file to write (compile --db also takes a directory)");
  if (o.resume)
    throw ir::UserError(l.problem +
                        "; --resume continues only a database of this target, CPU, thread count and "
                        "effnetc version (move it away to start afresh)");
  std::string backup = o.db_path + ".bak";
  std::error_code ec;
  std::filesystem::rename(o.db_path, backup, ec);
  if (ec) throw ir::UserError(l.problem + "; cannot move it to " + backup + ": " + ec.message());
  std::fprintf(stderr, "effnetc tune: warning: %s; ignored (moved to %s), a new database is written\n",
               l.problem.c_str(), backup.c_str());
  return fresh;
}

}  // namespace

TuneSummary tune(const Workload& w, const std::vector<TuneTask>& tasks, const schedules::TargetFacts& facts,
                 const TuneOptions& o) {
  if (!host_runs(facts))
    throw ir::UserError("this CPU (" + cpu_model() + ") cannot run " + facts.name +
                        " code, so it cannot time it: tune a target it supports");
  auto start = Clock::now();
  auto budget_end = start + std::chrono::milliseconds(long(o.budget_s * 1000));
  TuningDb db = open_db(o, DbIdentity{facts.name, cpu_model(), o.threads});
  TuneSummary sum;
  sum.tasks = int(tasks.size());
  std::vector<const TuneTask*> todo;
  for (const auto& t : tasks) {
    auto it = db.entries.find(t.key);
    if (o.resume && it != db.entries.end() && it->second.complete)
      sum.skipped++;
    else
      todo.push_back(&t);
  }
  // Heaviest keys first, each with a share of the remaining budget in proportion to its weight;
  // with --resume, first the keys no run has reached, their shares of the weight among them, then
  // the unfinished ones with what is left. By weight over all of them each resumed run spent its
  // budget on the heavy keys earlier runs had cut short, and the light keys at the end of the list
  // were never reached (the thirtieth session's AVX2 runs on the Zen 1: b4..b7's 21-27 heaviest
  // keys again, none of the 164 never tuned); first in the list but with those shares, 188 such
  // keys of the Zen 3's got 1-4 s each, their default's timing and no candidate.
  auto by_weight = [](const TuneTask* a, const TuneTask* b) { return a->weight > b->weight; };
  auto fresh_end = std::stable_partition(todo.begin(), todo.end(),
                                         [&](const TuneTask* t) { return !o.resume || db.entries.count(t->key) == 0; });
  std::stable_sort(todo.begin(), fresh_end, by_weight);
  std::stable_sort(fresh_end, todo.end(), by_weight);
  const size_t fresh = size_t(fresh_end - todo.begin());
  double weight_left[2] = {0, 0};  // of the keys not reached (or all without --resume), of the unfinished
  for (size_t k = 0; k < todo.size(); k++) weight_left[k >= fresh] += std::max(todo[k]->weight, 1.0);
  std::ostream* out = o.progress;
  if (out && o.resume)
    *out << "tune: resume: " << sum.skipped << " of " << tasks.size() << " key(s) already tuned; " << fresh
         << " not reached yet go first, then " << todo.size() - fresh << " unfinished\n";
  for (size_t k = 0; k < todo.size(); k++) {
    const TuneTask& t = *todo[k];
    auto now = Clock::now();
    if (now >= budget_end) {
      sum.budget_exhausted = true;
      break;
    }
    double& group_weight = weight_left[k >= fresh];
    double left = seconds_between(now, budget_end), share = left * std::max(t.weight, 1.0) / group_weight;
    group_weight -= std::max(t.weight, 1.0);
    if (out)
      *out << "tune: key " << (k + 1) << "/" << todo.size() << ": " << t.key << "\n"
           << "tune:   timed in " << t.where << "; " << duration_str(left) << " left, up to " << duration_str(share)
           << " for this key\n"
           << std::flush;
    auto previous = db.entries.find(t.key);
    bool resumable = o.resume && previous != db.entries.end();
    const ir::Graph& g = w.graphs[t.graph];
    codegen::UnitSchedule neighbours = tuned_neighbours(g, w.units[t.graph][t.unit], t.node, db, facts);
    if (out && !neighbours.empty())
      *out << "tune:   beside " << neighbours.size() << " node(s) of its unit at their database entries\n";
    DbEntry e;
    KeyTuner tuner(w, t, facts, o, budget_end, neighbours);
    if (!tuner.run(now + std::chrono::milliseconds(long(share * 1000)), resumable ? &previous->second : nullptr, e)) {
      sum.budget_exhausted = true;
      break;
    }
    e.unit = t.where;
    db.entries[t.key] = e;
    write_db_atomic(o.db_path, db);
    sum.tuned++;
    if (!e.complete) sum.incomplete++;
    if (out) {
      *out << "tune: key " << (k + 1) << "/" << todo.size() << " done: " << e.trials << " trial(s), " << e.failed
           << " failed";
      if (e.best_ms && e.default_ms)
        *out << ", best " << ms_str(*e.best_ms) << " vs default " << ms_str(*e.default_ms) << " ("
             << std::round(*e.default_ms / *e.best_ms * 100) / 100 << "x)";
      *out << (e.complete ? "" : ", time share used up (incomplete)") << "; "
           << duration_str(seconds_between(Clock::now(), budget_end)) << " left\n"
           << std::flush;
    }
  }
  if (sum.tuned + sum.skipped < sum.tasks) sum.budget_exhausted = true;
  return sum;
}

}  // namespace autotuner
