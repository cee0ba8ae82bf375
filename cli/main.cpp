// effnetc: the command-line driver. Dispatches to one subcommand (cli/commands.h) and
// turns exceptions into exit codes: user mistakes exit 2 with one line on stderr,
// internal errors exit 1 and say they are a bug.
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>

#include "cli/args.h"
#include "cli/commands.h"
#include "ir/diagnostics.h"
#include "ir/graph.h"

namespace {

struct Command {
  std::function<int(const cli::Argv&)> run;
  const char* summary;
};

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      {"list", {cli::cmd_list, "list the built-in variants"}},
      {"inspect", {cli::cmd_inspect, "print a variant's structure, parameters and MACs, or its IR"}},
      {"run", {cli::cmd_run, "run the reference executor (oracle) on an input batch"}},
      {"verify", {cli::cmd_verify, "compare outputs with a torchvision reference, block by block"}},
      {"compile", {cli::cmd_compile, "build a standalone static library (x86) for a variant"}},
      {"tune", {cli::cmd_tune, "time schedules on this machine and write the tuned database"}},
  };
  return table;
}

void usage(FILE* out) {
  std::fprintf(out, "usage: effnetc <command> [options]   (effnetc <command> --help for details)\n\ncommands:\n");
  for (const auto& [name, c] : commands()) std::fprintf(out, "  %-9s %s\n", name.c_str(), c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  auto it = commands().find(argv[1]);
  if (it == commands().end()) {
    std::fprintf(stderr, "effnetc: unknown command '%s' (try effnetc --help)\n", argv[1]);
    return 2;
  }
  try {
    return it->second.run(cli::Argv(argv + 2, argv + argc));
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "effnetc %s: %s\n", argv[1], e.what());
    return 2;
  } catch (const ir::UserError& e) {
    std::fprintf(stderr, "effnetc %s: error: %s\n", argv[1], e.what());
    return 2;
  } catch (const ir::InternalError& e) {
    std::fprintf(stderr, "effnetc %s: internal error (a bug in effnetc): %s\n", argv[1], e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "effnetc %s: failed: %s\n", argv[1], e.what());
    return 1;
  }
}
