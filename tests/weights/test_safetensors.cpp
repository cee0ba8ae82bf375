// The safetensors loader against the corpus in bad/ (each file must fail with the message in its
// .expect) and good/ (exact decoded values), a write -> read round trip, and truncated / mutated
// copies of good files. Built with ASan+UBSan (CMakeLists.txt), so a crash or UB fails the test.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "frontend/safetensors.h"
#include "ir/diagnostics.h"

namespace fs = std::filesystem;

namespace {

const fs::path kCorpus = EFFNETC_WEIGHTS_CORPUS;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The UserError message parse_safetensors gives, or "" when it accepts the bytes.
std::string parse_error(const std::string& bytes, const std::string& source) {
  try {
    frontend::parse_safetensors(bytes, source);
  } catch (const ir::UserError& e) {
    return e.what();
  }
  return "";
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void check_values(const ir::Tensor& t, const ir::Dims& shape, const std::vector<float>& values) {
  CHECK(t.shape == shape);
  REQUIRE(t.data.size() == values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    INFO("index " << i << ": " << t.data[i] << " vs " << values[i]);
    CHECK(same_bits(t.data[i], values[i]));
  }
}

}  // namespace

TEST_CASE("every bad file fails with its expected one-line message") {
  int count = 0;
  for (const auto& f : fs::directory_iterator(kCorpus / "bad")) {
    if (f.path().extension() != ".safetensors") continue;
    ++count;
    fs::path expect_path = f.path();
    expect_path.replace_extension(".expect");
    REQUIRE(fs::exists(expect_path));
    std::string expect = slurp(expect_path);
    while (!expect.empty() && (expect.back() == '\n' || expect.back() == '\r')) expect.pop_back();
    REQUIRE_FALSE(expect.empty());

    std::string message;
    try {
      frontend::read_safetensors(f.path().string());
    } catch (const ir::UserError& e) {
      message = e.what();
    }
    INFO(f.path().filename().string() << "\n  got:    " << message << "\n  expect: " << expect);
    REQUIRE_FALSE(message.empty());
    CHECK(message.rfind(f.path().string() + ": ", 0) == 0);  // names the file first
    CHECK(message.find(expect) != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
  CHECK(count >= 25);
}

TEST_CASE("good files decode to the exact values") {
  const fs::path good = kCorpus / "good";
  ir::WeightMap f32 = frontend::read_safetensors((good / "f32.safetensors").string());
  REQUIRE(f32.size() == 2);
  check_values(f32.at("a.weight"), {2, 3}, {1.5f, -2.0f, 0.0f, 3.25f, 1e-30f, -7.0f});
  check_values(f32.at("b"), {}, {42.0f});

  ir::WeightMap f16 = frontend::read_safetensors((good / "f16.safetensors").string());
  check_values(f16.at("h"), {6}, {1.0f, -2.0f, 0.5f, 65504.0f, std::ldexp(1.0f, -24), -0.0f});

  ir::WeightMap bf16 = frontend::read_safetensors((good / "bf16.safetensors").string());
  check_values(bf16.at("h"), {2, 2}, {1.0f, -2.5f, std::ldexp(1.0f, 127), std::ldexp(1.0f, -126)});

  ir::WeightMap f64 = frontend::read_safetensors((good / "f64.safetensors").string());
  check_values(f64.at("d"), {3}, {float(0.1), float(-1e-3), float(3.0e38)});

  // I64 num_batches_tracked counters are accepted and dropped; zero-size tensors are fine.
  ir::WeightMap counter = frontend::read_safetensors((good / "counter.safetensors").string());
  REQUIRE(counter.size() == 2);
  check_values(counter.at("bn.weight"), {2}, {0.25f, 4.0f});
  check_values(counter.at("empty"), {0, 3}, {});
}

TEST_CASE("a missing file, a directory or a FIFO is a UserError naming it") {
  std::string dir = (kCorpus / "bad").string();
  REQUIRE_THROWS_AS(frontend::read_safetensors(dir), ir::UserError);
  REQUIRE_THROWS_WITH(frontend::read_safetensors(dir), dir + ": is a directory, not a safetensors file");

  std::string path = (kCorpus / "no_such_file.safetensors").string();
  REQUIRE_THROWS_AS(frontend::read_safetensors(path), ir::UserError);
  REQUIRE_THROWS_WITH(frontend::read_safetensors(path), Catch::Matchers::StartsWith(path + ": cannot open"));

  // A FIFO is not read (that blocked until a writer came).
  std::string fifo = (std::filesystem::temp_directory_path() / ("effnetc_fifo_" + std::to_string(::getpid()))).string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(frontend::read_safetensors(fifo),
                    fifo + ": not a regular file (a FIFO or device would be read without end)");
  std::filesystem::remove(fifo);
}

TEST_CASE("every truncation and every single-byte corruption of a good file fails cleanly or loads") {
  for (const auto& f : fs::directory_iterator(kCorpus / "good")) {
    const std::string bytes = slurp(f.path());
    INFO(f.path().filename().string());
    for (size_t n = 0; n < bytes.size(); ++n) {
      INFO("truncated to " << n << " bytes");
      CHECK_FALSE(parse_error(bytes.substr(0, n), "t").empty());
    }
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (unsigned char v : {0x00, 0x01, 0x22, 0x30, 0x5b, 0x7b, 0x7f, 0x80, 0xff}) {
        std::string mutated = bytes;
        mutated[i] = char(v);
        parse_error(mutated, "m");  // must not crash, leak or hit UB; either outcome is fine
      }
    }
  }
}

TEST_CASE("write_safetensors output reads back bit for bit") {
  ir::WeightMap w;
  w["features.0.0.weight"] = {{2, 1, 2, 2}, {1.0f, -0.5f, 3.0e38f, -1e-38f, 0.0f, -0.0f, 7.25f, 1e-45f}};
  w["bias"] = {{3}, {0.1f, 0.2f, 0.3f}};
  w["scalar"] = {{}, {5.0f}};
  w["empty"] = {{0}, {}};
  fs::path path = fs::temp_directory_path() / ("effnetc_roundtrip_" + std::to_string(::getpid()) + ".safetensors");
  frontend::write_safetensors(path.string(), w, {{"variant", "efficientnet_b0"}, {"seed", "7"}});
  std::string bytes = slurp(path);
  ir::WeightMap back = frontend::read_safetensors(path.string());
  fs::remove(path);

  REQUIRE(back.size() == w.size());
  for (const auto& [name, t] : w) {
    INFO(name);
    check_values(back.at(name), t.shape, t.data);
  }
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  CHECK(header_size % 8 == 0);
  std::string header = bytes.substr(8, header_size);
  CHECK(header.find("\"__metadata__\":{\"seed\":\"7\",\"variant\":\"efficientnet_b0\"}") != std::string::npos);
  CHECK(bytes.size() == 8 + header_size + 4 * (8 + 3 + 1));
}

TEST_CASE("write_safetensors to an unwritable path is a UserError naming it") {
  std::string path = (kCorpus / "no_such_dir" / "w.safetensors").string();
  REQUIRE_THROWS_AS(frontend::write_safetensors(path, {}), ir::UserError);
  REQUIRE_THROWS_WITH(frontend::write_safetensors(path, {}),
                      Catch::Matchers::StartsWith(path + ": cannot open for writing"));
}
