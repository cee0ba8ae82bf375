// CUDA schedules: map the Funcs one op defined (codegen/ops) onto GPU blocks and threads,
// reading only the node's ScheduleParams and shape; never changes what is computed. On CUDA
// the knobs mean: vector_width = contiguous channels per thread (vectorized, reduced to a power
// of two dividing the channel count), tile_channels = channels per block, tile_pixels / dw_unroll
// = output pixels along x per thread (conv / depthwise), parallel_rows = rows per block.
// Every stored stage (and every update) runs on the GPU, so no unit touches host memory.
#pragma once

#include "codegen/ops/op_funcs.h"
#include "schedules/schedule_params.h"

namespace schedules::cuda {

void schedule_node(const codegen::OpFuncs& f, const ir::Dims& shape, const ScheduleParams& s, bool root);

}  // namespace schedules::cuda
