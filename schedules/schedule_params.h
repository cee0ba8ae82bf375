// ScheduleParams: the knobs of one node's schedule as plain data (STYLE.md 8), with a
// JSON form (the tuned database) and an attr form (`sched.<knob>` on an ir::Node, written
// by the pipeline's choose_tiling pass). default_schedule derives them from TargetFacts;
// node_schedule is what codegen uses: the defaults overridden by any sched.* attrs.
// The x86 schedules (schedules/x86) only read these knobs; they never search.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ir/graph.h"
#include "schedules/target_facts.h"

namespace schedules {

struct ScheduleParams {
  int vector_width = 16;   // lanes of the vectorized channel loop; need not be a power of two (24, 40)
  int tile_channels = 32;  // conv register tile: output channels, a multiple of vector_width
  int tile_pixels = 8;     // conv register tile: output pixels along x
  int dw_unroll = 4;       // depthwise conv: output pixels along x computed per unrolled step
  int dw_taps_outer = 0;   // depthwise conv: 0 = each pixel's k x k taps unrolled in turn, 1 = a loop over the taps
                           // outside the dw_unroll pixels (one weight load serves them all, dw_unroll accumulators)
  int expand_rows = 0;     // a conv read by a depthwise conv: 0 = compute_root, R = per strip of R consumer rows
  int parallel_rows = 1;   // output rows per parallel task (rows are fused with the batch)
  int channel_outer = 0;   // conv: 1 = loop over output-channel tiles outside the rows (one weight tile stays in
                           // cache for the whole image; tasks are channel tiles), 0 = rows outside

  bool operator==(const ScheduleParams& o) const;
  bool operator!=(const ScheduleParams& o) const { return !(*this == o); }
};

// "v16 tc32 tx8 dw4 to0 er0 pr1 co0": compact and stable, part of a kernel's signature.
std::string schedule_str(const ScheduleParams& s);

nlohmann::json to_json(const ScheduleParams& s);
// Every knob optional (missing ones keep `base`); unknown keys, wrong types and values out of
// range throw ir::UserError naming `where` (a JSON path) and the key.
ScheduleParams schedule_from_json(const nlohmann::json& j, const std::string& where, ScheduleParams base = {});
// The per-knob part of those checks alone (names, integer types, ranges), not the knobs together.
void check_knob_values(const nlohmann::json& j, const std::string& where);

void set_schedule_attrs(ir::Node& n, const ScheduleParams& s);  // writes every sched.<knob>
bool has_schedule_attrs(const ir::Node& n);

// Hand-picked defaults for `n` on `facts` (see the comments in schedule_params.cpp).
ScheduleParams default_schedule(const ir::Graph& g, const ir::Node& n, const TargetFacts& facts);
// default_schedule overridden by the node's sched.* attrs (each checked as in schedule_from_json).
ScheduleParams node_schedule(const ir::Graph& g, const ir::Node& n, const TargetFacts& facts);
// Whether a 1x1 conv of `channels` outputs under `s` runs as one register tile of whole vectors
// over all of them where the vector width does not divide them (24 or 40 channels in 2 or 3
// 16-lane vectors): the tile is less than a vector wider than the channels. Its weights are then
// zero-padded to the tile (ir/passes/block_weights) and its accumulators computed for every lane.
bool pads_channels(const ScheduleParams& s, int64_t channels);
// Whether conv `n` may take expand_rows > 0 (computed per strip of its consumer's rows): a conv2d
// that is not depthwise and not its unit's output (no `ref`: the next unit reads that, where no
// strip reaches), read only by one depthwise conv2d.
bool may_strip_fuse(const ir::Graph& g, const ir::Node& n);
// `s` with a register tile of `vectors` vectors of output channels for conv `n` and the pixel
// count the default's cost model picks for that many (the tuner's tile candidates: default
// tiles keep at most 3 vectors, and changing the channels alone keeps pixels that may spill).
ScheduleParams with_register_tile(ScheduleParams s, int vectors, const ir::Node& n, const TargetFacts& facts);

}  // namespace schedules
