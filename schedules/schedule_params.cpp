#include "schedules/schedule_params.h"

#include <algorithm>

#include "ir/diagnostics.h"

namespace schedules {
namespace {

struct Knob {
  const char* name;
  int ScheduleParams::*field;
  int lo, hi;
};

const Knob kKnobs[] = {
    {"vector_width", &ScheduleParams::vector_width, 1, 256}, {"tile_channels", &ScheduleParams::tile_channels, 1, 1024},
    {"tile_pixels", &ScheduleParams::tile_pixels, 1, 64},    {"dw_unroll", &ScheduleParams::dw_unroll, 1, 64},
    {"expand_rows", &ScheduleParams::expand_rows, 0, 4096},  {"parallel_rows", &ScheduleParams::parallel_rows, 1, 4096},
    {"channel_outer", &ScheduleParams::channel_outer, 0, 1},   {"dw_taps_outer", &ScheduleParams::dw_taps_outer, 0, 1},
};

const std::string kAttrPrefix = "sched.";

const Knob* find_knob(const std::string& name) {
  for (const auto& k : kKnobs)
    if (name == k.name) return &k;
  return nullptr;
}

// `in_range` false: "<where>: <knob> must be in [lo, hi], got <shown>".
void check_range(const Knob& k, bool in_range, const std::string& where, const std::string& shown) {
  if (!in_range)
    throw ir::UserError(where + ": " + k.name + " must be in [" + std::to_string(k.lo) + ", " + std::to_string(k.hi) +
                        "], got " + shown);
}

void set_knob(ScheduleParams& s, const Knob& k, int64_t v, const std::string& where) {
  check_range(k, v >= k.lo && v <= k.hi, where, std::to_string(v));
  s.*k.field = int(v);
}

// The x86 schedules unroll a conv's whole register tile (tile_channels / vector_width vectors x
// tile_pixels); the tuner tries up to 4 x 16. Far larger ones, which the knobs' ranges alone
// allow, crashed Halide 14's simplifier (1024 x 64 scalars) or compiled for minutes.
constexpr int64_t kMaxTileVectors = 256;

void check_consistent(const ScheduleParams& s, const std::string& where) {
  if (s.tile_channels % s.vector_width)
    throw ir::UserError(where + ": tile_channels " + std::to_string(s.tile_channels) +
                        " is not a multiple of vector_width " + std::to_string(s.vector_width));
  int64_t vectors = int64_t(s.tile_channels / s.vector_width) * s.tile_pixels;
  if (vectors > kMaxTileVectors)
    throw ir::UserError(where + ": a register tile of " + std::to_string(s.tile_channels / s.vector_width) +
                        " vectors x " + std::to_string(s.tile_pixels) + " pixels (tile_channels / vector_width x " +
                        "tile_pixels) is " + std::to_string(vectors) + " vectors; at most " +
                        std::to_string(kMaxTileVectors));
}

bool is_depthwise(const ir::Graph& g, const ir::Node& n) {
  int64_t groups = n.get_int("groups", 1);
  return groups > 1 && groups == g.node(n.inputs[0]).shape[0] && groups == n.get_int("out");
}

// Vector width for a loop over `channels`: the register width when it divides the count;
// otherwise the count itself when it is a multiple of 8 no wider than 3 registers (24, 40
// on AVX-512: "tc24 x 12px, v24" ran at 203 GFLOP/s vs 87 for v8 on 112²x96->24, Zen 5,
// HALIDE14_NOTES §5; "v8" there was a tile of one 8-lane vector); else the register width and
// Halide shifts the tail inwards. Convs with 24 or 40 output channels take other vectors instead
// (padded_vectors, half_width_vectors, default_schedule).
int channel_vector_width(int64_t channels, int lanes) {
  if (channels % lanes == 0) return lanes;
  if (channels % 8 == 0 && channels <= 3 * lanes) return int(channels);
  return lanes;
}

// Registers one vector of s.vector_width lanes takes on `facts`.
int registers_per_vector(const ScheduleParams& s, const TargetFacts& facts) {
  return (s.vector_width + facts.vector_lanes - 1) / facts.vector_lanes;
}

struct TileCost {
  int pixels = 0;
  double cost = 0;
};

// The cheapest pixel count for a tile of m vectors of channels, and its cost.
TileCost tile_pixels_for(const ScheduleParams& s, int m, int64_t channels, int64_t width, const TargetFacts& facts) {
  const int acc_regs = std::max(1, facts.vector_registers - 4);
  const int vectors = m * registers_per_vector(s, facts);
  const int tx_max = std::max(1, std::min<int>(acc_regs / vectors, 16));
  TileCost best;
  for (int tx = std::min<int>((tx_max + 1) / 2, int(width)); tx <= std::min<int64_t>(tx_max, width); tx++) {
    double tiles = double((channels + m * s.vector_width - 1) / (m * s.vector_width)) * double((width + tx - 1) / tx);
    double cost = tiles * (std::max(vectors * tx, vectors + tx) / 2.0 + 1.0);
    if (best.pixels == 0 || cost <= best.cost) best = {tx, cost};
  }
  return best;
}

// Register tile of a conv: tile_channels = m vectors of vector_width, tile_pixels = tx, with
// m*tx accumulator registers and 4 left for the weight vectors and the broadcast input. Picks
// the (m, tx) with the fewest estimated cycles over the whole output: tiles that overhang the
// channel count or the row width cost as much as whole ones, so 112 channels in tiles of 32 or
// a 14-pixel row in blocks of 12 cost 14 % and 71 % extra (b0 features.5.1 went 1.12 -> 0.88
// ms on 1 thread with 14-pixel blocks, Zen 5). A row's last block is guarded and computes only
// its pixels (schedule_x86), but charging it by them picked no faster tiles (b0 0.974x against
// 0.971x, AVX2 on the Zen 1), so it is charged as a whole one. One reduction
// step of a tile costs max(FMAs / 2, loads / 2) + 1 cycles (two FMA and two load ports, one
// cycle of loop overhead): wide tiles amortise the loads, narrow ones waste less.
// The search stays near the shapes measured to run well ("tc24 x 12px" 95 % and "tc16 x 14px"
// 87 % of AVX-512 peak, HALIDE14_NOTES §5): at least half the pixels the registers allow, and
// at most three register widths of channels: 48 x 8-9 tiles on 48 to 240 channels made b0
// 0.97-0.98x the time (AVX-512, 1 thread and batch 8) and b7 0.98-1.01x (its 150² 288->48
// projection 0.83x its perf samples, 1 x 15 before), where four (64 x 5-7 on 192 to 2304
// channels) were 0.99x on both. With AVX2's 16 registers, 3 x 4 tiles (12 accumulators, 3
// weight vectors and the broadcast) won the tuner's b0 search on the Intel Xeon, and as the
// default they made AVX2 b0 0.96x, b2 0.97x (batch 8), b6 0.97x and b4 1.00x the time
// (twenty-third session); 4 x 3, which spills, was 15 % slower than 2 x 6 on the Zen 4.
void choose_register_tile(ScheduleParams& s, int64_t channels, int64_t width, const TargetFacts& facts) {
  const int regs_per_vector = registers_per_vector(s, facts);
  const int max_regs = 3;
  double best = 0;
  for (int m = 1; m <= std::max(1, max_regs / regs_per_vector); m++) {
    if (m > 1 && int64_t(m) * s.vector_width > channels) break;
    TileCost t = tile_pixels_for(s, m, channels, width, facts);
    if (best == 0 || t.cost <= best) {
      best = t.cost;
      s.tile_channels = m * s.vector_width;
      s.tile_pixels = t.pixels;
    }
  }
}

// Output channels that are a multiple of half the vector lanes but not of all of them, at most
// six halves (24 or 40 on AVX-512): how many half-width vectors hold them all in one register
// tile; 0 for other channel counts.
int half_width_vectors(int64_t channels, const TargetFacts& facts) {
  const int half = facts.vector_lanes / 2;
  bool fits = half >= 2 && channels % facts.vector_lanes != 0 && channels % half == 0 && channels / half <= 6;
  return fits ? int(channels / half) : 0;
}

// A 1x1 conv's output channels that a padded register tile of at most three full-width vectors
// holds (pads_channels: 24 or 40 on AVX-512): how many vectors; 0 for other convs and counts.
int padded_vectors(const ir::Node& n, const TargetFacts& facts) {
  const bool pointwise = n.get_int("kernel", 1) == 1 && n.get_int("groups", 1) == 1;
  ScheduleParams s;
  s.vector_width = facts.vector_lanes;
  const int vectors = int((n.shape[0] + s.vector_width - 1) / s.vector_width);
  s.tile_channels = vectors * s.vector_width;
  return pointwise && vectors <= 3 && pads_channels(s, n.shape[0]) ? vectors : 0;
}

// Strip fusion by default (expand_rows = 1: a band of rows per thread, one per sample in lanes): a
// conv read only by a depthwise conv of its block whose output exceeds a quarter of the L3: each of
// two lanes (the project machine's two cores) holds the expanded tensor and the depthwise output,
// so four such tensors would have to stay there for the depthwise conv not to read its input back
// from memory. Above half the L3, b7 on 1 thread, perf samples of expand + depthwise, stored whole
// vs fused (32 MB L3): 150²x288 (26 MB) 0.75x, 300²x192 stride 2 (69 MB) 0.97x. Between a quarter
// and a half (Zen 4 EPYC, 32 MB L3, whole network, interleaved rounds, median ratio): b5's 114²x240
// (12.5 MB) 0.970x at batch 8 on 2 threads, 0.967x at batch 1 on 2, 0.957x on 1; b6's 132²x240
// (16.7 MB) 0.955x at batch 8; b7's 75²x480 (10.8 MB) 0.989x (noise; 0.98-1.01x in an earlier
// session). Below: b0's 112²x96 (4.8 MB) 1.009x at batch 8 (0.974x on 1 thread, 1.01-1.02x in an
// earlier session). Narrow expands (at most 32 input channels: few MACs per value written and read
// back) fuse above an eighth of the L3 (Intel Xeon, thirty-ninth session: b0's 112²x96 0.958x the
// time at batch 1 on 2 threads, 0.935x on 1, 0.972x at batch 8; b3's 75²x192 ones 0.962x at batch
// 1; b4's 95²x192 0.983x at batch 1 on 2 threads, 0.974x on 1, 0.978x at batch 8, fortieth
// session); wider ones did not gain there (an eighth for all: b5 0.999x, b7 1.03-1.04x).
bool strip_fuses(const ir::Graph& g, const ir::Node& n, const TargetFacts& facts) {
  std::vector<int> consumers = g.consumers(n.id);
  const int64_t in_channels = g.node(n.inputs[0]).shape[0];
  return facts.l3_bytes > 0 && ir::numel(n.shape) * 4 > facts.l3_bytes / (in_channels <= 32 ? 8 : 4) &&
         !n.has("ref") && consumers.size() == 1 && g.node(consumers[0]).op == "conv2d" &&
         is_depthwise(g, g.node(consumers[0]));
}

// Whether a conv has too few rows for row tasks to keep the threads evenly busy (7 rows on two
// threads: 4 and 3); such convs split by channel tiles instead.
bool few_rows(const ir::Node& n) { return n.shape[1] < 14; }

// Pixels per step of a depthwise conv with the taps outside: each tap costs about u + 1 loads
// (u inputs and one weight) for u FMAs, and a row of `width` takes ceil(width / u) steps (the last
// one shifted inwards, recomputing pixels), so the u in 4..8 with the fewest loads per row, the
// larger on a tie (7 for 7, 14 and 28 pixels, 8 for 56 and 112).
int taps_outer_unroll(int64_t width) {
  int best = 4;
  for (int u = 4; u <= 8; u++)
    if ((width + u - 1) / u * (u + 1) <= (width + best - 1) / best * (best + 1)) best = u;
  return int(std::min<int64_t>(best, width));
}

// CUDA (schedules/cuda reads the knobs as: channels per thread, channels per block, pixels per
// thread, rows per block). First guesses, not yet measured on a GPU: float4 per thread where the
// channel count allows (128-bit loads/stores, CUDA C++ Best Practices Guide), one warp of channel
// threads per block, 2 output pixels per thread for convs with an accumulator, 1 for the rest.
ScheduleParams default_cuda_schedule(const ir::Graph& g, const ir::Node& n, const TargetFacts& facts) {
  ScheduleParams s;
  int64_t channels = n.shape.empty() ? 1 : n.shape[0];
  s.vector_width = channels % 4 == 0 ? 4 : channels % 2 == 0 ? 2 : 1;
  s.tile_channels = s.vector_width * facts.vector_lanes;
  s.tile_pixels = n.op == "conv2d" && !is_depthwise(g, n) ? 2 : 1;
  s.dw_unroll = 1;
  s.expand_rows = 0;
  s.parallel_rows = 1;
  return s;
}

}  // namespace

bool ScheduleParams::operator==(const ScheduleParams& o) const {
  for (const auto& k : kKnobs)
    if (this->*k.field != o.*k.field) return false;
  return true;
}

std::string schedule_str(const ScheduleParams& s) {
  return "v" + std::to_string(s.vector_width) + " tc" + std::to_string(s.tile_channels) + " tx" +
         std::to_string(s.tile_pixels) + " dw" + std::to_string(s.dw_unroll) + " to" + std::to_string(s.dw_taps_outer) +
         " er" + std::to_string(s.expand_rows) + " pr" + std::to_string(s.parallel_rows) + " co" +
         std::to_string(s.channel_outer);
}

nlohmann::json to_json(const ScheduleParams& s) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& k : kKnobs) j[k.name] = s.*k.field;
  return j;
}

