// The lane tail: where a lane (one thread taking whole samples, codegen/aot/glue_c.cpp) stops
// running its samples one by one and runs the rest of the network once for several of them.
// A sample's pass reads every weight once; the last stages of a small network read many weights
// for little activation (b0's 7x7 blocks: ~10 weights per value of their largest tensor, the
// classifier 20), so each sample of a lane streamed them from L3 again: a 7x7 block's 2.3 MB of
// weights and the next blocks' pass through the 2 MB L2 between two samples' uses. In the tail,
// a kernel call on several samples runs one node for each sample in turn, its weights (885 KB for
// b0's 7x7 expand) still in L2 for the next sample, and the classifier uses each input channel's
// weights for every sample (schedule_vector_stage, samples_inside).
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
// Measured with channel-tile tasks a tile's samples back to back; with the samples outer, as now
// (that order made b4 1.017x slower at batch 1), the tails gain about as much (b1 0.924x vs 0.912x).
constexpr double kLaneTailWeightRatio = 3.0;
constexpr double kLaneTailL2Share = 4.5;

// A tail needs this many weight-heavy units: the head conv and the classifier alone gained
// nothing (b4, b3) and gather the head's input for 4 samples.
constexpr int kLaneTailMinHeavyUnits = 3;

// Sets plan.tail_call to the first call of the longest suffix of units that are each weight-heavy
// or hold no weights, if kLaneTailMinHeavyUnits of them are weight-heavy, plan.tail_chunk, and
// marks the values made before the tail and read in it as gathered. No tail: tail_call stays -1.
// `units` are the plan's calls, in order; `l2_bytes` the target's L2 per core.
void choose_lane_tail(const ir::Graph& g, const std::vector<Unit>& units, int64_t l2_bytes, LibraryPlan& plan);

}  // namespace codegen
