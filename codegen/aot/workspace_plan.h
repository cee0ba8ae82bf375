// Places the values passed between kernels in one workspace: each lives from the unit that
// produces it to the last unit that reads it, and values whose lifetimes overlap never share
// bytes (first fit, 64-B aligned). The network input and output stay in the caller's memory.
#pragma once

#include "codegen/aot/library_plan.h"

namespace codegen {

// Sets `offset` of every Workspace value of `plan` for `plan.batch_chunk` samples (values of the
// lane tail: `plan.tail_chunk`) and returns the workspace size in floats. Lifetimes come from the
// order of `plan.calls`.
int64_t plan_workspace(LibraryPlan& plan);

}  // namespace codegen
