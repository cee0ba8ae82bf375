// block_weights: 1x1 conv weights in blocks of the default register tile (the oracle checks the
// values agree before and after), and the nodes and targets it must leave alone.
#include <catch2/catch.hpp>

#include "ir/parser.h"
#include "ir/passes/block_weights.h"
#include "schedules/target_facts.h"
#include "tests/passes/pass_test_util.h"

namespace {

pass_test::Result block(const std::string& text, const std::string& target) {
  return pass_test::run_pass(
      text, [&](ir::Graph& g, ir::WeightMap* w, ir::PassLog& log) { ir::block_weights(g, w, target, log); });
}

// input [8,6,6] -> 1x1 conv to `out` channels -> 3x3 depthwise, in the layouts choose_layout leaves.
std::string net(int out) {
  std::string o = std::to_string(out);
  return "graph t {\n  %0 = input() {shape=[8,6,6], layout=\"nchw\"} : [8,6,6]\n"
         "  %1 = conv2d(%0) {out=" + o + ", kernel=1, stride=1, pad=[0,0,0,0], groups=1, act=\"swish\", layout=\"nhwc\", "
         "weight_layout=\"hwio\"} params(weight=\"e.weight\":[1,1,8," + o + "], bias=\"e.bias\":[" + o + "]) : [" + o +
         ",6,6]\n"
         "  %2 = conv2d(%1) {out=" + o + ", kernel=3, stride=1, pad=[1,1,1,1], groups=" + o + ", layout=\"nhwc\", "
         "weight_layout=\"hwio\"} params(weight=\"d.weight\":[3,3,1," + o + "]) : [" + o + ",6,6]\n"
         "  return %2\n}\n";
}

}  // namespace

TEST_CASE("block_weights: a 1x1 conv's weights in blocks of its default AVX-512 tile, other convs untouched") {
  // 96 channels, 6-pixel rows: the default AVX-512 register tile is 48 channels x 6 pixels.
  auto r = block(net(96), "x86-avx512");
  CHECK(r.text.find("weight_block=48} params(weight=\"e.weight#b48\":[2,1,1,8,48], bias=\"e.bias\":[96])") !=
        std::string::npos);
  CHECK(r.text.find("params(weight=\"d.weight\":[3,3,1,96])") != std::string::npos);  // depthwise: as it was
  REQUIRE(r.log.size() == 1);
  CHECK(r.log[0] == "block_weights: %1 conv2d weight hwio -> 2 blocks of 48 output channels");
}

TEST_CASE("block_weights: blocks of the tile the node's schedule uses (a tuned entry's), not the default") {
  // 96 channels: the default tile is 48, a tuned entry's sched.* attrs say 32.
  std::string text = net(96);
  const std::string conv = "act=\"swish\", layout=\"nhwc\"";
  REQUIRE(text.find(conv) != std::string::npos);
  text.replace(text.find(conv), conv.size(), conv + ", sched.tile_channels=32");
  auto r = block(text, "x86-avx512");
  CHECK(r.text.find("weight_block=32") != std::string::npos);
  REQUIRE(r.log.size() == 1);
  CHECK(r.log[0] == "block_weights: %1 conv2d weight hwio -> 3 blocks of 32 output channels");
}

TEST_CASE("block_weights: the vector width where the tile does not divide the channels") {
  // 80 channels: tile 48 leaves a partial block, so blocks of one 16-lane vector
  auto r = block(net(80), "x86-avx512");
  CHECK(r.text.find("weight_block=16} params(weight=\"e.weight#b16\":[5,1,1,8,16]") != std::string::npos);
}

TEST_CASE("block_weights: 24 or 40 channels on AVX-512 in one block of whole vectors, zero-padded") {
  // the default tile is 2 or 3 16-lane vectors (schedules::pads_channels); the oracle checks the
  // conv's values on the padded blob
  auto r = block(net(24), "x86-avx512");
  CHECK(r.text.find("weight_block=32} params(weight=\"e.weight#b32\":[1,1,1,8,32], bias=\"e.bias\":[24])") !=
        std::string::npos);
  REQUIRE(r.log.size() == 1);
  CHECK(r.log[0] == "block_weights: %1 conv2d weight hwio -> 1 blocks of 32 output channels (8 zero-padded)");
  CHECK(block(net(40), "x86-avx512").text.find("weight_block=48} params(weight=\"e.weight#b48\":[1,1,1,8,48]") !=
        std::string::npos);
  std::vector<float> io = {1, 2, 3, 4, 5, 6}, blocked(8, -1.0f);  // [I=2, O=3] in one block of 4
  ir::block_hwio(io.data(), blocked.data(), 2, 3, 4);
  CHECK(blocked == std::vector<float>{1, 2, 3, 0, 4, 5, 6, 0});
}

TEST_CASE("block_weights leaves one-block convs, blocked convs and CUDA targets alone") {
  CHECK(block(net(96), "cuda").log.empty());
  // 24 channels on AVX2: three 8-lane vectors, a single block
  CHECK(block(net(24), "x86-64-linux-avx2").log.empty());
  auto once = block(net(96), "x86-avx512");
  CHECK(block(once.text, "x86-avx512").log.empty());
  // AVX2 tiles are narrower: 96 channels in tiles of 16 (2 x 8 lanes)
  CHECK(block(net(96), "x86-64-linux-avx2").text.find("weight_block=16}") != std::string::npos);
}

TEST_CASE("set_weight_block re-lays a blocked conv for another tile without touching its data") {
  // the tuner's candidates: 96 channels blocked by the default 48, then timed under other tiles
  ir::Graph g = ir::parse_graph(block(net(96), "x86-avx512").text, "test");
  ir::Node& conv = g.node(1);
  REQUIRE(ir::blockable(conv));
  CHECK_FALSE(ir::blockable(g.node(2)));  // depthwise
  schedules::ScheduleParams s = schedules::default_schedule(g, conv, schedules::target_facts("x86-avx512"));
  s.tile_channels = 32;
  ir::set_weight_block(conv, s);
  CHECK(conv.get_int("weight_block") == 32);
  CHECK(conv.param("weight")->shape == ir::Dims{3, 1, 1, 8, 32});
  s.tile_channels = 64;  // does not divide 96: blocks of one vector
  ir::set_weight_block(conv, s);
  CHECK(conv.get_int("weight_block") == 16);
  CHECK(conv.param("weight")->shape == ir::Dims{6, 1, 1, 8, 16});
  s.vector_width = s.tile_channels = 96;  // a single block: plain hwio
  ir::set_weight_block(conv, s);
  CHECK_FALSE(conv.has("weight_block"));
  CHECK(conv.param("weight")->shape == ir::Dims{1, 1, 8, 96});
  CHECK(conv.param("weight")->name == "e.weight#b48");  // the same floats, only the layout differs
}

TEST_CASE("block_hwio puts output channel o of input i at block o/B, row i, lane o%B") {
  const int64_t in = 3, out = 4, b = 2;
  std::vector<float> io(in * out), blocked(in * out);
  for (int64_t i = 0; i < in; i++)
    for (int64_t o = 0; o < out; o++) io[size_t(i * out + o)] = float(10 * i + o);
  ir::block_hwio(io.data(), blocked.data(), in, out, b);
  CHECK(blocked == std::vector<float>{0, 1, 10, 11, 20, 21, 2, 3, 12, 13, 22, 23});
}
