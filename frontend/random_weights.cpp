#include "frontend/random_weights.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace frontend {
namespace {

// splitmix64: tiny, portable and the same on every platform (std distributions are not).
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  float uniform(float lo, float hi) { return lo + (hi - lo) * float((next() >> 40) * (1.0 / 16777216.0)); }
};

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// Inputs feeding one output value of the weight: every dim but the output-channel one.
int64_t fan_in(const ir::Node& n, const ir::Param& p) {
  const ir::Dims& s = p.shape;
  if (s.size() < 2) return 1;
  std::string layout = n.get_str("weight_layout", "");
  bool out_last = layout == "hwio" || layout == "io";
  int64_t out = out_last ? s.back() : s.front();
  if (n.has("weight_block")) out = s.front() * s.back();  // [O/B, kh, kw, I/g, B]
  return std::max<int64_t>(1, ir::numel(s) / std::max<int64_t>(out, 1));
}

// Nodes ending a residual branch: the later operand of an `add`, or a conv2d with residual=1.
// Their output is scaled down (like a trained net's small last-BN gamma) so that b7's ~50
// residual adds do not grow the activations geometrically.
std::set<int> residual_branches(const ir::Graph& g) {
  std::set<int> ends;
  std::map<int, size_t> order;
  for (size_t i = 0; i < g.nodes.size(); i++) order[g.nodes[i].id] = i;
  for (const auto& n : g.nodes) {
    if (n.op == "conv2d" && n.get_int("residual", 0)) ends.insert(n.id);
    if (n.op == "add" && n.inputs.size() == 2)
      ends.insert(order[n.inputs[0]] > order[n.inputs[1]] ? n.inputs[0] : n.inputs[1]);
  }
  return ends;
}

ir::Tensor draw(const ir::Node& n, const ir::Param& p, bool branch_end, Rng& rng) {
  ir::Tensor t{p.shape, std::vector<float>(size_t(ir::numel(p.shape)))};
  float lo = -0.1f, hi = 0.1f;  // biases, BN beta and running mean
  bool is_weight = p.role == "weight" || (p.role.size() > 7 && p.role.compare(p.role.size() - 7, 7, ".weight") == 0);
  if (n.op == "batch_norm" && p.role == "weight") {
    lo = branch_end ? 0.1f : 0.5f, hi = branch_end ? 0.3f : 1.5f;
  } else if (p.role == "running_var") {
    lo = 0.5f, hi = 1.5f;
  } else if (is_weight && p.shape.size() >= 2) {
    // Uniform(-a, a) has std a/sqrt(3); gain sqrt(2) offsets swish/sigmoid shrinking the signal.
    float a = std::sqrt(3.0f * 2.0f / float(fan_in(n, p))) * (branch_end ? 0.2f : 1.0f);
    lo = -a, hi = a;
  }
  for (float& v : t.data) v = rng.uniform(lo, hi);
  return t;
}

}  // namespace

ir::WeightMap random_weights(const ir::Graph& g, uint64_t seed) {
  ir::WeightMap w;
  std::set<int> branch_ends = residual_branches(g);
  for (const auto& n : g.nodes)
    for (const auto& p : n.params) {
      if (w.count(p.name)) continue;
      Rng rng{seed * 0x2545f4914f6cdd1dull ^ fnv1a(p.name)};
      w.emplace(p.name, draw(n, p, branch_ends.count(n.id) != 0, rng));
    }
  return w;
}

}  // namespace frontend
