#include "schedules/autotuner/search_space.h"

#include <algorithm>
#include <cstdint>
#include <set>

namespace autotuner {
namespace {

using schedules::ScheduleParams;

// What the candidate lists depend on.
struct NodeFacts {
  int64_t channels = 1, rows = 1, width = 1;  // output [C,H,W] (or [F])
  int64_t unlimited = INT64_MAX;
  bool any = true;
  bool tiled_conv = false;       // conv2d with a register tile (not depthwise)
  bool depthwise = false;        // depthwise conv2d
  bool channel_tiles = false;    // tile_channels matters: a tiled conv, or a depthwise conv with channel tasks
  bool row_tasks = false;        // parallel tasks are rows (not channel tiles): parallel_rows matters
  bool conv = false;             // either conv: channel_outer picks channel-tile or row tasks
  bool feeds_depthwise = false;  // a tiled conv read only by a depthwise conv of its unit (expand_rows)
  bool has_rows = false;         // a [C,H,W] output with H > 1
};

// The search space, one knob a line: name, member, the nodes it is searched on, candidate values,
// the extent they may not exceed (a larger one schedules like the extent), and whether the values
// count vector widths. Vector widths include the non-powers of two that fit EfficientNet's
// 24/40/80/112 channels (HALIDE14_NOTES §5: v24 ran 1.3x faster than v8 on 112²x96->24). Pixel
// counts include every one up to 10, so that the tiles that fill AVX2's 12 accumulator registers
// (3 x 3, 2 x 5: the default for 14-pixel rows) or AVX-512's 28 (3 x 9) can be searched; a row's
// last block computes only its own pixels (schedules/x86), so a count that does not divide the
// row recomputes none.
struct KnobRow {
  const char* name;
  int ScheduleParams::*field;
  bool NodeFacts::*when;
  std::vector<int> values;
  int64_t NodeFacts::*limit;
  bool in_vectors = false;
};
using F = NodeFacts;
using SP = ScheduleParams;
const KnobRow kKnobSpace[] = {
    {"vector_width", &SP::vector_width, &F::any, {4, 8, 16, 24, 32, 40, 48, 64}, &F::channels},
    {"tile_channels", &SP::tile_channels, &F::channel_tiles, {1, 2, 3, 4}, &F::channels, true},
    {"tile_pixels", &SP::tile_pixels, &F::tiled_conv, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16}, &F::width},
    {"dw_taps_outer", &SP::dw_taps_outer, &F::depthwise, {0, 1}, &F::unlimited},
    {"dw_unroll", &SP::dw_unroll, &F::depthwise, {1, 2, 4, 6, 7, 8}, &F::width},
    {"expand_rows", &SP::expand_rows, &F::feeds_depthwise, {0, 1, 2, 4, 8}, &F::rows},
    {"parallel_rows", &SP::parallel_rows, &F::row_tasks, {1, 2, 4, 8}, &F::rows},
    {"channel_outer", &SP::channel_outer, &F::conv, {0, 1}, &F::unlimited},
};

bool is_depthwise(const ir::Graph& g, const ir::Node& n) {
  int64_t groups = n.get_int("groups", 1);
  return n.op == "conv2d" && groups > 1 && groups == g.node(n.inputs[0]).shape[0] && groups == n.get_int("out");
}

}  // namespace

std::vector<KnobChoice> search_space(const ir::Graph& g, const ir::Node& n, const ScheduleParams& s) {
  static const std::set<std::string> tuned_ops = {"conv2d", "squeeze_excite", "global_avg_pool", "dense"};
  if (!tuned_ops.count(n.op) || n.shape.empty()) return {};
  NodeFacts f;
  f.channels = n.shape[0];
  if (n.shape.size() == 3) f.rows = n.shape[1], f.width = n.shape[2];
  f.depthwise = is_depthwise(g, n);
  f.tiled_conv = n.op == "conv2d" && !f.depthwise;
  f.conv = f.tiled_conv || f.depthwise;
  // A unit's output conv (with `ref`) is not one: each such candidate had failed to compile.
  f.feeds_depthwise = schedules::may_strip_fuse(g, n);
  f.has_rows = f.rows > 1;
  // Knobs that do nothing under the current ones are not searched: timing the same code twice
  // only lets noise pick a "winner".
  f.channel_tiles = f.tiled_conv || (f.depthwise && s.channel_outer);
  f.row_tasks = f.has_rows && !(f.conv && s.channel_outer);
  std::vector<KnobChoice> space;
  for (const auto& row : kKnobSpace) {
    if (!(f.*row.when)) continue;
    int unit = row.in_vectors ? s.vector_width : 1;
    int64_t limit = row.in_vectors ? (f.*row.limit + unit - 1) / unit * unit : f.*row.limit;
    std::vector<int> v;
    for (int x : row.values)
      if (int64_t(x) * unit <= limit) v.push_back(x * unit);
    v.push_back(s.*row.field);
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    if (v.size() > 1) space.push_back({row.name, row.field, v});
  }
  return space;
}

ScheduleParams with_knob(ScheduleParams s, const KnobChoice& k, int value) {
  if (k.field == &ScheduleParams::vector_width) s.tile_channels = std::max(1, s.tile_channels / s.vector_width) * value;
  s.*k.field = value;
  return s;
}

}  // namespace autotuner
