// Lowers one compilation unit (codegen/units.h) to one Halide Pipeline: each input value and
// each weight tensor becomes a buffer argument (activations f(c,x,y,n) / f(c,n) with their
// layout's strides and a run-time batch; weights 1-D, 64-B aligned views of the packed blob),
// each node's algorithm comes from codegen/ops and its schedule from schedules/<x86|cuda>.
#pragma once

#include <Halide.h>

#include <optional>

#include "codegen/ops/op_funcs.h"
#include "codegen/units.h"
#include "schedules/target_facts.h"

namespace codegen {

struct LoweredUnit {
  Halide::Pipeline pipeline;                        // outputs in Unit::outputs order
  std::vector<Halide::ImageParam> inputs, weights;  // in Unit::inputs / Unit::weights order
  // The kernel's band count (int32 "bands"), where it has one: strip fusion with expand_rows = 1
  // cuts each sample's rows into this many bands (the library passes its thread count, 1 in
  // lanes; JitUnit::run takes it per call).
  std::optional<Halide::Param<int>> bands;
  Math math = Math::Portable;                  // how its swish is computed (codegen/math)
  std::vector<Halide::Argument> args() const;  // inputs, weights, bands (compile_to_module appends the outputs)
  // The kernel as a Halide Module with the math library it calls linked in: what the AOT path
  // compiles and JitUnit runs (the pipeline alone lacks the library).
  Halide::Module compile_to_module(const std::string& name, const Halide::Target& target);
};

// One node's algorithm (codegen/ops), by op; throws ir::UserError for an op it cannot lower.
// `lane_tail` as in lower_unit.
OpFuncs lower_node(const ir::Node& n, const std::vector<Value>& in, const Weights& w, Math math,
                   bool lane_tail = false);

// Whether a unit's kernel takes a band count: some node has expand_rows = 1.
bool uses_bands(const UnitSchedule& schedule);

// `schedule` holds every node of the unit; `facts` picks the schedule family (x86 or cuda).
// `bands_arg`: give the kernel the band count even where this schedule does not use it (the
// unit's kernel for another ISA does; all ISAs' kernels share one C signature). `lane_tail`: the
// unit runs in a lane tail, on several samples a call (codegen/aot/lane_tail.h; x86 schedules).
LoweredUnit lower_unit(const ir::Graph& g, const Unit& u, const UnitSchedule& schedule,
                       const schedules::TargetFacts& facts, bool bands_arg = false, bool lane_tail = false);

}  // namespace codegen