void check_knob_values(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw ir::UserError(where + ": expected an object of schedule knobs");
  for (const auto& [key, value] : j.items()) {
    const Knob* knob = find_knob(key);
    if (!knob) throw ir::UserError(where + "." + key + ": unknown schedule knob");
    if (!value.is_number_integer()) throw ir::UserError(where + "." + key + ": expected an integer");
    bool huge = value.is_number_unsigned() && value.get<uint64_t>() > uint64_t(knob->hi);  // beyond int64_t too
    int64_t v = value.get<int64_t>();
    check_range(*knob, !huge && v >= knob->lo && v <= knob->hi, where + "." + key, value.dump());
  }
}

ScheduleParams schedule_from_json(const nlohmann::json& j, const std::string& where, ScheduleParams base) {
  check_knob_values(j, where);
  for (const auto& [key, value] : j.items()) base.*find_knob(key)->field = value.get<int>();
  check_consistent(base, where);
  return base;
}

void set_schedule_attrs(ir::Node& n, const ScheduleParams& s) {
  for (const auto& k : kKnobs) n.set(kAttrPrefix + k.name, int64_t(s.*k.field));
}

bool has_schedule_attrs(const ir::Node& n) {
  for (const auto& [key, value] : n.attrs)
    if (key.compare(0, kAttrPrefix.size(), kAttrPrefix) == 0) return true;
  return false;
}

