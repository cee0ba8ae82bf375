// The IR's text form, one node per line, and the fixture format of every pass test:
//   graph NAME {
//     %1 = conv2d(%0) {name="stem", out=32, pad=[1,1,1,1]} params(weight="stem.weight":[32,3,3,3]@0) : [32,112,112]
//     return %1
//   }
// Attrs print in stored order; reals always carry '.', 'e', "inf" or "nan" and re-parse to the
// same double; `@offset` only when packed. ir/parser.h reads the same text back.
#pragma once

#include <string>

#include "ir/graph.h"

namespace ir {

std::string print_graph(const Graph& g);

// Pieces of the text form, shared with the parser's tests and error messages.
std::string print_real(double v);                // shortest round-trip form: "1e-05", "0.2", "3.0", "inf"
std::string print_string(const std::string& s);  // quoted, with \" \\ \n \t \r and \xHH escapes
std::string print_name(const std::string& s);    // bare when an identifier, else quoted

}  // namespace ir
