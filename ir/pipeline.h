// The pass pipeline, in order: verify -> fold_batch_norm -> fuse_activation ->
// fuse_squeeze_excite -> fuse_residual -> drop_dropout -> prescale_swish -> choose_layout -> choose_tiling
// -> block_weights -> pack_weights (only with weights). Each pass is timed and followed by the verifier,
// can be disabled by name, and the graph after any pass can be captured. no_fusion
// disables the fuse_* passes (BN folding is a fold and stays).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/passes/pass_log.h"
#include "ir/tensor.h"

namespace ir {

struct PipelineOptions {
  std::set<std::string> disabled;  // pass names to skip
  bool no_fusion = false;
  std::string target = "x86-64-linux";  // prescale_swish's, choose_tiling's and block_weights' target
                                        // (ir/passes/choose_tiling.h)
  std::string tuned_db;                 // tuned schedule database (JSON); empty: target defaults
  std::string dump_after;               // capture the graph after this pass; empty: none
};

struct PassTiming {
  std::string pass;
  double ms = 0;
  bool ran = false;  // false when disabled (or pack_weights without weights)
};

struct PipelineResult {
  PassLog log;
  std::vector<PassTiming> timings;  // one per pass, in pipeline order
  std::optional<Graph> captured;    // the graph after options.dump_after
  std::vector<float> packed;        // pack_weights' blob (each Param's offset points into it); empty without weights
};

// The pass names in pipeline order (what `disabled` and `dump_after` may name).
const std::vector<std::string>& pipeline_passes();

// Rewrites `g` (and `w`, when not null) in place. A graph that fails the verifier before the
// first pass, or an unknown pass name in `options`, is a UserError; a pass that leaves an
// invalid graph is an InternalError naming it.
PipelineResult run_pipeline(Graph& g, WeightMap* w, const PipelineOptions& options);

}  // namespace ir
