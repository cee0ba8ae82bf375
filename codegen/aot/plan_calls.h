// The skeleton of a library plan: one call per unit, in the units' order, with the values it
// reads and writes. A value is a node whose result crosses a unit boundary, listed once in the
// order calls first touch it, with its per-sample shape, layout and home (the network input and
// output stay in the caller's memory, the rest in the workspace). Kernels, weights and bands of
// the calls are compile_library's to fill in.
#pragma once

#include <vector>

#include "codegen/aot/library_plan.h"
#include "codegen/units.h"

namespace codegen {

// Appends the calls and values of `units` to `plan` and sets its input_value and output_value.
// Throws ir::UserError when the graph output is not computed from the graph input.
void plan_calls(const ir::Graph& g, const std::vector<Unit>& units, LibraryPlan& plan);

}  // namespace codegen
