// frontend::spec_from_json: fields land in the Spec, phi expands, defaults hold, and every
// mistake is one UserError line naming the source and the JSON path. The CLI side of the
// error corpus is tests/specs/check_specs.sh.
#include <catch2/catch.hpp>
#include <cmath>

#include "frontend/build_graph.h"
#include "frontend/spec_json.h"
#include "ir/diagnostics.h"
#include "ir/ops.h"

using frontend::spec_from_json;

namespace {

std::string stage(int expand, int kernel, int stride, int in, int out, int repeats) {
  return "{\"expand_ratio\": " + std::to_string(expand) + ", \"kernel\": " + std::to_string(kernel) +
         ", \"stride\": " + std::to_string(stride) + ", \"in_channels\": " + std::to_string(in) +
         ", \"out_channels\": " + std::to_string(out) + ", \"repeats\": " + std::to_string(repeats) + "}";
}

}  // namespace

TEST_CASE("every field lands in the Spec") {
  frontend::Spec s = spec_from_json(R"({"name": "tiny_net", "width": 0.5, "depth": 2, "resolution": 97,
      "dropout": 0.1, "bn_eps": 0.001, "padding": "same", "num_classes": 10, "stem_channels": 12, "divisor": 4,
      "stages": [)" + stage(1, 3, 1, 12, 20, 1) +
                                        ", " + stage(6, 5, 2, 20, 36, 2) + "]}",
                                    "tiny.json");
  CHECK(s.name == "tiny_net");
  CHECK(s.width == 0.5);
  CHECK(s.depth == 2.0);
  CHECK(s.resolution == 97);
  CHECK(s.dropout == 0.1);
  CHECK(s.bn_eps == 0.001);
  CHECK(s.padding == frontend::Padding::Same);
  CHECK(s.num_classes == 10);
  CHECK(s.stem_channels == 12);
  CHECK(s.divisor == 4);
  REQUIRE(s.stages.size() == 2);
  const frontend::StageRow& r = s.stages[1];
  CHECK(r.expand_ratio == 6);
  CHECK(r.kernel == 5);
  CHECK(r.stride == 2);
  CHECK(r.in_channels == 20);
  CHECK(r.out_channels == 36);
  CHECK(r.repeats == 2);
}

TEST_CASE("an empty object is B0 named after the file") {
  frontend::Spec s = spec_from_json("{}", "dir/My Spec-2.json");
  frontend::Spec b0 = *frontend::builtin_spec("b0");
  CHECK(s.name == "efficientnet_my_spec_2");
  CHECK(s.width == b0.width);
  CHECK(s.depth == b0.depth);
  CHECK(s.resolution == b0.resolution);
  CHECK(s.dropout == b0.dropout);
  CHECK(s.bn_eps == b0.bn_eps);
  CHECK(s.padding == frontend::Padding::Symmetric);
  CHECK(s.num_classes == 1000);
  CHECK(s.divisor == 8);
  CHECK(s.stages.size() == 7);
}

TEST_CASE("phi expands by alpha=1.2 (depth), beta=1.1 (width), gamma=1.15 (resolution)") {
  frontend::Spec s = spec_from_json(R"({"phi": 1.5, "num_classes": 10})", "phi.json");
  CHECK(s.width == Approx(std::pow(1.1, 1.5)));
  CHECK(s.depth == Approx(std::pow(1.2, 1.5)));
  CHECK(s.resolution == 276);  // round(224 * 1.15^1.5) = round(276.25)
  CHECK(s.num_classes == 10);
  CHECK(spec_from_json(R"({"phi": 0})", "p.json").resolution == 224);
}

TEST_CASE("round_filters takes the spec's divisor, torchvision's rule for 8") {
  CHECK(frontend::round_filters(12, 1.0, 1) == 12);
  CHECK(frontend::round_filters(20, 1.1, 4) == 24);  // 22 rounds half up to 24
  CHECK(frontend::round_filters(13, 1.0, 4) == 12);
  CHECK(frontend::round_filters(40, 1.8, 8) == frontend::round_filters(40, 1.8));
  CHECK(frontend::round_filters(3, 1.0, 16) == 16);  // never below the divisor
}

TEST_CASE("good specs: the full B0 spec is exactly B0, odd_same keeps odd channels") {
  frontend::Spec b0 = frontend::spec_from_json_file(EFFNETC_SPECS_DIR "/good/b0_full.json");
  ir::Graph g = frontend::build_graph(b0);
  CHECK(ir::param_count(g) == 5288548);
  CHECK(ir::mac_count(g) == 385814752);

  frontend::Spec odd = frontend::spec_from_json_file(EFFNETC_SPECS_DIR "/good/odd_same.json");
  CHECK(odd.resolution == 97);
  CHECK(odd.padding == frontend::Padding::Same);
  std::vector<int> outs;
  for (const auto& b : frontend::scaled_blocks(odd)) outs.push_back(b.out_channels);
  CHECK(outs == std::vector<int>{20, 36, 36, 52});
  CHECK(frontend::head_channels(odd) == 208);
  ir::Graph og = frontend::build_graph(odd);
  CHECK(og.node(og.outputs[0]).shape == ir::Dims{10});
  CHECK(og.nodes[1].shape == ir::Dims{12, 49, 49});  // stem: SAME padding, ceil(97 / 2)
}

