// Times one compilation unit under one schedule in a forked child process: the child lowers
// the unit (codegen/lower_to_halide.h), JIT-compiles it for the target ISA, runs it on fixed
// random inputs and weights (warm-up, then the median of repeats) and reports over a pipe; the
// parent kills it at the deadline. Given a baseline schedule, the child compiles that too and
// times the two in alternation, so their ratio does not depend on the machine's phase. A crash, a compile error, a timeout or an output outside
// |y-ref| <= 1e-4 + 1e-4|ref| of the reference is a failed Measurement, never an exception.
// The calling process must not have used Halide's JIT or thread pool (it forks).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "codegen/units.h"
#include "schedules/target_facts.h"

namespace autotuner {

// Test hook run in the child after the timed runs, before the comparison: it may crash,
// hang, throw or alter the output to exercise the failure paths.
using ChildHook = std::function<void(const codegen::UnitSchedule& schedule, std::vector<float>& output)>;

struct MeasureRequest {
  const ir::Graph* graph = nullptr;
  const codegen::Unit* unit = nullptr;
  const schedules::TargetFacts* facts = nullptr;
  codegen::UnitSchedule schedule;
  std::optional<codegen::UnitSchedule> baseline;  // set: timed in turn with `schedule` (not with Adams2019)
  int threads = 1;
  std::chrono::steady_clock::time_point deadline;
  const std::vector<float>* reference = nullptr;  // null: send the output back instead of comparing
  bool adams2019 = false;                         // ignore `schedule`: Adams2019 schedules the unit
  ChildHook hook;
};

struct Measurement {
  bool ok = false;
  bool timed_out = false;  // killed at the deadline
  double ms = 0;           // median time of one run
  double baseline_ms = 0;  // with a baseline: its median time of one run, from the same moments
  double ratio = 0;        // with a baseline: the median of ms / baseline_ms over pairs of batches
  double max_abs_error = 0;
  std::string error;          // why it failed, one line
  std::vector<float> output;  // every unit output, concatenated (only without a reference)
};

Measurement measure(const MeasureRequest& request);

// The graph a candidate is lowered and timed with: `graph` with the 1x1 convs of `schedule`
// blocked for their tiles (ir::set_weight_block), as a library compiled with that schedule
// would block them. Timed on the default tile's blocks, a 32-channel tile read 48-channel
// blocks and lost to the default by layout alone. The weights are drawn per logical tensor,
// so every candidate computes with the same ones.
ir::Graph candidate_graph(const ir::Graph& graph, const codegen::UnitSchedule& schedule);

}  // namespace autotuner
