#include "cli/spec_arg.h"

#include <filesystem>

#include "frontend/spec_json.h"
#include "ir/diagnostics.h"

namespace cli {

frontend::Spec spec_from_arg(const std::string& arg) {
  if (auto s = frontend::builtin_spec(arg)) return *s;
  bool json_name = arg.size() > 5 && arg.compare(arg.size() - 5, 5, ".json") == 0;
  std::error_code ec;
  if (json_name || std::filesystem::is_regular_file(arg, ec)) return frontend::spec_from_json_file(arg);
  throw ir::UserError("unknown variant '" + arg +
                      "': expected one of b0..b7 (or efficientnet_b0..b7) or the path of a spec .json file");
}

}  // namespace cli
