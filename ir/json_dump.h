// A Graph as JSON for tools: {"name", "nodes": [{"id", "op", "inputs", "attrs", "params",
// "shape"}], "outputs"}. Attrs keep their stored order and JSON types (integer lists as
// arrays); params are {"role", "name", "shape"} plus "offset" once packed. Write-only.
#pragma once

#include <nlohmann/json.hpp>

#include "ir/graph.h"

namespace ir {

nlohmann::ordered_json graph_to_json(const Graph& g);

}  // namespace ir
