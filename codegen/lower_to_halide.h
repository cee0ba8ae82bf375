// Lowers one compilation unit (codegen/units.h) to one Halide Pipeline: each input value and
// each weight tensor becomes a buffer argument (activations f(c,x,y,n) / f(c,n) with their
// layout's strides and a run-time batch; weights 1-D, 64-B aligned views of the packed blob),
// each node's algorithm comes from codegen/ops and its schedule from schedules/<x86|cuda>.
#pragma once

#include <Halide.h>

#include <optional>

#include "codegen/units.h"
#include "schedules/target_facts.h"

namespace codegen {

struct LoweredUnit {
  Halide::Pipeline pipeline;                        // outputs in Unit::outputs order
  std::vector<Halide::ImageParam> inputs, weights;  // in Unit::inputs / Unit::weights order
  // The kernel's band count (int32 "bands"), where it has one: strip fusion with expand_rows = 1
  // cuts each sample's rows into this many bands (the library passes its thread count, 1 in
  // lanes); JIT callers set() it.
  std::optional<Halide::Param<int>> bands;
  std::vector<Halide::Argument> args() const;  // inputs, weights, bands (compile_to appends the outputs)
};

// Whether a unit's kernel takes a band count: some node has expand_rows = 1.
bool uses_bands(const UnitSchedule& schedule);

// `schedule` holds every node of the unit; `facts` picks the schedule family (x86 or cuda).
// `bands_arg`: give the kernel the band count even where this schedule does not use it (the
// unit's kernel for another ISA does; all ISAs' kernels share one C signature).
LoweredUnit lower_unit(const ir::Graph& g, const Unit& u, const UnitSchedule& schedule,
                       const schedules::TargetFacts& facts, bool bands_arg = false);

}  // namespace codegen
