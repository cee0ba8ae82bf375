// effnetc inspect: a variant's resolution, blocks per stage, channels, parameters and
// MACs per stage and in total (text or --json).
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/spec_arg.h"
#include "frontend/build_graph.h"
#include "ir/ops.h"

namespace cli {
namespace {

const char* kHelp =
    "usage: effnetc inspect <b0..b7|spec.json> [--json]\n"
    "\n"
    "Expands the spec and prints resolution, blocks per stage, channels, and\n"
    "parameters and MACs (conv + linear, per image) per stage and in total.\n"
    "  --json   print the same as one JSON object\n";

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

}  // namespace

int cmd_inspect(const Argv& argv) {
  Args a = parse_args(argv, {}, {"json"});
  if (a.flag("help")) {
    std::printf("%s", kHelp);
    return 0;
  }
  if (a.positional.size() != 1) throw UsageError("inspect expects one variant or spec file\n" + std::string(kHelp));
  frontend::Spec spec = spec_from_arg(a.positional[0]);
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
