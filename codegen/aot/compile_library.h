// effnetc's back end (x86, or cuda with codegen/aot/glue_cuda.h): turns a packed graph
// (ir/passes/pack_weights.h) into <dir>/lib<lib>.a + <lib>.h + manifest.json (+ <lib>.weights).
// Each compilation unit's kernel is compiled once per signature and per ISA (object +
// header, no_runtime, user_context), next to one standalone Halide runtime, the packed blob
// (.incbin object) and the generated C glue; `cc` and `ar` (or $CC / $AR) finish the archive.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "schedules/schedule_params.h"

namespace codegen {

struct CompileOptions {
  std::string out_dir;
  std::vector<std::string> facts;  // target facts names in dispatch order: {"x86-avx512", "x86-avx2"}, {"cuda"}
  bool external_weights = false;
  bool schedule_attrs = true;  // honour the graph's sched.* attrs for the first ISA (defaults elsewhere)
  // The kernels of the ISAs after the first: tuned schedules (ir::tuned_schedules) by target facts
  // name and node id; a node absent here takes default_schedule.
  std::map<std::string, std::map<int, schedules::ScheduleParams>> tuned_schedules;
  std::string target;          // as the user wrote it, for the manifest
  nlohmann::json manifest;     // extra manifest fields (spec, fusion, ...)
  std::ostream* progress = nullptr;
};

struct CompileResult {
  int units = 0, kernels = 0;
  double seconds = 0;
  std::string archive, header;
};

// `lib` names the library and its symbols (a C identifier). Throws ir::UserError for what the
// user can fix (an unwritable directory, a failing `cc`), ir::InternalError for broken plans.
CompileResult compile_library(const ir::Graph& g, const std::vector<float>& blob, const std::string& lib,
                              const CompileOptions& options);

}  // namespace codegen
