#include "ir/passes/fuse_activation.h"

#include "ir/passes/rewrite.h"

namespace ir {
namespace {

bool fusable(const Graph& g, const Node& a) {
  if (a.op != "activation" || a.inputs.size() != 1) return false;
  std::string kind = a.get_str("kind");
  if (kind != "swish" && kind != "sigmoid" && kind != "relu") return false;
  const Node& p = g.node(a.inputs[0]);
  return (p.op == "conv2d" || p.op == "dense") && p.get_str("act", "none") == "none" && !p.get_int("residual", 0) &&
         private_to(g, p.id, a.id);
}

}  // namespace

void fuse_activation(Graph& g, PassLog& log) {
  for (size_t i = 0; i < g.nodes.size();) {
    if (!fusable(g, g.nodes[i])) {
      i++;
      continue;
    }
    Node a = g.nodes[i];
    Node& p = g.node(a.inputs[0]);
    p.set("act", a.get_str("kind"));
    take_ref(p, a);
    log.add("fuse_activation", describe(a) + " (" + a.get_str("kind") + ") -> " + describe(p));
    replace_uses(g, a.id, p.id);
    erase_node(g, a.id);
  }
}

}  // namespace ir
