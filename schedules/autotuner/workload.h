// The tuner's work: the distinct tuning keys (ir::tuning_key) of the tunable nodes of one or
// more networks after the pass pipeline, each with the first compilation unit (in the order
// the specs are given) that contains a node of that key: that unit is what gets timed.
// Keys are sorted, so every run over the same specs sees the same list; shard_tasks picks
// every n-th key, so shards 0..n-1 of a list cover each key exactly once.
#pragma once

#include <string>
#include <vector>

#include "codegen/units.h"
#include "frontend/spec.h"
#include "ir/graph.h"
#include "schedules/target_facts.h"

namespace autotuner {

struct TuneTask {
  std::string key;
  size_t graph = 0;   // index into Workload::graphs
  int node = -1;      // node id in that graph
  size_t unit = 0;    // index into Workload::units[graph]
  std::string where;  // "efficientnet_b0 unit 4 (features.2.1)"
  double weight = 0;  // estimated work: MACs (or values read) per sample, summed over the key's nodes
};

struct Workload {
  std::vector<ir::Graph> graphs;                  // after the pass pipeline, default sched.* attrs
  std::vector<std::vector<codegen::Unit>> units;  // per graph
  std::vector<TuneTask> tasks;                    // one per distinct key, sorted by key
  int tunable_nodes = 0;                          // over all graphs, repeats included
};

// `match`: keep only keys containing this text ("" = all).
Workload collect_work(const std::vector<frontend::Spec>& specs, const schedules::TargetFacts& facts,
                      const std::string& match);

// Shard `index` of `count` (0 <= index < count): tasks index, index + count, ...
std::vector<TuneTask> shard_tasks(const std::vector<TuneTask>& tasks, int index, int count);

}  // namespace autotuner
