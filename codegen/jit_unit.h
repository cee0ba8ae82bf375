// Runs a lowered unit JIT-compiled for this host from LoweredUnit::compile_to_module: the Module
// the AOT path compiles, with the math library that AVX-512 kernels call linked in (Halide 14's
// Pipeline::realize takes no external code, so it cannot run them). Buffers are passed per call.
#pragma once

#include <Halide.h>

#include <mutex>
#include <string>
#include <vector>

#include "codegen/lower_to_halide.h"

namespace codegen {

class JitUnit {
 public:
  // `target`: a host target (JIT and UserContext are added); `handlers`: runtime overrides such
  // as custom_do_par_for, the rest keep Halide's JIT defaults, except custom_error: run() collects
  // the messages for its exception.
  JitUnit(LoweredUnit& lu, const Halide::Target& target, const Halide::JITHandlers& handlers = {});

  // `inputs` and `weights` in LoweredUnit order, `bands` for a kernel that takes a band count
  // (ignored otherwise), `outputs` in Unit::outputs order. Throws ir::InternalError with Halide's
  // message when the kernel fails.
  void run(const std::vector<halide_buffer_t*>& inputs, const std::vector<halide_buffer_t*>& weights, int bands,
           const std::vector<halide_buffer_t*>& outputs) const;

 private:
  struct Context : Halide::JITUserContext {
    std::mutex lock;  // kernel tasks on several threads may report errors at once
    std::string error;
  };

  Halide::Internal::JITModule module_;
  Halide::JITHandlers handlers_;  // every entry set: the caller's, the error collector, Halide's defaults
  size_t inputs_ = 0, weights_ = 0, outputs_ = 0;
  bool bands_ = false;
};

}  // namespace codegen