TEST_CASE("a spec at the block limit builds") {
  frontend::Spec s = spec_from_json(R"({"depth": 16, "stages": [)" + stage(1, 3, 1, 32, 32, 64) + "]}", "big.json");
  CHECK(frontend::scaled_blocks(s).size() == 1024);
  ir::Graph g = frontend::build_graph(s);
  CHECK(g.node(g.outputs[0]).shape == ir::Dims{1000});
}

TEST_CASE("errors name the source and the JSON path, on one line") {
  auto message = [](const std::string& text) {
    try {
      spec_from_json(text, "spec.json");
    } catch (const ir::UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("{\n  \"width\": 1,\n}") ==
        "spec.json: line 3, column 1: JSON syntax error while parsing object key - unexpected '}'; expected string "
        "literal");
  CHECK(message("") == "spec.json: file is empty; expected a JSON object such as {\"phi\": 1.5}");
  CHECK(message("[]") == "spec.json: top level: expected a JSON object, got an array");
  CHECK(message(std::string("{}\0{\"phi\": 9}", 13)) == "spec.json: line 1, column 3: a NUL byte (not JSON text)");
  CHECK(message(R"({"depth": 1, "depth": 2})") == "spec.json: /depth: duplicate key");
  CHECK(message(R"({"stages": [)" + stage(1, 3, 1, 32, 16, 1) + R"(, {"kernel": 3, "kernel": 5}]})") ==
        "spec.json: /stages/1/kernel: duplicate key");
  CHECK(message(R"({"stages": [)" + stage(1, 3, 1, 32, 16, 1) + ", " + stage(6, 3, 2, 16, 24, 1) + ", " +
                stage(6, -3, 2, 24, 40, 1) + "]}") ==
        "spec.json: /stages/2/kernel: expected an odd positive integer, got -3");
  CHECK(message(R"({"resolution": 2.5})") == "spec.json: /resolution: expected an integer in [32, 2048], got 2.5");
  CHECK(message(R"({"width": true})") == "spec.json: /width: expected a number in (0, 16], got true");
  CHECK(message(R"({"a/b~c\nd": 1})").rfind("spec.json: /a~1b~0c\\x0ad: unknown key; expected one of name,", 0) == 0);
  CHECK(message(R"({"phi": 1, "resolution": 240})") ==
        "spec.json: /resolution: cannot be combined with phi (phi sets width, depth and resolution)");
  CHECK(message(R"({"stages": [)" + stage(1, 3, 1, 32, 16, 1) + ", " + stage(6, 3, 2, 24, 24, 1) + "]}") ==
        "spec.json: /stages/1/in_channels: expected 16 (out_channels of /stages/0), got 24");
  CHECK(message(R"({"name": "\u00e9"})") ==
        "spec.json: /name: expected a name matching [a-z_][a-z0-9_]* of at most 64 characters, got \"\u00e9\"");
  CHECK(message("{\"name\": \"\xc3\x28\"}") == "spec.json: line 1, column 11: not valid UTF-8 (byte 0xc3)");
  CHECK(message(std::string(100, '[')) == "spec.json: /" + std::string("0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/") +
                                              "0/0/0/0/0/0/0/0/0/0: nested more than 32 levels deep");
  CHECK(message(R"({"resolution": 2048, "stem_channels": 256, "stages": [)" + stage(16, 3, 1, 256, 256, 1) + "]}")
            .rfind("spec.json: /resolution: the network's tensor features.1.0.block.0.0 [4096,1024,1024] would have "
                   "4294967296 elements, more than 2^31-1",
                   0) == 0);
  CHECK(
      message(R"({"width": 16, "num_classes": 100000})").rfind("spec.json: /num_classes: the network would have ", 0) ==
      0);
  for (const char* text :
       {"{\"width\": 1e400}", "{\"stages\": {}}", "{\"padding\": null}", "\"x\"", "{\"divisor\": -1}"}) {
    std::string m = message(text);
    CHECK(m.rfind("spec.json: ", 0) == 0);
    CHECK(m.find('\n') == std::string::npos);
  }
}

TEST_CASE("a missing spec file is a UserError naming it") {
  CHECK_THROWS_WITH(frontend::spec_from_json_file("/nonexistent/x.json"), "/nonexistent/x.json: spec file not found");
}
