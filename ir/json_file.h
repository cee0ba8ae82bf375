// Reading a JSON data file (the tuned schedule databases) with the limits nlohmann::json lacks:
// only a regular file is read (a FIFO would block forever, a directory is not a database); a NUL
// byte is an error (nlohmann's lexer ends the document there and ignores the rest); nesting is
// capped (its values are printed and destroyed by recursion: a database nested 300000 levels
// deep crashed effnetc). Every error is an ir::UserError whose message starts with the path.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ir {

constexpr int kMaxJsonDepth = 64;  // a tuned database nests 4 deep

// The file's bytes; "<path>: no such file", "<path>: not a regular file", "<path>: cannot read: ...".
std::string read_regular_file(const std::string& path);
// `text` parsed; "<path>: not valid JSON (a truncated or foreign file?): <nlohmann's reason>",
// "<path>: a NUL byte at byte N (not JSON text)", "<path>: nested more than 64 levels deep".
nlohmann::json parse_json_text(const std::string& text, const std::string& path);

}  // namespace ir
