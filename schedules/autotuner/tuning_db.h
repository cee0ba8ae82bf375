// The tuned schedule database (docs/tuning.md): identity (format, effnetc version, target
// facts name, CPU model, threads) and one entry per ir::tuning_key with the chosen knobs and
// what was measured. Loading never throws on file contents: a missing, corrupt, stale or
// foreign file comes back as a status with a one-line reason. Writes are atomic (temp file in
// the same directory, fsync, rename, fsync of the directory). choose_tiling reads the same file.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace autotuner {

// 2: times measured with 1x1 weights in blocks of their register tile (pass block_weights,
// sixth session). Format 1 files hold times of the plain OIHW layout: their knobs would still
// compile, but their default_ms/best_ms no longer describe what they choose between.
constexpr int kDbFormat = 2;
const std::string& effnetc_version();

struct DbIdentity {
  std::string target;  // schedules::target_facts name: "x86-avx512"
  std::string cpu;     // cpu_model() of the machine that measured
  int threads = 0;     // Halide threads the measurements used
};

struct DbEntry {
  nlohmann::json knobs = nlohmann::json::object();  // the searched knobs' chosen values ({} = defaults)
  std::optional<double> best_ms, default_ms, adams2019_ms;
  int trials = 0, failed = 0;  // candidates measured (default included), of which failed
  bool complete = true;        // false: the budget (or a kill) cut the search short; --resume continues it
  std::string unit;            // where it was timed: "efficientnet_b0 unit 4 (features.2.1)"
  std::string error;           // the default schedule itself failed: knobs stay {}
};

struct TuningDb {
  DbIdentity id;
  std::string version = effnetc_version();
  int format = kDbFormat;
  std::map<std::string, DbEntry> entries;  // by tuning key
};

// not_a_file: a directory or FIFO at the path, never read, and never moved aside as a corrupt file is.
enum class DbStatus { ok, missing, not_a_file, corrupt, stale, foreign };

struct DbLoad {
  DbStatus status = DbStatus::missing;
  TuningDb db;          // valid when status is ok (or foreign: the identity is filled)
  std::string problem;  // one line naming the file, empty when ok
};

// `expected`: the identity to check against (threads 0: any); nullptr: check format and version only.
DbLoad load_db(const std::string& path, const DbIdentity* expected);
// How `have` differs from `want` (threads 0: any), e.g. "CPU 'X', expected 'Y'"; "" when it does not.
std::string identity_mismatch(const DbIdentity& have, const DbIdentity& want);
nlohmann::json db_to_json(const TuningDb& db);
// Parses and validates (throws ir::UserError naming `where` and the JSON path).
TuningDb db_from_json(const nlohmann::json& j, const std::string& where);
// Atomic replace of `path`; throws ir::UserError when the directory is not writable.
void write_db_atomic(const std::string& path, const TuningDb& db);

// One database from several of one identity (else ir::UserError naming the file). A key in
// several keeps a complete entry over an incomplete one, then the lower best_ms.
TuningDb merge_dbs(const std::vector<std::string>& paths);

// The entries the graph's nodes use (their tuning keys; ir::tuned_knobs_apply), sorted.
std::vector<std::string> used_entries(const ir::Graph& g, const TuningDb& db);

}  // namespace autotuner
