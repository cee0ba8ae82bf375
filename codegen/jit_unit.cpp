#include "codegen/jit_unit.h"

#include "ir/graph.h"

namespace codegen {

JitUnit::JitUnit(LoweredUnit& lu, const Halide::Target& target, const Halide::JITHandlers& handlers)
    : handlers_(handlers),
      inputs_(lu.inputs.size()),
      weights_(lu.weights.size()),
      outputs_(0),
      bands_(lu.bands.has_value()) {
  for (const Halide::Func& f : lu.pipeline.outputs()) outputs_ += size_t(f.outputs());
  const std::string name = "jit_unit";
  Halide::Target t = target.with_feature(Halide::Target::JIT).with_feature(Halide::Target::UserContext);
  Halide::Module m = lu.compile_to_module(name, t).resolve_submodules();
  module_ = Halide::Internal::JITModule(m, m.get_function_by_name(name));
  handlers_.custom_error = [](Halide::JITUserContext* c, const char* message) {
    Context* context = static_cast<Context*>(c);  // run() passes its Context as the user context
    std::lock_guard<std::mutex> hold(context->lock);
    context->error += message;
  };
  // Fill the unset handlers with Halide's defaults once, not on every (timed) run.
  Halide::JITUserContext filled;
  Halide::Internal::JITSharedRuntime::populate_jit_handlers(&filled, handlers_);
  handlers_ = filled.handlers;
}

void JitUnit::run(const std::vector<halide_buffer_t*>& inputs, const std::vector<halide_buffer_t*>& weights,
                  int bands, const std::vector<halide_buffer_t*>& outputs) const {
  if (inputs.size() != inputs_ || weights.size() != weights_ || outputs.size() != outputs_)
    throw ir::InternalError("JitUnit::run: " + std::to_string(inputs.size()) + " inputs, " +
                            std::to_string(weights.size()) + " weights and " + std::to_string(outputs.size()) +
                            " outputs for a kernel of " + std::to_string(inputs_) + ", " + std::to_string(weights_) +
                            " and " + std::to_string(outputs_));
  // The argv convention of Halide's JIT: the address of the user context pointer first, then
  // each argument in order: a buffer as itself, a scalar by its address.
  Context context;
  context.handlers = handlers_;
  Halide::JITUserContext* user_context = &context;
  std::vector<const void*> argv{&user_context};
  for (auto* b : inputs) argv.push_back(b);
  for (auto* b : weights) argv.push_back(b);
  if (bands_) argv.push_back(&bands);
  for (auto* b : outputs) argv.push_back(b);
  int status = module_.argv_function()(argv.data());
  if (status != 0)
    throw ir::InternalError("JIT kernel failed with status " + std::to_string(status) + ": " + context.error);
}

}  // namespace codegen
