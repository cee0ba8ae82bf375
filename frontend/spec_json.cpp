#include "frontend/spec_json.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "frontend/build_graph.h"
#include "ir/diagnostics.h"

namespace frontend {
namespace {

using Json = nlohmann::ordered_json;  // keeps document order, so the first mistake is reported first

constexpr size_t kMaxDepth = 32;  // a valid spec nests 3 deep
constexpr uintmax_t kMaxFileBytes = 1 << 20;
constexpr int64_t kMaxTensorElements = INT32_MAX;  // Halide indexes buffers with int32
constexpr int64_t kMaxWeights = INT32_MAX;         // ... including the packed weight buffer
constexpr int64_t kMaxBlocks = 1024;               // B7 has 55
constexpr int64_t kMaxChannels = 16384;            // before width scaling
const char* const kTopKeys[] = {"name",   "width",   "depth",       "resolution",    "phi",     "dropout",
                                "bn_eps", "padding", "num_classes", "stem_channels", "divisor", "stages"};
const char* const kStageKeys[] = {"expand_ratio", "kernel", "stride", "in_channels", "out_channels", "repeats"};

// Keys and file names are user text: escape control characters so a message stays one line.
std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c != 0x7f) {
      out += char(c);
      continue;
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
  }
  return out;
}

std::string pointer_token(const std::string& key) {  // RFC 6901: '~' -> "~0", '/' -> "~1"
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

std::string join(const char* const* begin, const char* const* end) {
  std::string out;
  for (auto p = begin; p != end; ++p) out += (out.empty() ? "" : ", ") + std::string(*p);
  return out;
}

// The value as the user wrote it, short: scalars as JSON, containers by kind.
std::string shown(const Json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  std::string s = v.dump();
  if (s.size() <= 40) return s;
  size_t cut = 37;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) cut--;  // whole UTF-8 characters
  return s.substr(0, cut) + "...";
}