bool may_strip_fuse(const ir::Graph& g, const ir::Node& n) {
  if (n.op != "conv2d" || is_depthwise(g, n) || n.has("ref")) return false;
  std::vector<int> consumers = g.consumers(n.id);
  return consumers.size() == 1 && g.node(consumers[0]).op == "conv2d" && is_depthwise(g, g.node(consumers[0]));
}

ScheduleParams default_schedule(const ir::Graph& g, const ir::Node& n, const TargetFacts& facts) {
  if (facts.isa == "cuda") return default_cuda_schedule(g, n, facts);
  ScheduleParams s;
  const int lanes = facts.vector_lanes;
  int64_t channels = n.shape.empty() ? lanes : n.shape[0];
  s.vector_width = channel_vector_width(channels, lanes);
  // Rows per parallel task: one (rows are fused with the batch first), measured as the best
  // split for B0's 16 blocks on 2 threads (3.67 ms, HALIDE14_NOTES §1, Zen 5).
  s.parallel_rows = 1;
  // Expanded tensors at compute_root (HALIDE14_NOTES §1/§5: B0 blocks 6.1 ms on 1 thread),
  // except large ones (strip_fuses) of 1x1 convs whose weights are fewer than their input's
  // values (else each strip re-reads them: b7's 384->2304 at 19² ran 7x slower).
  s.expand_rows = 0;
  // Depthwise: 4 output pixels unrolled took 112²x96 k3 from 381 to 211 µs (HALIDE14_NOTES §5).
  s.dw_unroll = 4;
  if (n.op == "conv2d" && !is_depthwise(g, n)) {
    // 24 or 40 channels: as 24- or 40-wide vectors, the last full-width op of each had 8 idle
    // lanes. All channels in 8-lane vectors won for every such key the tuner searched to the end
    // on the Zen 4 (1x1 0.87-0.99x the unit's time, b3's stem 0.56x) and for the three it reached
    // on the Intel Xeon, whose 512-bit FMAs are full width (1x1 0.75x and 0.84x, the stem 0.34x);
    // the stem keeps them. A 1x1 conv takes 2 or 3 16-lane vectors over weights zero-padded to
    // them instead (pads_channels): 2 or 3 FMAs per input channel and pixel where 8-lane vectors
    // issue 3 or 5 (Intel Xeon: b0 0.985-0.990x the time, b1 0.989x, b5 1.00x; not measured on a
    // Zen 4, whose halved 512-bit FMAs would issue 4 or 6).
    if (int vectors = padded_vectors(n, facts)) {
      s.vector_width = facts.vector_lanes;
      s = with_register_tile(s, vectors, n, facts);
    } else if (int halves = half_width_vectors(n.shape[0], facts)) {
      s.vector_width = facts.vector_lanes / 2;
      s = with_register_tile(s, halves, n, facts);
    } else {
      choose_register_tile(s, n.shape[0], n.shape[2], facts);
    }
    // Channel tiles outermost when the weights outweigh the input image, unless they fit in half
    // the L2 and the rows are not few: each weight tile is then read from memory once instead of
    // once per row (B0 features.5.1, 14x14, 112->672->112: 1.66 -> 1.20 ms on 1 thread, A/B in
    // one run on the shared Zen 5 machine, before weights were blocked). Weights that stay in
    // L2 are read from there by every row task, and tasks of rows keep a block's expand,
    // depthwise conv and projection on the same rows of each core: b0's 14x14 expands (150 and
    // 294 KB) as rows, with their depthwise convs, 0.961x the time at batch 1 on 2 threads of
    // the Intel Xeon, 0.966x on 1 (the depthwise convs alone 0.981x / 0.978x).
    const ir::Dims& in = g.node(n.inputs[0]).shape;
    int64_t k = n.get_int("kernel", 1), weights = n.shape[0] * in[0] * k * k / n.get_int("groups", 1);
    s.channel_outer = weights > ir::numel(in) && (few_rows(n) || weights * 4 > facts.l2_bytes / 2) ? 1 : 0;
    if (k == 1 && weights < ir::numel(in) && strip_fuses(g, n, facts)) s.expand_rows = 1;
  } else if (n.op == "conv2d") {  // depthwise
    // Parallel tasks: rows, unless they are few; then channel tiles of about 1/24 of the
    // channels. (Up to 15 rows had channel tiles: b0's 14x14 ones as rows 0.981x the time at
    // batch 1 on 2 threads of the Intel Xeon, 0.978x on 1.)
    int64_t vectors = (n.shape[0] + s.vector_width - 1) / s.vector_width;
    s.channel_outer = few_rows(n) ? 1 : 0;
    s.tile_channels = s.vector_width * int(std::max<int64_t>(1, s.channel_outer ? vectors / 24 : 1));
    s.tile_pixels = 1;
    // 5x5 taps: a loop over the taps outside the pixels (25 weights held across the pixels had
    // spilled registers: b0 features.6.1's 7x7x1152 dw ran 2.8x faster with 7 pixels per step,
    // 14x14x672 1.4x); 3x3 keeps its taps inside (stride 2 ran 1.2x slower with them outside).
    if (n.get_int("kernel", 1) >= 5) {
      s.dw_taps_outer = 1;
      s.dw_unroll = taps_outer_unroll(n.shape[2]);
    }
  } else {
    s.tile_channels = s.vector_width;
    s.tile_pixels = 1;
  }
  return s;
}

