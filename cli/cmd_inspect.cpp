// effnetc inspect: a variant's resolution, blocks per stage, channels, parameters and
// MACs per stage and in total (text or --json), or with --emit the IR before the passes,
// after one pass or after the whole pipeline (ir/pipeline.h), as text
// (ir/printer.h) or, with --json, as JSON (ir/json_dump.h).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/cache_arg.h"
#include "cli/commands.h"
#include "cli/spec_arg.h"
#include "frontend/build_graph.h"
#include "frontend/bind_weights.h"
#include "frontend/random_weights.h"
#include "frontend/safetensors.h"
#include "ir/json_dump.h"
#include "ir/ops.h"
#include "ir/pipeline.h"
#include "ir/printer.h"

namespace cli {
namespace {

const char* kHelp =
    "usage: effnetc inspect <b0..b7|spec.json> [--json] [--emit=ir|ir-after=PASS|final]\n"
    "                       [--no-fusion] [--disable-pass=NAME[,NAME...]] [--target T]\n"
    "                       [--tuned-db FILE] [--caches host|L2,L3] [--weights W | --random-weights SEED]\n"
    "                       [--log-passes]\n"
    "\n"
    "Expands the spec and prints resolution, blocks per stage, channels, and\n"
    "parameters and MACs (conv + linear, per image) per stage and in total.\n"
    "  --json      print the same as one JSON object\n"
    "  --emit=ir   print the graph IR instead, one node per line (with --json: as JSON)\n"
    "              ir: the frontend's graph, before any pass\n"
    "              ir-after=PASS: the graph after pipeline pass PASS (ir/pipeline.h)\n"
    "              final: after the whole pipeline: layouts, sched.* params and, with\n"
    "              weights, each parameter's @offset in the packed blob\n"
    "  --no-fusion            skip the fuse_* passes (BN folding stays)\n"
    "  --disable-pass=NAMES   skip these passes (comma-separated)\n"
    "  --target T             tiling target: x86-64-linux[-avx2|-avx512], cuda, or a\n"
    "                         target-facts name (x86-avx512, ...); default x86-64-linux\n"
    "  --tuned-db FILE        take schedules from this tuned database (choose_tiling)\n"
    "  --caches host|L2,L3    size x86 schedules for this CPU's caches or these (e.g. 512K,8M)\n"
    "  --weights W            run the pipeline on these weights (safetensors): folds, re-lays, packs\n"
    "  --random-weights SEED  the same on random weights\n"
    "  --log-passes           print each pass's rewrites and time on stderr\n";

struct StageStats {
  std::string name;
  int blocks = 0;
  int64_t out_channels = 0, params = 0, macs = 0;
  std::string kernel_stride_expand;
};

// The module a node belongs to at stage granularity: "features.3", "classifier", ...
std::string stage_of(const ir::Node& n) {
  std::string name = n.get_str("name", "");
  size_t dot = name.find('.');
  if (name.compare(0, 9, "features.") == 0) dot = name.find('.', 9);
  return dot == std::string::npos ? name : name.substr(0, dot);
}

std::vector<StageStats> stage_stats(const ir::Graph& g, const frontend::Spec& spec) {
  std::vector<StageStats> stages;
  std::map<std::string, size_t> index;
  for (const auto& n : g.nodes) {
    std::string s = stage_of(n);
    if (n.op == "input") continue;
    if (!index.count(s)) {
      index[s] = stages.size();
      stages.push_back({s});
    }
    StageStats& st = stages[index[s]];
    st.params += ir::param_count(n);
    st.macs += ir::mac_count(g, n);
    if (n.op != "dropout" && n.shape.size() >= 1) st.out_channels = n.shape[0];
  }
  for (const auto& b : frontend::scaled_blocks(spec)) {
    StageStats& st = stages[index["features." + std::to_string(b.stage)]];
    st.blocks++;
    st.kernel_stride_expand = "k" + std::to_string(b.kernel) + " s" + std::to_string(b.stride == 1 && st.blocks > 1
                                                                                          ? spec.stages[b.stage - 1].stride
                                                                                          : b.stride) +
                              " e" + std::to_string(b.expand_ratio);
  }
  return stages;
}

std::set<std::string> comma_list(const std::string& s) {
  std::set<std::string> out;
  for (size_t start = 0; start <= s.size();) {
    size_t end = std::min(s.find(',', start), s.size());
    if (end > start) out.insert(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

void check_pass_name(const std::string& name, const std::string& option) {
  const auto& passes = ir::pipeline_passes();
  if (std::find(passes.begin(), passes.end(), name) != passes.end()) return;
  std::string known;
  for (const auto& p : passes) known += (known.empty() ? "" : ", ") + p;
  throw UsageError(option + ": unknown pass '" + name + "' (passes: " + known + ")");
}

// Runs the pass pipeline as the options ask; returns the graph after `dump_after` ("": the last pass).
ir::Graph run_passes(const Args& a, const frontend::Spec& spec, const std::string& dump_after) {
  ir::Graph g = frontend::build_graph(spec);
  ir::PipelineOptions options;
  options.no_fusion = a.flag("no-fusion");
  options.disabled = comma_list(a.value_or("disable-pass", ""));
  if (a.value("disable-pass") && options.disabled.empty())
    throw UsageError("--disable-pass needs pass names, comma-separated");
  for (const auto& name : options.disabled) check_pass_name(name, "--disable-pass");
  if (!dump_after.empty()) check_pass_name(dump_after, "--emit=ir-after");
  options.target = a.value_or("target", options.target);
  options.tuned_db = a.value_or("tuned-db", "");
  apply_caches_arg(a.value("caches"));
  options.dump_after = dump_after;
  std::optional<ir::WeightMap> weights;
  if (a.value("random-weights") && a.value("weights"))
    throw UsageError("--weights and --random-weights exclude each other");
  if (a.value("random-weights"))
    weights = frontend::random_weights(g, uint64_t(a.int_value("random-weights", 0, 0, INT64_MAX)));
  if (auto path = a.value("weights")) {
    weights = frontend::read_safetensors(*path);
    frontend::check_weights(g, *weights, *path);
  }
  ir::PipelineResult r = ir::run_pipeline(g, weights ? &*weights : nullptr, options);
  if (a.flag("log-passes")) {
    for (const auto& line : r.log.lines) std::fprintf(stderr, "%s\n", line.c_str());
    for (const auto& t : r.timings)
      if (t.ran)
        std::fprintf(stderr, "pass %-20s %9.3f ms\n", t.pass.c_str(), t.ms);
      else
        std::fprintf(stderr, "pass %-20s   skipped\n", t.pass.c_str());
  }
  return r.captured ? std::move(*r.captured) : std::move(g);
}

// The graph that `--emit=<what>` prints.
ir::Graph graph_to_emit(const std::string& what, const Args& a, const frontend::Spec& spec) {
  const std::string after = "ir-after=";
  if (what == "ir") return frontend::build_graph(spec);
  if (what == "final") return run_passes(a, spec, "");
  if (what == after) throw UsageError("--emit=ir-after= needs a pass name (--emit=ir-after=PASS)");
  if (what.compare(0, after.size(), after) == 0) return run_passes(a, spec, what.substr(after.size()));
  throw UsageError("--emit expects one of: ir, ir-after=PASS, final; got '" + what + "'");
}

}  // namespace

int cmd_inspect(const Argv& argv) {
  Args a = parse_args(argv, {"emit", "disable-pass", "target", "tuned-db", "caches", "random-weights", "weights"},
                      {"json", "no-fusion", "log-passes"});
  if (a.flag("help")) {
    std::printf("%s", kHelp);
    return 0;
  }
  if (a.positional.size() != 1) throw UsageError("inspect expects one variant or spec file\n" + std::string(kHelp));
  frontend::Spec spec = spec_from_arg(a.positional[0]);
  const std::string emit_what = a.value_or("emit", "");
  if (emit_what != "final" && emit_what.compare(0, 9, "ir-after=") != 0) {
    for (const char* option :
         {"disable-pass", "target", "tuned-db", "caches", "random-weights", "weights", "no-fusion", "log-passes"})
      if (a.given(option))
        throw UsageError(std::string("--") + option +
                         " applies to the pass pipeline: --emit=final or --emit=ir-after=PASS");
  }
  if (auto emit = a.value("emit")) {
    ir::Graph emitted = graph_to_emit(*emit, a, spec);
    std::string text = a.flag("json") ? ir::graph_to_json(emitted).dump(2, ' ', false,
                                                                        nlohmann::json::error_handler_t::replace) + "\n"
                                      : ir::print_graph(emitted);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  ir::Graph g = frontend::build_graph(spec);
  std::vector<StageStats> stages = stage_stats(g, spec);
  int64_t params = ir::param_count(g), macs = ir::mac_count(g);
  int blocks = int(frontend::scaled_blocks(spec).size());

  if (a.flag("json")) {
    nlohmann::ordered_json j;
    j["name"] = spec.name;
    j["width"] = spec.width;
    j["depth"] = spec.depth;
    j["resolution"] = spec.resolution;
    j["dropout"] = spec.dropout;
    j["bn_eps"] = spec.bn_eps;
    j["padding"] = frontend::padding_name(spec.padding);
    j["num_classes"] = spec.num_classes;
    j["blocks"] = blocks;
    j["parameters"] = params;
    j["macs"] = macs;
    for (const auto& s : stages)
      j["stages"].push_back({{"name", s.name}, {"blocks", s.blocks}, {"out_channels", s.out_channels},
                             {"parameters", s.params}, {"macs", s.macs}});
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("%s: resolution %d, width %.3g, depth %.3g, padding %s, %d classes, %d MBConv blocks\n",
              spec.name.c_str(), spec.resolution, spec.width, spec.depth, frontend::padding_name(spec.padding),
              spec.num_classes, blocks);
  std::printf("%-12s %7s %-10s %9s %14s %16s\n", "stage", "blocks", "kernel", "channels", "parameters", "MACs");
  for (const auto& s : stages)
    std::printf("%-12s %7s %-10s %9lld %14lld %16lld\n", s.name.c_str(),
                s.blocks ? std::to_string(s.blocks).c_str() : "-", s.kernel_stride_expand.c_str(),
                (long long)s.out_channels, (long long)s.params, (long long)s.macs);
  std::printf("%-12s %7d %-10s %9s %14lld %16lld\n", "total", blocks, "", "", (long long)params, (long long)macs);
  return 0;
}

}  // namespace cli
