#include "schedules/autotuner/adams2019.h"

#include <cstdlib>

namespace autotuner {
namespace {

const char* kPlugin = "/usr/lib/x86_64-linux-gnu/halide14/libautoschedule_adams2019.so";

// The same fixed extents and strides as codegen gives an activation, plus the estimates
// the autoscheduler needs (batch 1).
template <typename P>
void constrain(P&& p, const ir::Node& n) {
  const ir::Dims& s = n.shape;
  if (s.size() == 1) {
    p.dim(0).set_bounds(0, int(s[0])).set_stride(1).set_estimate(0, int(s[0]));
    p.dim(1).set_min(0).set_stride(int(s[0])).set_estimate(0, 1);
    return;
  }
  int c = int(s[0]), h = int(s[1]), w = int(s[2]);
  bool nchw = codegen::value_layout(n) == "nchw";
  p.dim(0).set_bounds(0, c).set_stride(nchw ? h * w : 1).set_estimate(0, c);
  p.dim(1).set_bounds(0, w).set_stride(nchw ? 1 : c).set_estimate(0, w);
  p.dim(2).set_bounds(0, h).set_stride(nchw ? w : c * w).set_estimate(0, h);
  p.dim(3).set_min(0).set_stride(c * h * w).set_estimate(0, 1);
}

}  // namespace

codegen::LoweredUnit adams2019_unit(const ir::Graph& g, const codegen::Unit& u, const schedules::TargetFacts& facts,
                                    int threads) {
  codegen::LoweredUnit lu;
  lu.math = codegen::math_for_isa(facts.isa);
  std::map<int, codegen::Value> values;
  for (size_t i = 0; i < u.inputs.size(); i++) {
    const ir::Node& n = g.node(u.inputs[i]);
    std::vector<Halide::Var> args = codegen::value_args(n.shape);
    Halide::ImageParam p(Halide::Float(32), int(args.size()), "in" + std::to_string(i));
    constrain(p, n);
    Halide::Func f("in" + std::to_string(i) + "_value");
    f(args) = p(args);
    values[n.id] = codegen::Value{f, n.shape};
    lu.inputs.push_back(p);
  }
  codegen::Weights weights;
  for (size_t i = 0; i < u.weights.size(); i++) {
    int size = int(ir::numel(u.weights[i].shape));
    Halide::ImageParam p(Halide::Float(32), 1, "w" + std::to_string(i));
    p.dim(0).set_bounds(0, size).set_estimate(0, size);
    p.set_host_alignment(64);
    weights.add(u.weights[i].name, p);
    lu.weights.push_back(p);
  }
  for (int id : u.nodes) {
    const ir::Node& n = g.node(id);
    std::vector<codegen::Value> in;
    for (int i : n.inputs) in.push_back(values.at(i));
    values[id] = codegen::Value{codegen::lower_node(n, in, weights, lu.math).out, n.shape};
  }
  std::vector<Halide::Func> outs;
  for (int id : u.outputs) {
    Halide::Func f = values.at(id).f;
    const ir::Dims& s = g.node(id).shape;
    std::vector<Halide::Var> args = codegen::value_args(s);
    std::vector<int> extents =
        s.size() == 1 ? std::vector<int>{int(s[0]), 1} : std::vector<int>{int(s[0]), int(s[2]), int(s[1]), 1};
    for (size_t d = 0; d < args.size(); d++) f.set_estimate(args[d], 0, extents[d]);
    constrain(f.output_buffer(), g.node(id));
    outs.push_back(f);
  }
  lu.pipeline = Halide::Pipeline(outs);
  Halide::load_plugin(kPlugin);
  setenv("HL_BEAM_SIZE", "1", 0);
  lu.pipeline.auto_schedule("Adams2019", Halide::Target(facts.halide_target),
                            Halide::MachineParams(threads, 32 << 20, 40));
  return lu;
}

}  // namespace autotuner
