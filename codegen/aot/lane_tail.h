// The lane tail: where a lane (one thread taking whole samples, codegen/aot/glue_c.cpp) stops
// running its samples one by one and runs the rest of the network once for several of them.
// A sample's pass reads every weight once; the last stages of a small network read many weights
// for little activation (b0's 7x7 blocks: ~10 weights per value of their largest tensor, the
// classifier 20), so each sample of a lane streamed them from L3 again: a 7x7 block's 2.3 MB of
// weights and the next blocks' pass through the 2 MB L2 between two samples' uses. In the tail,
// a kernel call on several samples reads a weight tile once for all of them: the tail's kernels
// run a channel tile's samples in consecutive tasks (schedule_node's `lane_tail`), the
// classifier uses each input channel's weights for every sample (schedule_vector_stage), and a
// projection over fewer pixels than output channels scales its input by SE, not each sample's
// copy of its weights (lower_conv2d's `shared_weights`). A tail call on one sample (batch 1, a
// lane's last odd sample) runs the unit's ordinary kernel instead (PlannedCall::single_kernel),
// which scales the weights: from L3, scaling a tile also fetches it ahead of the FMAs.
#pragma once

#include <vector>

#include "codegen/aot/library_plan.h"
#include "codegen/units.h"

namespace codegen {

// Samples a lane gathers before its tail. Measured at batch 8 on 2 threads (Intel Xeon, twenty-
// first session, docs/codegen.md "Lane tail"): b3 0.98x the time with 4, 1.00x with 2.
constexpr int kLaneTailChunk = 4;

// A unit is weight-heavy when its weights are at least kLaneTailWeightRatio times its largest
// tensor per sample (inputs and nodes) and kLaneTailChunk samples of that tensor fit in
// kLaneTailL2Share L2s of the target. b0: the 7x7 blocks ~10, the 14x14 ones 1.3-1.7 (in the tail
// too: 1.01x slower than without them); b3's 10x10 blocks and head pass (3.7 MB for 4 samples),
// b4's 12x12 stage 7 does not (6.2 MB; with it in the tail b4 took 1.01-1.03x the time).
constexpr double kLaneTailWeightRatio = 3.0;
constexpr double kLaneTailL2Share = 4.5;

// A tail needs this many weight-heavy units: the head conv and the classifier alone gained
// nothing (b4, b3) and gather the head's input for 4 samples.
constexpr int kLaneTailMinHeavyUnits = 3;

// The first unit of the lane tail: of the longest suffix of units that are each weight-heavy or
// hold no weights and do not read the network input, if kLaneTailMinHeavyUnits of them are
// weight-heavy; -1: no tail. `l2_bytes`: the target's L2 per core.
int lane_tail_start(const ir::Graph& g, const std::vector<Unit>& units, int64_t l2_bytes);

// Sets plan.tail_call = `start` (the plan's calls are the units, in order), plan.tail_chunk, and
// marks the values made before the tail and read in it as gathered. `start` -1: no tail.
void set_lane_tail(LibraryPlan& plan, int start);

}  // namespace codegen
