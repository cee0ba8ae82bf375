#include "ir/passes/drop_dropout.h"

#include "ir/passes/rewrite.h"

namespace ir {
namespace {

bool droppable(const Graph& g, const Node& n) {
  bool identity = n.op == "dropout" || (n.op == "activation" && n.get_str("kind") == "none");
  if (!identity || n.inputs.size() != 1) return false;
  const Node& in = g.node(n.inputs[0]);
  return !n.has("ref") || !in.has("ref") || in.get_str("ref") == n.get_str("ref");
}

}  // namespace

void drop_dropout(Graph& g, PassLog& log) {
  for (size_t i = 0; i < g.nodes.size();) {
    if (!droppable(g, g.nodes[i])) {
      i++;
      continue;
    }
    Node n = g.nodes[i];
    Node& in = g.node(n.inputs[0]);
    take_ref(in, n);
    log.add("drop_dropout", describe(n) + " -> " + describe(in));
    replace_uses(g, n.id, in.id);
    erase_node(g, n.id);
  }
}

}  // namespace ir
