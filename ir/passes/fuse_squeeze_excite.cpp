#include "ir/passes/fuse_squeeze_excite.h"

#include <algorithm>
#include <optional>

#include "ir/passes/rewrite.h"

namespace ir {
namespace {

struct Chain {
  int pool, fc1, fc2;
};

// A 1x1, stride 1, unpadded, ungrouped conv with bias and activation `act`, in torch layout.
bool is_fc(const Node& n, const char* act) {
  return n.op == "conv2d" && n.get_int("kernel") == 1 && n.get_int("stride") == 1 && n.get_int("groups") == 1 &&
         n.get_dims("pad") == Dims{0, 0, 0, 0} && n.get_str("act", "none") == act && !n.get_int("residual", 0) &&
         !n.get_int("in_scale", 0) && n.get_str("weight_layout", "oihw") == "oihw" && n.param("weight") &&
         n.param("bias") && n.inputs.size() == 1;
}

std::optional<Chain> match(const Graph& g, const Node& mul) {
  if (mul.op != "mul" || mul.inputs.size() != 2) return std::nullopt;
  const Node& fc2 = g.node(mul.inputs[1]);
  if (!is_fc(fc2, "sigmoid") || !private_to(g, fc2.id, mul.id)) return std::nullopt;
  const Node& fc1 = g.node(fc2.inputs[0]);
  if (!is_fc(fc1, "swish") || !private_to(g, fc1.id, fc2.id)) return std::nullopt;
  const Node& pool = g.node(fc1.inputs[0]);
  if (pool.op != "global_avg_pool" || pool.inputs != std::vector<int>{mul.inputs[0]} || !private_to(g, pool.id, fc1.id))
    return std::nullopt;
  return Chain{pool.id, fc1.id, fc2.id};
}

// The 1x1 conv that can take the SE scale as its in_scale input, or -1.
int scale_consumer(const Graph& g, const Node& mul) {
  std::vector<int> users = g.consumers(mul.id);
  if (users.size() != 1 || !private_to(g, mul.id, users[0])) return -1;
  const Node& c = g.node(users[0]);
  bool ok = c.op == "conv2d" && c.get_int("kernel") == 1 && !c.get_int("in_scale", 0) && c.inputs[0] == mul.id &&
            std::count(c.inputs.begin(), c.inputs.end(), mul.id) == 1;
  return ok ? c.id : -1;
}

Param renamed(const Param& p, const std::string& role) {
  Param q = p;
  q.role = role;
  return q;
}

}  // namespace

void fuse_squeeze_excite(Graph& g, PassLog& log) {
  for (size_t i = 0; i < g.nodes.size(); i++) {
    std::optional<Chain> chain = match(g, g.nodes[i]);
    if (!chain) continue;
    Node mul = g.nodes[i];
    const Node &fc1 = g.node(chain->fc1), &fc2 = g.node(chain->fc2);
    int conv = scale_consumer(g, mul);

    Node se;
    se.id = g.next_id();
    se.op = "squeeze_excite";
    se.inputs = {mul.inputs[0]};
    if (mul.has("name")) se.set("name", mul.get_str("name"));
    se.set("squeeze", fc1.get_int("out"));
    se.set("mode", std::string(conv < 0 ? "multiply" : "scale"));
    take_ref(se, mul);
    se.params = {renamed(*fc1.param("weight"), "fc1.weight"), renamed(*fc1.param("bias"), "fc1.bias"),
                 renamed(*fc2.param("weight"), "fc2.weight"), renamed(*fc2.param("bias"), "fc2.bias")};
    se.shape = conv < 0 ? mul.shape : g.node(mul.inputs[1]).shape;

    std::string what = describe(g.node(chain->pool)) + " .. " + describe(mul) + " -> " + describe(se);
    g.nodes.insert(g.nodes.begin() + std::ptrdiff_t(i), se);
    if (conv < 0) {
      replace_uses(g, mul.id, se.id);
      log.add("fuse_squeeze_excite", what + " (multiply)");
    } else {
      Node& c = g.node(conv);
      c.inputs[0] = mul.inputs[0];
      c.inputs.push_back(se.id);
      c.set("in_scale", int64_t(1));
      log.add("fuse_squeeze_excite", what + " (scale, into " + describe(c) + ")");
    }
    for (int id : {mul.id, chain->fc2, chain->fc1, chain->pool}) erase_node(g, id);
    i = index_of(g, se.id);
  }
}

}  // namespace ir
