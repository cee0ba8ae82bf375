// Resolves a command's <variant|spec.json> argument: a built-in name (b0..b7 or
// efficientnet_b0..b7) or the path of a JSON spec file.
#pragma once

#include <string>

#include "frontend/spec.h"

namespace cli {

frontend::Spec spec_from_arg(const std::string& arg);

}  // namespace cli
