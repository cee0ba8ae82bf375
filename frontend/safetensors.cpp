#include "frontend/safetensors.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include "ir/diagnostics.h"

namespace frontend {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // safetensors' MAX_HEADER_SIZE
constexpr int kMaxNesting = 4;                     // header, entry, shape list: 3 levels are enough
const std::string kCounterSuffix = "num_batches_tracked";

enum class DType { F32, F16, BF16, F64, I64 };

struct Entry {
  std::string name;
  DType dtype;
  ir::Dims shape;
  uint64_t begin, end;
};

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw ir::UserError(source + ": " + what);
}

[[noreturn]] void fail_tensor(const std::string& source, const std::string& name, const std::string& what) {
  fail(source, "tensor '" + name + "': " + what);
}

std::string json_type(const json& j) { return j.type_name(); }

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

uint64_t read_u64_le(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Parses the header, rejecting duplicate keys (nlohmann keeps the last one silently) and deep nesting.
json parse_header(const std::string& text, const std::string& source) {
  std::vector<std::set<std::string>> seen;  // keys of each open object
  std::vector<std::string> path{"header"};  // JSON path of the current key, for messages
  auto join = [&] {                         // header/w/shape[][]
    std::string p;
    for (const auto& k : path)
      if (!k.empty()) p += (p.empty() || k == "[]" ? "" : "/") + k;
    return p;
  };
  json::parser_callback_t callback = [&](int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (depth >= kMaxNesting)
          fail(source, "header nests deeper than " + std::to_string(kMaxNesting) + " levels at " + join());
        if (event == json::parse_event_t::object_start) seen.emplace_back();
        path.push_back(event == json::parse_event_t::object_start ? "" : "[]");
        break;
      case json::parse_event_t::key: {
        std::string key = parsed.get<std::string>();
        if (!seen.back().insert(key).second) {
          path.pop_back();
          fail(source, "duplicate key '" + key + "' in " + join());
        }
        path.back() = key;
        break;
      }
      case json::parse_event_t::object_end:
        seen.pop_back();
        path.pop_back();
        break;
      case json::parse_event_t::array_end:
        path.pop_back();
        break;
      case json::parse_event_t::value:
        break;
    }
    return true;
  };
  // nlohmann stops at a NUL byte as if the input ended there; the format allows only JSON and spaces.
  if (size_t nul = text.find('\0'); nul != std::string::npos)
    fail(source, "header is not valid JSON (NUL byte at header offset " + std::to_string(nul) + ")");
  try {
    return json::parse(text, callback);
  } catch (const json::exception& e) {
    fail(source, std::string("header is not valid JSON (") + e.what() + ")");
  }
}

DType parse_dtype(const json& j, const std::string& name, const std::string& source, int64_t* size) {
  if (!j.is_string()) fail_tensor(source, name, "'dtype' must be a string, got " + json_type(j));
  const std::string d = j.get<std::string>();
  static const std::map<std::string, std::pair<DType, int64_t>> known = {{"F32", {DType::F32, 4}},
                                                                         {"F16", {DType::F16, 2}},
                                                                         {"BF16", {DType::BF16, 2}},
                                                                         {"F64", {DType::F64, 8}},
                                                                         {"I64", {DType::I64, 8}}};
  auto it = known.find(d);
  if (it == known.end())
    fail_tensor(source, name, "dtype '" + d + "' is not supported (expected F32, F16, BF16 or F64)");
  if (it->second.first == DType::I64 && !ends_with(name, kCounterSuffix))
    fail_tensor(source, name, "dtype 'I64' is only accepted for " + kCounterSuffix + " counters");
  *size = it->second.second;
  return it->second.first;
}

