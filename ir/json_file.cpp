#include "ir/json_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ir/diagnostics.h"

namespace ir {

std::string read_regular_file(const std::string& path) {
  std::error_code ec;
  std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(st)) throw UserError(path + ": no such file");
  if (!std::filesystem::is_regular_file(st)) throw UserError(path + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot read: " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw UserError(path + ": cannot read: " + std::strerror(errno));
  return text.str();
}

nlohmann::json parse_json_text(const std::string& text, const std::string& path) {
  size_t nul = text.find('\0');
  if (nul != std::string::npos)
    throw UserError(path + ": a NUL byte at byte " + std::to_string(nul) + " (not JSON text)");
  auto depth_limit = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    using E = nlohmann::json::parse_event_t;
    if ((event == E::object_start || event == E::array_start) && depth >= kMaxJsonDepth)
      throw UserError(path + ": nested more than " + std::to_string(kMaxJsonDepth) + " levels deep");
    return true;
  };
  try {
    return nlohmann::json::parse(text, depth_limit);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1e400
    std::string what = e.what();
    size_t colon = what.find("] ");
    throw UserError(path + ": not valid JSON (a truncated or foreign file?): " +
                    (colon == std::string::npos ? what : what.substr(colon + 2)));
  }
}

}  // namespace ir
