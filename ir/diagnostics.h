// The two kinds of error (STYLE.md 12). UserError: the user's input is wrong (spec,
// weights, target, command line); its message names the file, JSON path, tensor or node
// and what was expected, and the CLI exits 2. ir::InternalError (graph.h): a bug.
#pragma once

#include <stdexcept>
#include <string>

namespace ir {

struct UserError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ir
