// The tuning loop: heaviest keys (TuneTask::weight) first, each measures the default schedule
// of the key's node in its unit, the unit's other nodes at their applicable database entries as
// compile --db builds them (the reference output and default time), then refines the node's knobs by
// greedy coordinate descent over search_space (each knob's candidates with the others fixed,
// sweeps until none improves by 1 %; then whole register tiles of 1-4 channel vectors and, if
// one won, more sweeps), within --trials and a weight share of the budget left.
// After every key the database is rewritten atomically, so a kill loses at most that key;
// with `resume` keys whose entry is complete are skipped, keys without one are tuned first and
// incomplete ones continue after them.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "schedules/autotuner/measure.h"
#include "schedules/autotuner/workload.h"

namespace autotuner {

struct TuneOptions {
  std::string db_path;
  bool resume = false;
  double budget_s = 600;
  int max_trials = 64;  // candidates per key, the default included
  int threads = 1;
  bool adams2019 = false;
  double candidate_timeout_s = 120;  // per candidate: lowering, JIT compile and timing
  std::ostream* progress = nullptr;  // one line per key (start, end), per improvement and per failure
  ChildHook child_hook;              // tests only
  // tests only: run in the parent on every successful measurement; may rewrite its time
  std::function<void(const schedules::ScheduleParams&, double& ms)> time_hook;
};

struct TuneSummary {
  int tasks = 0;    // in this run (after the shard)
  int skipped = 0;  // already complete in the database (resume)
  int tuned = 0;    // entries written
  int incomplete = 0;
  bool budget_exhausted = false;  // stopped before every task was tuned
};

// Throws ir::UserError when the database cannot be resumed or written, or the CPU cannot run `facts`.
TuneSummary tune(const Workload& w, const std::vector<TuneTask>& tasks, const schedules::TargetFacts& facts,
                 const TuneOptions& o);

}  // namespace autotuner
