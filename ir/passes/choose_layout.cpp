#include "ir/passes/choose_layout.h"

#include "ir/diagnostics.h"
#include "ir/passes/rewrite.h"

namespace ir {
namespace {

// Every weight re-lay here reverses a 3-axis view: oihw as [O, I/g, kh*kw] -> [kh*kw, I/g, O],
// oi as [O, I, 1] -> [1, I, O].
Tensor reversed(const Tensor& t, int64_t a, int64_t b, int64_t c, Dims shape) {
  Tensor out{std::move(shape), std::vector<float>(t.data.size())};
  for (int64_t o = 0; o < a; o++)
    for (int64_t i = 0; i < b; i++)
      for (int64_t k = 0; k < c; k++) out.data[size_t((k * b + i) * a + o)] = t.data[size_t((o * b + i) * c + k)];
  return out;
}

Param& param_of(Node& n, const std::string& role, size_t rank) {
  for (auto& p : n.params)
    if (p.role == role && p.shape.size() == rank) return p;
  throw UserError(describe(n) + ": expected a rank-" + std::to_string(rank) + " " + role);
}

// Replaces `p` by its re-laid form `<name><suffix>` of shape `shape`, reversing view [a, b, c].
void relay(Graph& g, WeightMap* w, Param& p, int64_t a, int64_t b, int64_t c, const Dims& shape,
           const std::string& suffix) {
  replace_tensor(g, w, p, suffix, shape, [&](const Tensor& t) { return reversed(t, a, b, c, shape); });
}

}  // namespace

void choose_layout(Graph& g, WeightMap* w, PassLog& log) {
  for (auto& n : g.nodes) {
    if (n.shape.size() == 3) n.set("layout", std::string(n.op == "input" ? "nchw" : "nhwc"));
    if (n.op == "conv2d" && n.get_str("weight_layout", "oihw") == "oihw") {
      Param& p = param_of(n, "weight", 4);
      Dims s = p.shape;
      relay(g, w, p, s[0], s[1], s[2] * s[3], {s[2], s[3], s[1], s[0]}, "#hwio");
      n.set("weight_layout", std::string("hwio"));
      log.add("choose_layout", describe(n) + " weight oihw -> hwio");
    } else if (n.op == "dense" && n.get_str("weight_layout", "oi") == "oi") {
      Param& p = param_of(n, "weight", 2);
      Dims s = p.shape;
      relay(g, w, p, s[0], s[1], 1, {s[1], s[0]}, "#io");
      n.set("weight_layout", std::string("io"));
      log.add("choose_layout", describe(n) + " weight oi -> io");
    } else if (n.op == "squeeze_excite" && n.get_str("weight_layout", "oi") == "oi") {
      for (const char* role : {"fc1.weight", "fc2.weight"}) {
        Param& p = param_of(n, role, 4);
        Dims s = p.shape;
        if (s[2] != 1 || s[3] != 1) throw UserError(describe(n) + ": " + role + " must be [out,in,1,1]");
        relay(g, w, p, s[0], s[1], 1, {s[1], s[0]}, "#io");
      }
      n.set("weight_layout", std::string("io"));
      log.add("choose_layout", describe(n) + " weights oi -> io");
    }
  }
}

}  // namespace ir
