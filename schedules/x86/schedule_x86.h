// x86 schedules: place, tile, vectorize and parallelize the Funcs one op defined
// (codegen/ops), reading only the node's ScheduleParams and its shape. Never changes what
// is computed. `root`: the value is stored (compute_root) rather than inlined into its
// consumers; convs, pools, dense and squeeze-excite are always stored.
#pragma once

#include "codegen/ops/op_funcs.h"
#include "schedules/schedule_params.h"

namespace schedules::x86 {

void schedule_node(const codegen::OpFuncs& f, const ir::Dims& shape, const ScheduleParams& s, bool root);

}  // namespace schedules::x86
