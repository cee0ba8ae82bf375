// Lowers one compilation unit (codegen/units.h) to one Halide Pipeline: each input value and
// each weight tensor becomes a buffer argument (activations f(c,x,y,n) / f(c,n) with their
// layout's strides and a run-time batch; weights 1-D, 64-B aligned views of the packed blob),
// each node's algorithm comes from codegen/ops and its schedule from schedules/<x86|cuda>.
#pragma once

#include <Halide.h>

#include "codegen/units.h"
#include "schedules/target_facts.h"

namespace codegen {

struct LoweredUnit {
  Halide::Pipeline pipeline;                        // outputs in Unit::outputs order
  std::vector<Halide::ImageParam> inputs, weights;  // in Unit::inputs / Unit::weights order
  std::vector<Halide::Argument> args() const;       // inputs then weights (compile_to appends the outputs)
};

// `schedule` holds every node of the unit; `facts` picks the schedule family (x86 or cuda).
LoweredUnit lower_unit(const ir::Graph& g, const Unit& u, const UnitSchedule& schedule,
                       const schedules::TargetFacts& facts);

}  // namespace codegen