Entry parse_entry(const std::string& name, const json& j, const std::string& source) {
  if (!j.is_object())
    fail_tensor(source, name, "expected an object with dtype, shape and data_offsets, got " + json_type(j));
  for (const auto& [key, _] : j.items())
    if (key != "dtype" && key != "shape" && key != "data_offsets")
      fail_tensor(source, name, "unexpected key '" + key + "' (expected dtype, shape, data_offsets)");
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!j.contains(key)) fail_tensor(source, name, std::string("missing '") + key + "'");

  Entry e;
  e.name = name;
  int64_t elem_size = 0;
  e.dtype = parse_dtype(j["dtype"], name, source, &elem_size);

  const json& shape = j["shape"];
  if (!shape.is_array()) fail_tensor(source, name, "'shape' must be a list of integers, got " + json_type(shape));
  int64_t bytes = elem_size;
  for (const json& d : shape) {
    if (!d.is_number_integer()) fail_tensor(source, name, "'shape' must hold integers, got " + d.dump());
    if (!d.is_number_unsigned()) fail_tensor(source, name, "shape dimension " + d.dump() + " is negative");
    uint64_t dim = d.get<uint64_t>();
    if (dim > uint64_t(std::numeric_limits<int64_t>::max()) || __builtin_mul_overflow(bytes, int64_t(dim), &bytes))
      fail_tensor(source, name, "shape " + shape.dump() + " is too large (byte size overflows 64 bits)");
    e.shape.push_back(int64_t(dim));
  }

  const json& offsets = j["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned())
    fail_tensor(source, name, "'data_offsets' must be [begin, end] with non-negative integers, got " + offsets.dump());
  e.begin = offsets[0].get<uint64_t>();
  e.end = offsets[1].get<uint64_t>();
  if (e.begin > e.end)
    fail_tensor(source, name,
                "data_offsets [" + std::to_string(e.begin) + "," + std::to_string(e.end) + "] are reversed");
  if (e.end - e.begin != uint64_t(bytes))
    fail_tensor(source, name,
                "data_offsets [" + std::to_string(e.begin) + "," + std::to_string(e.end) + "] hold " +
                    std::to_string(e.end - e.begin) + " bytes, but shape " + ir::dims_str(e.shape) + " needs " +
                    std::to_string(bytes));
  return e;
}

// Entries must tile the data section exactly: no overlap, no gap, no trailing bytes.
void check_coverage(std::vector<Entry>& entries, uint64_t data_size, const std::string& source) {
  for (const Entry& e : entries)
    if (e.end > data_size)
      fail_tensor(source, e.name,
                  "data_offsets [" + std::to_string(e.begin) + "," + std::to_string(e.end) +
                      "] run past the end of the data section (" + std::to_string(data_size) + " bytes)");
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  uint64_t covered = 0;
  const Entry* previous = nullptr;
  for (const Entry& e : entries) {
    if (e.begin < covered)
      fail_tensor(source, e.name,
                  "data_offsets [" + std::to_string(e.begin) + "," + std::to_string(e.end) + "] overlap tensor '" +
                      previous->name + "'");
    if (e.begin > covered)
      fail(source, "bytes [" + std::to_string(covered) + "," + std::to_string(e.begin) +
                       ") of the data section belong to no tensor (gap before tensor '" + e.name + "')");
    covered = e.end;
    previous = &e;
  }
  if (covered != data_size)
    fail(source, std::to_string(data_size - covered) + " trailing bytes after the last tensor (data section " +
                     std::to_string(data_size) + " bytes, tensors cover " + std::to_string(covered) + ")");
}

float half_to_float(uint16_t h) {
  int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  float magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(float(mantissa), -24);
  else if (exponent == 31)
    magnitude = mantissa ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else
    magnitude = std::ldexp(float(mantissa | 0x400), exponent - 25);
  return sign ? -magnitude : magnitude;
}

template <typename T>
T load_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // x86 and aarch64 hosts are little-endian, like the format
  return v;
}

void check_finite(double v, size_t index, const Entry& e, const std::string& source) {
  if (std::isnan(v)) fail_tensor(source, e.name, "value at index " + std::to_string(index) + " is NaN");
  if (std::isinf(v))
    fail_tensor(source, e.name, "value at index " + std::to_string(index) + " is " + (v > 0 ? "+Inf" : "-Inf"));
  if (std::fabs(v) > std::numeric_limits<float>::max()) {
    std::ostringstream s;
    s << "value at index " << index << " (" << v << ") is outside the float32 range";
    fail_tensor(source, e.name, s.str());
  }
}

