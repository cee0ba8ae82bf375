// What the tuner searches for one node: for each ScheduleParams knob that changes that node's
// schedule, the candidate values. The table of knobs and their candidates is kKnobSpace in
// search_space.cpp (a new knob is one line there). with_knob keeps tile_channels a multiple of
// vector_width. Only ops that are always stored are tuned (conv2d, squeeze_excite, pool, dense).
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "schedules/schedule_params.h"

namespace autotuner {

struct KnobChoice {
  std::string name;                       // the knob's JSON name (schedules::to_json)
  int schedules::ScheduleParams::*field;  // its member
  std::vector<int> values;                // candidates, ascending, at least two distinct
};

// The searched knobs of `n` (empty: not tuned), given the current schedule `s`.
std::vector<KnobChoice> search_space(const ir::Graph& g, const ir::Node& n, const schedules::ScheduleParams& s);

// `s` with the knob set to `value`; a changed vector_width keeps tile_channels' multiple of it.
schedules::ScheduleParams with_knob(schedules::ScheduleParams s, const KnobChoice& k, int value);

}  // namespace autotuner
