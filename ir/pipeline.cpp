#include "ir/pipeline.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include "ir/diagnostics.h"
#include "ir/passes/block_weights.h"
#include "ir/passes/choose_layout.h"
#include "ir/passes/choose_tiling.h"
#include "ir/passes/drop_dropout.h"
#include "ir/passes/fold_batch_norm.h"
#include "ir/passes/fuse_activation.h"
#include "ir/passes/fuse_residual.h"
#include "ir/passes/fuse_squeeze_excite.h"
#include "ir/passes/pack_weights.h"
#include "ir/passes/prescale_swish.h"
#include "ir/verifier.h"

namespace ir {
namespace {

std::string known_passes() {
  std::string s;
  for (const auto& p : pipeline_passes()) s += (s.empty() ? "" : ", ") + p;
  return s;
}

void check_pass_name(const std::string& name, const char* option) {
  const auto& passes = pipeline_passes();
  if (std::find(passes.begin(), passes.end(), name) == passes.end())
    throw UserError(std::string(option) + ": unknown pass '" + name + "' (passes: " + known_passes() + ")");
}

// Runs one pass unless disabled: times it, verifies the result and captures it if asked.
class PassRunner {
 public:
  PassRunner(Graph& g, const PipelineOptions& options) : g_(g), options_(options) {
    for (const auto& name : options.disabled) check_pass_name(name, "disabled pass");
    if (!options.dump_after.empty()) check_pass_name(options.dump_after, "dump after");
  }

  void operator()(const std::string& name, const std::function<void(PassLog&)>& pass, bool enabled = true) {
    if (result_.timings.size() >= pipeline_passes().size() || pipeline_passes()[result_.timings.size()] != name)
      throw InternalError("pipeline runs '" + name + "' out of the order pipeline_passes() lists");
    PassTiming t{name, 0.0, enabled && !options_.disabled.count(name)};
    if (t.ran) {
      auto start = std::chrono::steady_clock::now();
      pass(result_.log);
      t.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      verify_or_throw(g_, "after " + name);
    }
    result_.timings.push_back(t);
    if (name == options_.dump_after) result_.captured = g_;
  }

  void fusion(const std::string& name, const std::function<void(PassLog&)>& pass) {
    (*this)(name, pass, !options_.no_fusion);
  }

  PipelineResult take() { return std::move(result_); }

 private:
  Graph& g_;
  const PipelineOptions& options_;
  PipelineResult result_;
};

void verify_input(const Graph& g) {
  std::vector<std::string> problems = verify(g);
  if (problems.empty()) return;
  std::string more = problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : "";
  throw UserError("graph '" + g.name + "' is not valid IR: " + problems[0] + more);
}

}  // namespace

const std::vector<std::string>& pipeline_passes() {
  static const std::vector<std::string> passes = {
      "fold_batch_norm", "fuse_activation", "fuse_squeeze_excite", "fuse_residual", "drop_dropout",
      "prescale_swish",  "choose_layout",   "choose_tiling",       "block_weights", "pack_weights"};
  return passes;
}

PipelineResult run_pipeline(Graph& g, WeightMap* w, const PipelineOptions& options) {
  PassRunner run(g, options);
  verify_input(g);
  run("fold_batch_norm", [&](PassLog& log) { fold_batch_norm(g, w, log); });
  run.fusion("fuse_activation", [&](PassLog& log) { fuse_activation(g, log); });
  run.fusion("fuse_squeeze_excite", [&](PassLog& log) { fuse_squeeze_excite(g, log); });
  run.fusion("fuse_residual", [&](PassLog& log) { fuse_residual(g, log); });
  run("drop_dropout", [&](PassLog& log) { drop_dropout(g, log); });
  run("prescale_swish", [&](PassLog& log) { prescale_swish(g, w, options.target, log); });
  run("choose_layout", [&](PassLog& log) { choose_layout(g, w, log); });
  run("choose_tiling", [&](PassLog& log) { choose_tiling(g, options.target, options.tuned_db, log); });
  run("block_weights", [&](PassLog& log) { block_weights(g, w, options.target, log); });
  std::vector<float> packed;
  run(
      "pack_weights",
      [&](PassLog& log) {
        packed = pack_weights(g, *w);
        log.add("pack_weights",
                std::to_string(packed.size()) + " floats (" + std::to_string(packed.size() * 4) + " bytes)");
      },
      w != nullptr);
  PipelineResult result = run.take();
  result.packed = std::move(packed);
  return result;
}

}  // namespace ir
