// x86 schedules: place, tile, vectorize and parallelize the Funcs one op defined
// (codegen/ops), reading only the node's ScheduleParams and its shape. Never changes what
// is computed. `root`: the value is stored (compute_root) rather than inlined into its
// consumers; convs, pools, dense and squeeze-excite are always stored.
#pragma once

#include "codegen/ops/op_funcs.h"
#include "schedules/schedule_params.h"

namespace schedules::x86 {

// `task_rows`, where defined, replaces parallel_rows as the rows of one parallel task of a
// depthwise conv (strip fusion's band: an Expr of the kernel's band-count argument).
// `lane_tail`: the node runs in a lane tail (codegen/aot/lane_tail.h), several samples a call:
// channel-tile tasks then take a tile's samples back to back.
void schedule_node(const codegen::OpFuncs& f, const ir::Dims& shape, const ScheduleParams& s, bool root,
                   const Halide::Expr& task_rows = Halide::Expr(), bool lane_tail = false);

// Strip fusion (knob expand_rows >= 1): the conv `f` is computed inside each parallel task (per
// sample) of its only consumer, a depthwise conv scheduled by schedule_node with tasks of
// expand_rows rows (1: one band per thread, the band count a kernel argument), one row at a
// time as the consumer's rows need them (a sliding window: only the kernel's halo is computed
// twice, at task edges); the expanded tensor never goes to memory whole: it lives in a ring of
// the rows one consumer row reads (`consumer_kernel`, rounded up to a power of two).
void schedule_conv_in_consumer_strips(const codegen::OpFuncs& f, const ir::Dims& shape, const ScheduleParams& s,
                                      const Halide::Func& consumer, int consumer_kernel);

}  // namespace schedules::x86
