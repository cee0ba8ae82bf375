// The oracle (oracle/executor.h) against hand-computed values on tiny shapes, fused forms
// against the unfused subgraphs they replace, weight layouts against each other, and
// batches against single samples.
#include <catch2/catch.hpp>
#include <random>

#include "ir/diagnostics.h"
#include "ir/ops.h"
#include "oracle/executor.h"

using Catch::Matchers::Contains;
using ir::Dims;
using ir::Graph;
using ir::Tensor;

namespace {

Tensor tensor(Dims shape, std::vector<float> data) { return Tensor{std::move(shape), std::move(data)}; }

Tensor random_tensor(Dims shape, unsigned seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t{shape, std::vector<float>(size_t(ir::numel(shape)))};
  for (auto& v : t.data) v = dist(rng);
  return t;
}

int input(Graph& g, Dims shape) {
  ir::Node& n = g.add("input", {});
  n.set("shape", shape);
  n.shape = shape;
  return n.id;
}

ir::Node& conv(Graph& g, std::vector<int> inputs, const std::string& name, int64_t out, int64_t kernel, int64_t stride,
               Dims pad, int64_t groups, bool bias) {
  int64_t in = g.node(inputs[0]).shape[0];
  ir::Node& n = g.add("conv2d", std::move(inputs));
  n.set("out", out);
  n.set("kernel", kernel);
  n.set("stride", stride);
  n.set("pad", pad);
  n.set("groups", groups);
  n.params.push_back({"weight", name + ".weight", {out, in / groups, kernel, kernel}});
  if (bias) n.params.push_back({"bias", name + ".bias", {out}});
  return n;
}

int finish(Graph& g, ir::Node& n) {
  n.shape = ir::infer_shape(g, n);
  return n.id;
}

int unary(Graph& g, const std::string& op, int x) {
  ir::Node& n = g.add(op, {x});
  return finish(g, n);
}

int activation(Graph& g, int x, const std::string& kind) {
  ir::Node& n = g.add("activation", {x});
  n.set("kind", kind);
  return finish(g, n);
}

Tensor run1(Graph& g, int output, const ir::WeightMap& w, const Tensor& x, int threads = 1) {
  g.outputs = {output};
  return oracle::run_graph(g, w, x, threads).at(0);
}

void check_close(const Tensor& a, const Tensor& b, double tol) {
  REQUIRE(a.shape == b.shape);
  for (size_t i = 0; i < a.data.size(); i++) {
    INFO("element " << i);
    CHECK(a.data[i] == Approx(b.data[i]).margin(tol).epsilon(tol));
  }
}

// [O, I, kh, kw] -> [kh, kw, I, O]
Tensor to_hwio(const Tensor& t) {
  int64_t o = t.shape[0], i = t.shape[1], k = t.shape[2];
  Tensor r{{k, k, i, o}, std::vector<float>(t.data.size())};
  for (int64_t a = 0; a < o; a++)
    for (int64_t b = 0; b < i; b++)
      for (int64_t y = 0; y < k; y++)
        for (int64_t x = 0; x < k; x++)
          r.data[size_t(((y * k + x) * i + b) * o + a)] = t.data[size_t(((a * i + b) * k + y) * k + x)];
  return r;
}

// [O, I, ...] -> [I, O]
Tensor transpose2(const Tensor& t) {
  int64_t o = t.shape[0], i = t.shape[1];
  Tensor r{{i, o}, std::vector<float>(t.data.size())};
  for (int64_t a = 0; a < o; a++)
    for (int64_t b = 0; b < i; b++) r.data[size_t(b * o + a)] = t.data[size_t(a * i + b)];
  return r;
}

}  // namespace

