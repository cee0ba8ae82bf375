// The effnetc subcommands. Each takes the arguments after its name and returns the
// process exit code: 0 ok, 1 failure, 2 usage or input error (UserError / UsageError
// are caught in main.cpp and printed as one line).
#pragma once

#include <string>
#include <vector>

namespace cli {

using Argv = std::vector<std::string>;

int cmd_list(const Argv& args);
int cmd_inspect(const Argv& args);
int cmd_run(const Argv& args);
int cmd_verify(const Argv& args);
int cmd_compile(const Argv& args);
int cmd_tune(const Argv& args);

}  // namespace cli
