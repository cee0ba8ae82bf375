#include "cli/spec_arg.h"

#include "ir/diagnostics.h"

namespace cli {

frontend::Spec spec_from_arg(const std::string& arg) {
  if (auto s = frontend::builtin_spec(arg)) return *s;
  throw ir::UserError("unknown variant '" + arg + "': expected one of b0..b7 or a spec .json file");
}

}  // namespace cli
