// choose_tiling: writes every non-input node's `sched.*` attrs — schedules::default_schedule
// for the target's facts, overridden by a tuned database entry whose key (tuning_key) matches
// the node, unless the tuner's search for that entry kept the default (tuned_knobs_apply).
// Rewrites nothing else and leaves nodes that already carry sched.* attrs alone.
// Runs after choose_layout (defaults depend on the final, fused node). Database:
// {"target": "x86-avx512", "entries": {"<tuning_key>": {"tile_channels": 24, ...}, ...}}.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "ir/graph.h"
#include "ir/passes/pass_log.h"
#include "schedules/schedule_params.h"
#include "schedules/target_facts.h"

namespace ir {

// `target`: a schedules::target_facts name, or x86-64-linux[-avx2|-avx512] / cuda as the CLI
// spells it (plain x86-64-linux tiles for AVX-512, its best ISA). `tuned_db`: a file path or "".
// The facts of `target` (as above); an unknown one is a UserError listing the known ones.
const schedules::TargetFacts& target_facts_for(const std::string& target);

void choose_tiling(Graph& g, const std::string& target, const std::string& tuned_db, PassLog& log);

// The schedules the tuned database `tuned_db` (a file) gives the nodes of `g` on `facts`, by node
// id: default_schedule overridden by the node's entry, for the nodes that have one that applies.
// A database for other facts, or a malformed one, is a UserError naming the file.
std::map<int, schedules::ScheduleParams> tuned_schedules(const Graph& g, const schedules::TargetFacts& facts,
                                                        const std::string& tuned_db);

// Whether a database entry's knobs replace the node's default: a bare knobs object always; a
// tuner entry (best_ms, default_ms) only where its best beat the default it was timed against.
// An entry whose search kept the default holds that default's knobs, and a later effnetc whose
// default differs must not be pinned to the old one.
bool tuned_knobs_apply(std::optional<double> best_ms, std::optional<double> default_ms);

// What a tuned entry is keyed by, equal for nodes that compute the same shapes the same way:
// `conv2d [96,56,56]->[24,56,56] k1 s1 g1 act=none residual=0 in_scale=0`.
std::string tuning_key(const Graph& g, const Node& n);

}  // namespace ir
