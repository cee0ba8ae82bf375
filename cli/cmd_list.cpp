#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "frontend/build_graph.h"
#include "ir/ops.h"

namespace cli {

int cmd_list(const Argv& argv) {
  Args a = parse_args(argv, {}, {});
  if (a.flag("help")) {
    std::printf("usage: effnetc list\n\nLists the built-in variants with their scaling coefficients.\n");
    return 0;
  }
  if (!a.positional.empty()) throw UsageError("list takes no arguments");
  std::printf("%-18s %6s %6s %10s %8s %8s %14s %16s\n", "variant", "width", "depth", "resolution", "dropout",
              "bn_eps", "parameters", "MACs");
  for (const auto& name : frontend::builtin_names()) {
    frontend::Spec s = *frontend::builtin_spec(name);
    ir::Graph g = frontend::build_graph(s);
    std::printf("%-18s %6.2f %6.2f %10d %8.2f %8.0e %14lld %16lld\n", s.name.c_str(), s.width, s.depth,
                s.resolution, s.dropout, s.bn_eps, (long long)ir::param_count(g), (long long)ir::mac_count(g));
  }
  return 0;
}

}  // namespace cli
