// Compilation units: the graph cut into runs of nodes, each ending at a node that carries
// `ref` or is a graph output (ir/ops.h); `input` nodes belong to no unit. A unit's inputs
// are the values it reads from outside, its outputs the values read outside it, and its
// weights the distinct Params it reads, in first-use order: the kernel's argument order.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "schedules/schedule_params.h"

namespace codegen {

struct Unit {
  std::vector<int> nodes;          // node ids, topological order
  std::vector<int> inputs;         // value ids produced outside the unit
  std::vector<int> outputs;        // value ids of the unit read by later units or graph outputs
  std::vector<ir::Param> weights;  // distinct by name
};

std::vector<Unit> split_units(const ir::Graph& g);  // drops units nothing reads (dead code)

// "nchw" or "nhwc": the node's `layout` attr, else nchw for the graph input and nhwc otherwise.
std::string value_layout(const ir::Node& n);

// Schedules of one unit's nodes for one ISA, by node id.
using UnitSchedule = std::map<int, schedules::ScheduleParams>;

// The schedules of a unit's nodes on `facts`: with `use_attrs` node_schedule (sched.* attrs
// over the defaults), else default_schedule.
UnitSchedule unit_schedule(const ir::Graph& g, const Unit& u, const schedules::TargetFacts& facts, bool use_attrs);

// Equal for units that compile to the same kernel: value shapes and layouts, ops and attrs
// (not names or refs), the wiring, weight shapes, and the schedule of every ISA.
std::string unit_signature(const ir::Graph& g, const Unit& u, const std::vector<UnitSchedule>& per_isa);

}  // namespace codegen