ir::Tensor decode(const Entry& e, const char* data, const std::string& source) {
  ir::Tensor t;
  t.shape = e.shape;
  size_t n = size_t(ir::numel(e.shape));
  t.data.resize(n);
  const char* p = data + e.begin;
  for (size_t i = 0; i < n; ++i) {
    double v = 0;
    switch (e.dtype) {
      case DType::F32:
        v = load_le<float>(p + 4 * i);
        break;
      case DType::F16:
        v = half_to_float(load_le<uint16_t>(p + 2 * i));
        break;
      case DType::BF16: {
        uint32_t bits = uint32_t(load_le<uint16_t>(p + 2 * i)) << 16;
        float f;
        std::memcpy(&f, &bits, 4);
        v = f;
        break;
      }
      case DType::F64:
        v = load_le<double>(p + 8 * i);
        break;
      case DType::I64:
        throw ir::InternalError("safetensors: I64 tensor '" + e.name + "' reached decode");
    }
    check_finite(v, i, e, source);
    t.data[i] = float(v);
  }
  return t;
}

}  // namespace

ir::WeightMap parse_safetensors(const std::string& bytes, const std::string& source) {
  if (bytes.size() < 8)
    fail(source, "file is " + std::to_string(bytes.size()) + " bytes, too short for the 8-byte header length");
  uint64_t header_size = read_u64_le(bytes.data());
  if (header_size > kMaxHeaderBytes)
    fail(source, "header length " + std::to_string(header_size) + " exceeds the " + std::to_string(kMaxHeaderBytes) +
                     "-byte limit");
  if (header_size > bytes.size() - 8)
    fail(source, "header length " + std::to_string(header_size) + " runs past the end of the file (" +
                     std::to_string(bytes.size()) + " bytes)");

  json header = parse_header(bytes.substr(8, header_size), source);
  if (!header.is_object()) fail(source, "header must be a JSON object, got " + json_type(header));

  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) fail(source, "__metadata__ must be an object of strings, got " + json_type(value));
      for (const auto& [key, v] : value.items())
        if (!v.is_string()) fail(source, "__metadata__ '" + key + "' must be a string, got " + json_type(v));
      continue;
    }
    entries.push_back(parse_entry(name, value, source));
  }
  uint64_t data_start = 8 + header_size;
  check_coverage(entries, bytes.size() - data_start, source);

  ir::WeightMap weights;
  for (const Entry& e : entries)
    if (e.dtype != DType::I64) weights[e.name] = decode(e, bytes.data() + data_start, source);
  return weights;
}

ir::WeightMap read_safetensors(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not a safetensors file");
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    fail(path, "not a regular file (a FIFO or device would be read without end)");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) fail(path, "cannot determine the file size (not a regular file?)");
  std::string bytes(size_t(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), std::streamsize(bytes.size()))) fail(path, "read error");
  return parse_safetensors(bytes, path);
}

void write_safetensors(const std::string& path, const ir::WeightMap& weights,
                       const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : weights) {
    if (int64_t(t.data.size()) != ir::numel(t.shape))
      throw ir::InternalError("write_safetensors: tensor '" + name + "' holds " + std::to_string(t.data.size()) +
                              " values for shape " + ir::dims_str(t.shape));
    uint64_t bytes = 4 * t.data.size();
    header[name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(path, std::string("cannot open for writing: ") + std::strerror(errno));
  char length[8];
  for (int i = 0; i < 8; ++i) length[i] = char((uint64_t(text.size()) >> (8 * i)) & 0xff);
  out.write(length, 8);
  out.write(text.data(), std::streamsize(text.size()));
  for (const auto& [name, t] : weights)
    out.write(reinterpret_cast<const char*>(t.data.data()), std::streamsize(4 * t.data.size()));
  out.close();
  if (!out) fail(path, "write failed");
}

}  // namespace frontend
