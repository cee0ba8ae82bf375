// Reads the text that ir/printer.h writes back into a Graph, so pass tests start from
// strings. Shapes are re-inferred with ir::infer_shape and must equal the printed ones.
// Every error is an ir::UserError "source:line:col: expected ..., got ..." (shape errors
// name the node). It does not run the verifier: a parsed graph may still break its rules.
#pragma once

#include <string>

#include "ir/graph.h"

namespace ir {

Graph parse_graph(const std::string& text, const std::string& source_name);

}  // namespace ir
