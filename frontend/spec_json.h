// Custom specs from JSON (fields, types, ranges and defaults: docs/spec_json.md).
// Every mistake — bad UTF-8 or JSON syntax, an unknown or duplicate key, a wrong type, an
// out-of-range value, a network whose largest tensor or weight count exceeds what the
// compiler can index — throws ir::UserError with one line: "<source>: <JSON pointer>: what
// was expected, got <value>". A valid result always builds with frontend::build_graph.
#pragma once

#include <string>

#include "frontend/spec.h"

namespace frontend {

// `source` names the text in messages; its file stem gives the default library name.
Spec spec_from_json(const std::string& text, const std::string& source);
Spec spec_from_json_file(const std::string& path);

}  // namespace frontend