bool pads_channels(const ScheduleParams& s, int64_t channels) {
  return channels > s.vector_width && channels % s.vector_width != 0 && s.tile_channels > channels &&
         s.tile_channels < channels + s.vector_width;
}

ScheduleParams with_register_tile(ScheduleParams s, int vectors, const ir::Node& n, const TargetFacts& facts) {
  s.tile_channels = vectors * s.vector_width;
  s.tile_pixels = tile_pixels_for(s, vectors, n.shape[0], n.shape[2], facts).pixels;
  return s;
}

ScheduleParams node_schedule(const ir::Graph& g, const ir::Node& n, const TargetFacts& facts) {
  ScheduleParams s = default_schedule(g, n, facts);
  if (!has_schedule_attrs(n)) return s;
  std::string where = "node %" + std::to_string(n.id) + " (" + n.op + ")";
  for (const auto& k : kKnobs) {
    const ir::Attr* a = n.find(kAttrPrefix + k.name);
    if (!a) continue;
    const int64_t* v = std::get_if<int64_t>(a);
    if (!v) throw ir::UserError(where + ": attr " + kAttrPrefix + k.name + " must be an integer");
    set_knob(s, k, *v, where + " attr " + kAttrPrefix + k.name);
  }
  for (const auto& [key, value] : n.attrs) {
    if (key.compare(0, kAttrPrefix.size(), kAttrPrefix) != 0) continue;
    if (!find_knob(key.substr(kAttrPrefix.size())))
      throw ir::UserError(where + ": unknown schedule attr '" + key + "'");
  }
  check_consistent(s, where);
  return s;
}

}  // namespace schedules