TEST_CASE("conv2d: stride 2, asymmetric padding and bias") {
  Graph g;
  int x = input(g, {1, 3, 3});
  int y = finish(g, conv(g, {x}, "c", 1, 2, 2, {1, 0, 0, 1}, 1, true));
  ir::WeightMap w = {{"c.weight", tensor({1, 1, 2, 2}, {1, 2, 3, 4})}, {"c.bias", tensor({1}, {0.5f})}};
  Tensor out = run1(g, y, w, tensor({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  CHECK(out.shape == Dims{1, 1, 2, 2});
  CHECK(out.data == std::vector<float>{11.5f, 9.5f, 67.5f, 33.5f});
}

TEST_CASE("conv2d: groups and depthwise") {
  Graph g;
  int x = input(g, {4, 1, 1});
  int grouped = finish(g, conv(g, {x}, "g", 2, 1, 1, {0, 0, 0, 0}, 2, false));
  ir::WeightMap w = {{"g.weight", tensor({2, 2, 1, 1}, {1, 10, 100, 1000})}};
  Tensor in = tensor({1, 4, 1, 1}, {1, 2, 3, 4});
  CHECK(run1(g, grouped, w, in).data == std::vector<float>{21, 4300});

  Graph d;
  int dx = input(d, {2, 2, 2});
  int dw = finish(d, conv(d, {dx}, "d", 2, 3, 1, {1, 1, 1, 1}, 2, false));
  // Channel 0 sums its 2x2 neighbourhood (all-ones kernel); channel 1 picks the centre tap times 2.
  ir::WeightMap dwt = {{"d.weight", tensor({2, 1, 3, 3}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0})}};
  Tensor out = run1(d, dw, dwt, tensor({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8}));
  CHECK(out.data == std::vector<float>{10, 10, 10, 10, 10, 12, 14, 16});
}

TEST_CASE("conv2d fused: in_scale, activation, then residual") {
  Graph g;
  int x = input(g, {2, 1, 2});
  int s = unary(g, "global_avg_pool", x);
  ir::Node& c = conv(g, {x, x, s}, "c", 2, 1, 1, {0, 0, 0, 0}, 1, true);
  c.set("act", std::string("relu"));
  c.set("residual", int64_t(1));
  c.set("in_scale", int64_t(1));
  int y = finish(g, c);
  ir::WeightMap w = {{"c.weight", tensor({2, 2, 1, 1}, {1, 1, 2, -1})}, {"c.bias", tensor({2}, {0, 0.5f})}};
  Tensor in = tensor({1, 2, 1, 2}, {1, 3, -2, 4});  // channel means 2 and 1
  CHECK(run1(g, y, w, in).data == std::vector<float>{1, 13, 4.5f, 12.5f});

  // The same network unfused: mul -> conv -> activation -> add.
  Graph u;
  int ux = input(u, {2, 1, 2});
  int us = unary(u, "global_avg_pool", ux);
  ir::Node& m = u.add("mul", {ux, us});
  int scaled = finish(u, m);
  int uc = finish(u, conv(u, {scaled}, "c", 2, 1, 1, {0, 0, 0, 0}, 1, true));
  int ua = activation(u, uc, "relu");
  ir::Node& add = u.add("add", {ua, ux});
  CHECK(run1(u, finish(u, add), w, in).data == std::vector<float>{1, 13, 4.5f, 12.5f});
}

TEST_CASE("conv2d: oihw and hwio layouts give the same result") {
  Graph g;
  int x = input(g, {4, 7, 5});
  ir::Node& c = conv(g, {x}, "c", 6, 3, 2, {1, 1, 1, 1}, 2, true);
  c.set("act", std::string("swish"));
  int y = finish(g, c);
  ir::WeightMap w = {{"c.weight", random_tensor({6, 2, 3, 3}, 1)}, {"c.bias", random_tensor({6}, 2)}};
  Tensor in = random_tensor({2, 4, 7, 5}, 3);
  Tensor ref = run1(g, y, w, in);
  CHECK(ref.shape == Dims{2, 6, 4, 3});

  g.node(y).set("weight_layout", std::string("hwio"));
  g.node(y).params[0].shape = {3, 3, 2, 6};
  ir::WeightMap wt = {{"c.weight", to_hwio(w.at("c.weight"))}, {"c.bias", w.at("c.bias")}};
  CHECK(run1(g, y, wt, in).data == ref.data);
  // A weight stored in the other layout is a user error naming the tensor.
  CHECK_THROWS_WITH(run1(g, y, w, in), Contains("'c.weight'") && Contains("[3,3,2,6]"));
}

TEST_CASE("activations, batch_norm, pooling, mul, add and dropout") {
  Graph g;
  int x = input(g, {2, 1, 1});
  int sw = activation(g, x, "swish");
  int sg = activation(g, x, "sigmoid");
  int re = activation(g, x, "relu");
  ir::Node& bn = g.add("batch_norm", {x});
  bn.set("eps", 1.0);
  for (const char* role : {"weight", "bias", "running_mean", "running_var"})
    bn.params.push_back({role, std::string("bn.") + role, {2}});
  int b = finish(g, bn);
  ir::WeightMap w = {{"bn.weight", tensor({2}, {2, 3})},
                     {"bn.bias", tensor({2}, {0.5f, -1})},
                     {"bn.running_mean", tensor({2}, {0, -1})},
                     {"bn.running_var", tensor({2}, {3, 0.25f})}};
  Tensor in = tensor({1, 2, 1, 1}, {1, -2});
  CHECK_THAT(run1(g, sw, w, in).data, Catch::Matchers::Approx(std::vector<float>{0.7310586f, -0.2384058f}));
  CHECK_THAT(run1(g, sg, w, in).data, Catch::Matchers::Approx(std::vector<float>{0.7310586f, 0.1192029f}));
  CHECK(run1(g, re, w, in).data == std::vector<float>{1, 0});
  // (x - mean) / sqrt(var + eps) * weight + bias
  CHECK_THAT(run1(g, b, w, in).data, Catch::Matchers::Approx(std::vector<float>{1.5f, -1 - 3 / std::sqrt(1.25f)}));

  Graph p;
  int px = input(p, {2, 2, 2});
  int pool = unary(p, "global_avg_pool", px);
  ir::Node& m = p.add("mul", {px, pool});
  int mul = finish(p, m);
  ir::Node& a = p.add("add", {mul, px});
  int add = finish(p, a);
  ir::Node& d = p.add("dropout", {add});
  d.set("p", 0.5);
  int drop = finish(p, d);
  Tensor pin = tensor({1, 2, 2, 2}, {1, 2, 3, 6, -1, -2, -3, -2});
  CHECK(run1(p, pool, {}, pin).data == std::vector<float>{3, -2});
  CHECK(run1(p, mul, {}, pin).data == std::vector<float>{3, 6, 9, 18, 2, 4, 6, 4});
  CHECK(run1(p, drop, {}, pin).data == std::vector<float>{4, 8, 12, 24, 1, 2, 3, 2});
}

TEST_CASE("dense: bias, activation, and oi/io layouts") {
  Graph g;
  int x = input(g, {3, 1, 1});
  int f = unary(g, "flatten", x);
  ir::Node& n = g.add("dense", {f});
  n.set("out", int64_t(2));
  n.set("act", std::string("relu"));
  n.params.push_back({"weight", "fc.weight", {2, 3}});
  n.params.push_back({"bias", "fc.bias", {2}});
  int y = finish(g, n);
  ir::WeightMap w = {{"fc.weight", tensor({2, 3}, {1, 2, 3, -1, -1, -1})}, {"fc.bias", tensor({2}, {0, 1})}};
  Tensor in = tensor({1, 3, 1, 1}, {1, 2, 3});
  Tensor out = run1(g, y, w, in);
  CHECK(out.shape == Dims{1, 2});
  CHECK(out.data == std::vector<float>{14, 0});

  g.node(y).set("act", std::string("none"));
  CHECK(run1(g, y, w, in).data == std::vector<float>{14, -5});
  g.node(y).set("weight_layout", std::string("io"));
  g.node(y).params[0].shape = {3, 2};
  ir::WeightMap wt = {{"fc.weight", transpose2(w.at("fc.weight"))}, {"fc.bias", w.at("fc.bias")}};
  CHECK(run1(g, y, wt, in).data == std::vector<float>{14, -5});
}

namespace {

// pool -> conv(fc1) -> swish -> conv(fc2) -> sigmoid -> mul, as the frontend builds it.
int unfused_se(Graph& g, int x, int64_t squeeze) {
  int64_t ch = g.node(x).shape[0];
  int s = unary(g, "global_avg_pool", x);
  s = finish(g, conv(g, {s}, "se.fc1", squeeze, 1, 1, {0, 0, 0, 0}, 1, true));
  s = activation(g, s, "swish");
  s = finish(g, conv(g, {s}, "se.fc2", ch, 1, 1, {0, 0, 0, 0}, 1, true));
  s = activation(g, s, "sigmoid");
  ir::Node& m = g.add("mul", {x, s});
  return finish(g, m);
}

ir::Node& fused_se(Graph& g, int x, int64_t squeeze, const std::string& mode) {
  int64_t ch = g.node(x).shape[0];
  ir::Node& n = g.add("squeeze_excite", {x});
  n.set("squeeze", squeeze);
  n.set("mode", mode);
  n.params = {{"fc1.weight", "se.fc1.weight", {squeeze, ch, 1, 1}},
              {"fc1.bias", "se.fc1.bias", {squeeze}},
              {"fc2.weight", "se.fc2.weight", {ch, squeeze, 1, 1}},
              {"fc2.bias", "se.fc2.bias", {ch}}};
  return n;
}

ir::WeightMap se_weights(int64_t ch, int64_t squeeze) {
  return {{"se.fc1.weight", random_tensor({squeeze, ch, 1, 1}, 11)},
          {"se.fc1.bias", random_tensor({squeeze}, 12)},
          {"se.fc2.weight", random_tensor({ch, squeeze, 1, 1}, 13)},
          {"se.fc2.bias", random_tensor({ch}, 14)}};
}

}  // namespace

TEST_CASE("squeeze_excite: both modes equal the unfused subgraph, both layouts equal") {
  const int64_t ch = 6, sq = 2;
  ir::WeightMap w = se_weights(ch, sq);
  Tensor in = random_tensor({2, ch, 3, 5}, 15, -3, 3);

  Graph u;
  Tensor ref = run1(u, unfused_se(u, input(u, {ch, 3, 5}), sq), w, in);

  Graph m;
  int mx = input(m, {ch, 3, 5});
  int multiply = finish(m, fused_se(m, mx, sq, "multiply"));
  check_close(run1(m, multiply, w, in), ref, 1e-6);

  Graph s;
  int sx = input(s, {ch, 3, 5});
  int scale = finish(s, fused_se(s, sx, sq, "scale"));
  CHECK(s.node(scale).shape == Dims{ch, 1, 1});
  ir::Node& mul = s.add("mul", {sx, scale});
  check_close(run1(s, finish(s, mul), w, in), ref, 1e-6);

  // mode=scale folded into the projection conv (in_scale) equals SE then conv.
  Graph p;
  int px = input(p, {ch, 3, 5});
  int pscale = finish(p, fused_se(p, px, sq, "scale"));
  ir::Node& pc = conv(p, {px, pscale}, "proj", 4, 1, 1, {0, 0, 0, 0}, 1, false);
  pc.set("in_scale", int64_t(1));
  int proj = finish(p, pc);
  ir::WeightMap pw = w;
  pw["proj.weight"] = random_tensor({4, ch, 1, 1}, 16);
  Graph q;
  int qse = unfused_se(q, input(q, {ch, 3, 5}), sq);
  int qproj = finish(q, conv(q, {qse}, "proj", 4, 1, 1, {0, 0, 0, 0}, 1, false));
  check_close(run1(p, proj, pw, in), run1(q, qproj, pw, in), 1e-6);

  // io layout: fc1 [C,S], fc2 [S,C].
  Tensor oi = run1(m, multiply, w, in);
  m.node(multiply).set("weight_layout", std::string("io"));
  m.node(multiply).params[0].shape = {ch, sq};
  m.node(multiply).params[2].shape = {sq, ch};
  ir::WeightMap wio = w;
  wio["se.fc1.weight"] = transpose2(w.at("se.fc1.weight"));
  wio["se.fc2.weight"] = transpose2(w.at("se.fc2.weight"));
  CHECK(run1(m, multiply, wio, in).data == oi.data);
}

TEST_CASE("a batch gives each sample the result it gets alone") {
  Graph g;
  int x = input(g, {3, 9, 7});
  ir::Node& stem = conv(g, {x}, "stem", 8, 3, 2, {1, 1, 1, 1}, 1, false);
  stem.set("act", std::string("swish"));
  int y = finish(g, stem);
  ir::Node& se = fused_se(g, y, 2, "multiply");
  y = finish(g, se);
  ir::Node& pool = g.add("global_avg_pool", {y});
  pool.set("ref", std::string("pooled"));
  y = finish(g, pool);
  y = unary(g, "flatten", y);
  ir::Node& fc = g.add("dense", {y});
  fc.set("out", int64_t(5));
  fc.params.push_back({"weight", "fc.weight", {5, 8}});
  y = finish(g, fc);
  g.outputs = {y};
  ir::WeightMap w = se_weights(8, 2);
  w["stem.weight"] = random_tensor({8, 3, 3, 3}, 21);
  w["fc.weight"] = random_tensor({5, 8}, 22);

  const int64_t batch = 3, sample = 3 * 9 * 7;
  Tensor in = random_tensor({batch, 3, 9, 7}, 23);
  std::map<std::string, Tensor> refs;
  Tensor all = oracle::run_graph(g, w, in, 2, &refs).at(0);
  REQUIRE(all.shape == Dims{batch, 5});
  REQUIRE(refs.count("pooled"));
  CHECK(refs.at("pooled").shape == Dims{batch, 8, 1, 1});
  for (int64_t b = 0; b < batch; b++) {
    Tensor one{{1, 3, 9, 7}, std::vector<float>(in.data.begin() + b * sample, in.data.begin() + (b + 1) * sample)};
    Tensor alone = oracle::run_graph(g, w, one, 1).at(0);
    CHECK(alone.data == std::vector<float>(all.data.begin() + b * 5, all.data.begin() + (b + 1) * 5));
  }
}

TEST_CASE("missing or misshaped weights and a wrong input are user errors") {
  Graph g;
  int x = input(g, {2, 4, 4});
  int y = finish(g, conv(g, {x}, "features.0.0", 4, 3, 1, {1, 1, 1, 1}, 1, true));
  Tensor in = random_tensor({1, 2, 4, 4}, 31);
  ir::WeightMap w = {{"features.0.0.weight", random_tensor({4, 2, 3, 3}, 32)}};
  CHECK_THROWS_AS(run1(g, y, w, in), ir::UserError);
  CHECK_THROWS_WITH(run1(g, y, w, in), Contains("'features.0.0.bias' is missing"));
  w["features.0.0.bias"] = random_tensor({3}, 33);
  CHECK_THROWS_WITH(run1(g, y, w, in), Contains("'features.0.0.bias' has shape [3], expected [4]"));
  w["features.0.0.bias"] = random_tensor({4}, 33);
  CHECK_NOTHROW(run1(g, y, w, in));
  CHECK_THROWS_WITH(run1(g, y, w, random_tensor({1, 3, 4, 4}, 34)),
                    Contains("input tensor has shape [1,3,4,4], expected [1,2,4,4]"));
}
