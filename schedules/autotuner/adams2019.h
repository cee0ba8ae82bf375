// The Adams2019 baseline: one compilation unit lowered like codegen::lower_unit but with no
// schedule, then scheduled by Halide's Adams2019 autoscheduler (Debian's plugin, built-in
// weights, HL_BEAM_SIZE=1 unless set: greedy, under a second per unit) for `threads` cores.
// Only for the tuner's baseline figure (`effnetc tune --adams2019`); codegen never uses it.
#pragma once

#include "codegen/lower_to_halide.h"

namespace autotuner {

codegen::LoweredUnit adams2019_unit(const ir::Graph& g, const codegen::Unit& u, const schedules::TargetFacts& facts,
                                    int threads);

}  // namespace autotuner
