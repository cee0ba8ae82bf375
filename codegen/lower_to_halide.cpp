#include "codegen/lower_to_halide.h"

#include <set>

#include "codegen/ops/conv2d.h"
#include "codegen/ops/dense.h"
#include "codegen/ops/elementwise.h"
#include "codegen/ops/global_avg_pool.h"
#include "codegen/ops/squeeze_excite.h"
#include "ir/diagnostics.h"
#include "schedules/cuda/schedule_cuda.h"
#include "schedules/x86/schedule_x86.h"

namespace codegen {
namespace {

// Constant extents and strides for an activation buffer of `n`'s value; only the batch is free.
template <typename P>
void constrain_activation(P&& p, const ir::Node& n) {
  const ir::Dims& s = n.shape;
  if (s.size() == 1) {
    p.dim(0).set_bounds(0, int(s[0])).set_stride(1);
    p.dim(1).set_min(0).set_stride(int(s[0]));
    return;
  }
  int c = int(s[0]), h = int(s[1]), w = int(s[2]);
  bool nchw = value_layout(n) == "nchw";
  p.dim(0).set_bounds(0, c).set_stride(nchw ? h * w : 1);
  p.dim(1).set_bounds(0, w).set_stride(nchw ? 1 : c);
  p.dim(2).set_bounds(0, h).set_stride(nchw ? w : c * w);
  p.dim(3).set_min(0).set_stride(c * h * w);
}

bool reads_elementwise(const ir::Node& consumer, int value) {
  static const std::set<std::string> elementwise = {"batch_norm", "activation", "add", "dropout", "flatten"};
  if (elementwise.count(consumer.op)) return true;
  return consumer.op == "mul" && consumer.inputs[0] == value && consumer.inputs[1] != value;
}

// Checks every expand_rows > 0 knob (a conv read only by one depthwise conv of the unit and
// by nothing outside it) and gives that consumer row tasks of expand_rows rows (1: a band of the
// rows per the kernel's band count); returns consumer -> producer.
std::map<int, int> strip_fusions(const ir::Graph& g, const Unit& u, UnitSchedule& params) {
  std::map<int, int> producer_of;
  std::set<int> outputs(u.outputs.begin(), u.outputs.end());
  for (int id : u.nodes) {
    int rows = params.at(id).expand_rows;
    if (rows == 0) continue;
    const ir::Node& n = g.node(id);
    std::vector<int> consumers = g.consumers(id);
    bool ok = n.op == "conv2d" && n.get_int("groups") == 1 && !outputs.count(id) && consumers.size() == 1;
    if (ok) {
      const ir::Node& c = g.node(consumers[0]);
      ok = c.op == "conv2d" && c.get_int("groups") > 1 && c.get_int("groups") == c.get_int("out") &&
           params.count(c.id) && !params.at(c.id).expand_rows;
    }
    if (!ok)
      throw ir::UserError("node %" + std::to_string(id) + ": schedule knob expand_rows=" + std::to_string(rows) +
                          " needs a conv2d read only by one depthwise conv2d of its unit");
    if (rows > 1) params.at(consumers[0]).parallel_rows = rows;
    params.at(consumers[0]).channel_outer = 0;  // the strip slides down the rows of a row task
    producer_of[consumers[0]] = id;
  }
  return producer_of;
}

}  // namespace

OpFuncs lower_node(const ir::Node& n, const std::vector<Value>& in, const Weights& w, Math math, bool lane_tail) {
  const std::string& op = n.op;
  if (op == "conv2d") return lower_conv2d(n, in, w, math, lane_tail);
  if (op == "batch_norm") return lower_batch_norm(n, in, w);
  if (op == "activation") return lower_activation(n, in, math);
  if (op == "global_avg_pool") return lower_global_avg_pool(n, in);
  if (op == "flatten") return lower_flatten(n, in);
  if (op == "dense") return lower_dense(n, in, w, math);
  if (op == "mul") return lower_mul(n, in);
  if (op == "add") return lower_add(n, in);
  if (op == "dropout") return lower_dropout(n, in);
  if (op == "squeeze_excite") return lower_squeeze_excite(n, in, w, math);
  throw ir::UserError("node %" + std::to_string(n.id) + ": codegen has no lowering for op '" + op + "'");
}

std::vector<Halide::Argument> LoweredUnit::args() const {
  std::vector<Halide::Argument> a;
  for (const auto& p : inputs) a.push_back(p);
  for (const auto& p : weights) a.push_back(p);
  if (bands) a.push_back(*bands);
  return a;
}

Halide::Module LoweredUnit::compile_to_module(const std::string& name, const Halide::Target& target) {
  Halide::Module m = pipeline.compile_to_module(args(), name, target);
  link_math(m, math);
  return m;
}

bool uses_bands(const UnitSchedule& schedule) {
  for (const auto& [id, s] : schedule)
    if (s.expand_rows == 1) return true;
  return false;
}

LoweredUnit lower_unit(const ir::Graph& g, const Unit& u, const UnitSchedule& schedule,
                       const schedules::TargetFacts& facts, bool bands_arg, bool lane_tail) {
  const bool cuda = facts.isa == "cuda";
  LoweredUnit lu;
  lu.math = math_for_isa(facts.isa);
  std::map<int, Value> values;
  for (size_t i = 0; i < u.inputs.size(); i++) {
    const ir::Node& n = g.node(u.inputs[i]);
    std::vector<Halide::Var> args = value_args(n.shape);
    Halide::ImageParam p(Halide::Float(32), int(args.size()), "in" + std::to_string(i));
    constrain_activation(p, n);
    Halide::Func f("in" + std::to_string(i) + "_value");
    f(args) = p(args);
    values[n.id] = Value{f, n.shape};
    lu.inputs.push_back(p);
  }
  Weights weights;
  for (size_t i = 0; i < u.weights.size(); i++) {
    Halide::ImageParam p(Halide::Float(32), 1, "w" + std::to_string(i));
    p.dim(0).set_bounds(0, int(ir::numel(u.weights[i].shape)));
    p.set_host_alignment(64);
    weights.add(u.weights[i].name, p);
    lu.weights.push_back(p);
  }
  std::set<int> inside(u.nodes.begin(), u.nodes.end()), outputs(u.outputs.begin(), u.outputs.end());
  UnitSchedule params = schedule;
  if (bands_arg || uses_bands(schedule)) {
    lu.bands = Halide::Param<int>("bands");
  }
  std::map<int, int> strip_producer = strip_fusions(g, u, params);  // consumer id -> producer id
  std::map<int, OpFuncs> deferred;                                  // producers waiting for their consumer
  for (int id : u.nodes) {
    const ir::Node& n = g.node(id);
    std::vector<Value> in;
    for (int i : n.inputs) in.push_back(values.at(i));
    OpFuncs f = lower_node(n, in, weights, lu.math, lane_tail);
    values[id] = Value{f.out, n.shape};
    auto s = params.find(id);
    if (s == params.end()) throw ir::InternalError("no schedule for node %" + std::to_string(id));
    if (cuda && s->second.expand_rows > 0)
      throw ir::UserError("node %" + std::to_string(id) + ": schedule knob expand_rows=" +
                          std::to_string(s->second.expand_rows) + " (strip fusion) is x86-only; cuda needs 0");
    if (s->second.expand_rows > 0) {
      deferred[id] = f;
      continue;
    }
    bool root = outputs.count(id) != 0;
    for (int c : g.consumers(id)) root = root || (inside.count(c) && !reads_elementwise(g.node(c), id));
    auto p = strip_producer.find(id);
    Halide::Expr task_rows;  // a band of the rows: ceil(rows / bands)
    if (p != strip_producer.end() && params.at(p->second).expand_rows == 1) {
      Halide::Expr b = Halide::max(*lu.bands, 1);
      task_rows = (int(n.shape[1]) + b - 1) / b;
    }
    if (cuda)
      schedules::cuda::schedule_node(f, n.shape, s->second, root);
    else
      schedules::x86::schedule_node(f, n.shape, s->second, root, task_rows, lane_tail);
    if (p != strip_producer.end())
      schedules::x86::schedule_conv_in_consumer_strips(deferred.at(p->second), g.node(p->second).shape,
                                                       params.at(p->second), f.out, int(n.get_int("kernel")));
  }
  std::vector<Halide::Func> outs;
  for (int id : u.outputs) {
    Halide::Func f = values.at(id).f;
    constrain_activation(f.output_buffer(), g.node(id));
    outs.push_back(f);
  }
  lu.pipeline = Halide::Pipeline(outs);
  return lu;
}

}  // namespace codegen