std::string format_real(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

// Line and column (1-based, in bytes) of byte offset `at`.
std::string position(const std::string& text, size_t at) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < at && i < text.size(); i++) {
    if (text[i] == '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// Byte offset of the first byte that is not well-formed UTF-8 (RFC 3629), or npos.
size_t invalid_utf8_at(const std::string& text) {
  size_t i = 0, n = text.size();
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  while (i < n) {
    unsigned char c = byte(i);
    size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0 || i + len > n) return i;
    uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (size_t k = 1; k < len; k++) {
      if ((byte(i + k) & 0xc0) != 0x80) return i;
      cp = cp << 6 | (byte(i + k) & 0x3f);
    }
    const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return std::string::npos;
}

// One open object or array while parsing: enough to name the current JSON path.
struct Frame {
  explicit Frame(bool is_array) : array(is_array) {}
  bool array;
  int64_t index = -1;  // arrays: the element being read
  std::string key;     // objects: the key being read
  std::set<std::string> keys;
};

std::string path_of(const std::vector<Frame>& stack) {
  std::string path;
  for (const Frame& f : stack) path += "/" + (f.array ? std::to_string(f.index) : pointer_token(f.key));
  return path;
}

class SpecReader {
 public:
  explicit SpecReader(std::string source) : source_(std::move(source)) {}

  Spec read(const std::string& text) {
    root_ = parse(text);
    if (!root_.is_object()) fail("", "expected a JSON object, got " + shown(root_));
    for (const auto& item : root_.items())
      if (!known(item.key(), std::begin(kTopKeys), std::end(kTopKeys)))
        fail("/" + pointer_token(item.key()),
             "unknown key; expected one of " + join(std::begin(kTopKeys), std::end(kTopKeys)));
    Spec s = scaling();
    if (has("dropout")) s.dropout = number("/dropout", root_["dropout"], 0, false, 1, true);
    if (has("bn_eps")) s.bn_eps = number("/bn_eps", root_["bn_eps"], 0, true, 1, false);
    if (has("padding")) s.padding = padding(root_["padding"]);
    if (has("num_classes")) s.num_classes = int(integer("/num_classes", root_["num_classes"], 1, 100000));
    if (has("stem_channels")) s.stem_channels = int(integer("/stem_channels", root_["stem_channels"], 1, kMaxChannels));
    if (has("divisor")) s.divisor = int(integer("/divisor", root_["divisor"], 1, 64));
    if (has("stages")) s.stages = stages(root_["stages"]);
    check_chain(s);
    check_block_count(s);
    s.name = has("name") ? name(root_["name"]) : default_name();
    check_sizes(s);
    return s;
  }

 private:
  // `where`: a JSON pointer ("" for the top level) or, before there is a document, "line L, column C".
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw ir::UserError(printable(source_) + ": " + (where.empty() ? "top level" : printable(where)) + ": " + what);
  }

  static bool known(const std::string& key, const char* const* begin, const char* const* end) {
    for (auto p = begin; p != end; ++p)
      if (key == *p) return true;
    return false;
  }

  bool has(const char* key) const { return root_.contains(key); }

  // Parses with a callback that tracks the JSON path, so that duplicate keys (which JSON
  // libraries silently collapse) and runaway nesting are reported where they occur.
  Json parse(const std::string& text) {
    size_t bad = invalid_utf8_at(text);
    if (bad != std::string::npos) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[bad]));
      fail(position(text, bad), std::string("not valid UTF-8 (byte ") + byte + ")");
    }
    // nlohmann's lexer ends the document at a NUL byte and ignores the rest ("{}\0junk" parsed as B0).
    if (size_t nul = text.find('\0'); nul != std::string::npos) fail(position(text, nul), "a NUL byte (not JSON text)");
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
      throw ir::UserError(printable(source_) + ": file is empty; expected a JSON object such as {\"phi\": 1.5}");
    std::vector<Frame> stack;
    auto track = [&](int, Json::parse_event_t event, Json& parsed) {
      using E = Json::parse_event_t;
      bool element = event == E::object_start || event == E::array_start || event == E::value;
      if (element && !stack.empty() && stack.back().array) stack.back().index++;
      if (event == E::object_start || event == E::array_start) {
        if (stack.size() >= kMaxDepth)
          fail(path_of(stack), "nested more than " + std::to_string(kMaxDepth) + " levels deep");
        stack.emplace_back(event == E::array_start);
      } else if (event == E::object_end || event == E::array_end) {
        stack.pop_back();
      } else if (event == E::key) {
        stack.back().key = parsed.get<std::string>();
        if (!stack.back().keys.insert(stack.back().key).second) fail(path_of(stack), "duplicate key");
      }
      return true;
    };
    try {
      return Json::parse(text, track);
    } catch (const Json::parse_error& e) {
      // what(): "[json.exception.parse_error.101] parse error at line L, column C: syntax error while ..."
      std::string what = e.what();
      size_t colon = what.find(": ", what.find("parse error"));
      std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
      if (reason.compare(0, 13, "syntax error ") == 0) reason = reason.substr(13);
      fail(position(text, e.byte == 0 ? 0 : e.byte - 1), "JSON syntax error " + reason);
    } catch (const Json::out_of_range&) {  // a number beyond double's range, e.g. 1e400
      if (!stack.empty() && stack.back().array) stack.back().index++;
      fail(path_of(stack), "number out of range");
    }
  }

  double number(const std::string& path, const Json& v, double lo, bool lo_open, double hi, bool hi_open) const {
    std::string range =
        std::string(lo_open ? "(" : "[") + format_real(lo) + ", " + format_real(hi) + (hi_open ? ")" : "]");
    if (!v.is_number()) fail(path, "expected a number in " + range + ", got " + shown(v));
    double x = v.get<double>();
    if (x < lo || (lo_open && x == lo) || x > hi || (hi_open && x == hi))
      fail(path, "expected a number in " + range + ", got " + shown(v));
    return x;
  }

  int64_t integer(const std::string& path, const Json& v, int64_t lo, int64_t hi) const {
    std::string expected = "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got ";
    if (!v.is_number_integer()) fail(path, expected + shown(v));
    if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
      fail(path, expected + shown(v));
    int64_t x = v.get<int64_t>();
    if (x < lo || x > hi) fail(path, expected + shown(v));
    return x;
  }

  // phi, or width / depth / resolution (defaults: B0).
  Spec scaling() const {
    if (has("phi")) {
      for (const auto& item : root_.items())
        if (item.key() == "width" || item.key() == "depth" || item.key() == "resolution")
          fail("/" + item.key(), "cannot be combined with phi (phi sets width, depth and resolution)");
      return spec_from_phi(number("/phi", root_["phi"], -10, false, 15, false));
    }
    Spec s;
    s.stages = base_stages();
    if (has("width")) s.width = number("/width", root_["width"], 0, true, 16, false);
    if (has("depth")) s.depth = number("/depth", root_["depth"], 0, true, 16, false);
    if (has("resolution")) s.resolution = int(integer("/resolution", root_["resolution"], 32, 2048));
    return s;
  }

  Padding padding(const Json& v) const {
    if (v == "symmetric") return Padding::Symmetric;
    if (v == "same") return Padding::Same;
    fail("/padding", "expected \"symmetric\" or \"same\", got " + shown(v));
  }

  std::string name(const Json& v) const {
    const char* expected = "expected a name matching [a-z_][a-z0-9_]* of at most 64 characters, got ";
    if (!v.is_string()) fail("/name", expected + shown(v));
    std::string n = v.get<std::string>();
    bool ok = !n.empty() && n.size() <= 64 && !(n[0] >= '0' && n[0] <= '9');
    for (char c : n) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    if (!ok) fail("/name", expected + shown(v));
    return n;
  }

  // "efficientnet_" + the source's file stem, lower-cased, other characters as '_'.
  std::string default_name() const {
    std::string stem = std::filesystem::path(source_).stem().string(), out = "efficientnet_";
    for (char c : stem.substr(0, 48)) {
      char l = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
      out += (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') ? l : '_';
    }
    return stem.empty() ? "efficientnet_custom" : out;
  }

  std::vector<StageRow> stages(const Json& v) const {
    if (!v.is_array() || v.empty() || v.size() > 32)
      fail("/stages", "expected an array of 1 to 32 stage objects, got " +
                          (v.is_array() ? std::to_string(v.size()) + " elements" : shown(v)));
    std::vector<StageRow> rows;
    for (size_t i = 0; i < v.size(); i++) {
      std::string path = "/stages/" + std::to_string(i);
      const Json& o = v[i];
      if (!o.is_object())
        fail(path, "expected a stage object with keys " + join(std::begin(kStageKeys), std::end(kStageKeys)) +
                       ", got " + shown(o));
      for (const auto& item : o.items())
        if (!known(item.key(), std::begin(kStageKeys), std::end(kStageKeys)))
          fail(path + "/" + pointer_token(item.key()),
               "unknown key; expected one of " + join(std::begin(kStageKeys), std::end(kStageKeys)));
      for (const char* key : kStageKeys)
        if (!o.contains(key)) fail(path, std::string("missing key \"") + key + "\"");
      StageRow r;
      r.expand_ratio = int(integer(path + "/expand_ratio", o["expand_ratio"], 1, 16));
      r.kernel = kernel(path + "/kernel", o["kernel"]);
      const Json& stride = o["stride"];
      if (!stride.is_number_integer() || (stride != 1 && stride != 2))
        fail(path + "/stride", "expected the integer 1 or 2, got " + shown(stride));
      r.stride = stride.get<int>();
      r.in_channels = int(integer(path + "/in_channels", o["in_channels"], 1, kMaxChannels));
      r.out_channels = int(integer(path + "/out_channels", o["out_channels"], 1, kMaxChannels));
      r.repeats = int(integer(path + "/repeats", o["repeats"], 1, 64));
      rows.push_back(r);
    }
    return rows;
  }

  int kernel(const std::string& path, const Json& v) const {
    bool negative = v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() <= 0;
    if (!v.is_number_integer() || negative || v.get<uint64_t>() % 2 == 0)
      fail(path, "expected an odd positive integer, got " + shown(v));
    if (v.get<uint64_t>() > 31) fail(path, "expected an odd positive integer of at most 31, got " + shown(v));
    return v.get<int>();
  }

  void check_chain(const Spec& s) const {
    if (!has("stages")) {
      if (s.stem_channels != s.stages[0].in_channels)
        fail("/stem_channels", "expected " + std::to_string(s.stages[0].in_channels) +
                                   " (in_channels of the first built-in stage; give \"stages\" to change it), got " +
                                   std::to_string(s.stem_channels));
      return;
    }
    for (size_t i = 0; i < s.stages.size(); i++) {
      int want = i == 0 ? s.stem_channels : s.stages[i - 1].out_channels;
      if (s.stages[i].in_channels == want) continue;
      fail("/stages/" + std::to_string(i) + "/in_channels",
           "expected " + std::to_string(want) +
               (i == 0 ? " (stem_channels)" : " (out_channels of /stages/" + std::to_string(i - 1) + ")") + ", got " +
               std::to_string(s.stages[i].in_channels));
    }
  }

  void check_block_count(const Spec& s) const {
    int64_t blocks = 0;
    for (const StageRow& r : s.stages) blocks += round_repeats(r.repeats, s.depth);
    if (blocks <= kMaxBlocks) return;
    fail(
        has("phi")     ? "/phi"
        : has("depth") ? "/depth"
                       : "/stages",
        "the network would have " + std::to_string(blocks) + " MBConv blocks, more than " + std::to_string(kMaxBlocks));
  }

  // The JSON field that most directly sets the size of node `n`'s tensors: num_classes for
  // the classifier, else the first of `scaling` present in the spec, else the stage (or
  // stem, head) that `n` belongs to.
  std::string blame(const ir::Node& n, std::initializer_list<const char*> scaling) const {
    std::string name = n.get_str("name", "");
    bool classifier = name.compare(0, 10, "classifier") == 0;
    if (classifier && has("num_classes")) return "/num_classes";
    for (const char* key : scaling)
      if (has(key)) return "/" + std::string(key);
    if (classifier) return "/num_classes";
    if (name.compare(0, 9, "features.") != 0) return "/resolution";
    size_t stage = std::stoul(name.substr(9)), stages = root_.contains("stages") ? root_["stages"].size() : 0;
    if (stage == 0) return "/stem_channels";
    if (stage > stages) return stages ? "/stages/" + std::to_string(stages - 1) + "/out_channels" : "/width";
    return "/stages/" + std::to_string(stage - 1);
  }

  // Rejects networks whose largest per-sample tensor or total weight count Halide cannot index.
  void check_sizes(const Spec& s) const {
    ir::Graph g = build_graph(s);
    const int64_t kOverflow = std::numeric_limits<int64_t>::max();
    auto elements = [&](const ir::Dims& d) {
      int64_t total = 1;
      for (int64_t x : d)
        if (__builtin_mul_overflow(total, x, &total)) return kOverflow;
      return total;
    };
    const ir::Node *largest = nullptr, *heaviest = nullptr;
    int64_t largest_elements = 0, heaviest_weights = 0, weights = 0;
    for (const ir::Node& n : g.nodes) {
      int64_t e = elements(n.shape), w = 0;
      for (const ir::Param& p : n.params)
        if (__builtin_add_overflow(w, elements(p.shape), &w)) w = kOverflow;
      if (__builtin_add_overflow(weights, w, &weights)) weights = kOverflow;
      if (e > largest_elements) largest_elements = e, largest = &n;
      if (w > heaviest_weights) heaviest_weights = w, heaviest = &n;
    }
    if (largest_elements > kMaxTensorElements)
      fail(blame(*largest, {"resolution", "phi", "width"}),
           "the network's tensor " + largest->get_str("name", "?") + " " + ir::dims_str(largest->shape) +
               " would have " + std::to_string(largest_elements) +
               " elements, more than 2^31-1 (Halide indexes with int32)");
    if (weights > kMaxWeights)
      fail(blame(*heaviest, {"width", "phi"}),
           "the network would have " + std::to_string(weights) +
               " weights (parameters and BatchNorm statistics), more than 2^31-1 (Halide indexes with int32)");
  }

  std::string source_;
  Json root_;
};

}  // namespace

Spec spec_from_json(const std::string& text, const std::string& source) { return SpecReader(source).read(text); }

Spec spec_from_json_file(const std::string& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) throw ir::UserError(printable(path) + ": spec file not found");
  if (!std::filesystem::is_regular_file(status)) throw ir::UserError(printable(path) + ": not a regular file");
  if (std::filesystem::file_size(path, ec) > kMaxFileBytes)
    throw ir::UserError(printable(path) + ": spec file is larger than 1 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ir::UserError(printable(path) + ": cannot open the spec file");
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw ir::UserError(printable(path) + ": cannot read the spec file");
  return spec_from_json(text, path);
}

}  // namespace frontend
