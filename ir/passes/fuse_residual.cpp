#include "ir/passes/fuse_residual.h"

#include "ir/passes/rewrite.h"

namespace ir {
namespace {

// The operand index (0 or 1) of the conv2d that can absorb `add`, or -1.
int fusable_operand(const Graph& g, const Node& add) {
  if (add.op != "add" || add.inputs.size() != 2 || add.inputs[0] == add.inputs[1]) return -1;
  for (int k = 0; k < 2; k++) {
    const Node& c = g.node(add.inputs[size_t(k)]);
    if (c.op == "conv2d" && !c.get_int("residual", 0) && private_to(g, c.id, add.id)) return k;
  }
  return -1;
}

}  // namespace

void fuse_residual(Graph& g, PassLog& log) {
  for (size_t i = 0; i < g.nodes.size(); i++) {
    int k = fusable_operand(g, g.nodes[i]);
    if (k < 0) continue;
    Node add = g.nodes[i];
    Node& conv = g.node(add.inputs[size_t(k)]);
    conv.inputs.insert(conv.inputs.begin() + 1, add.inputs[size_t(1 - k)]);
    conv.set("residual", int64_t(1));
    take_ref(conv, add);
    log.add("fuse_residual", describe(add) + " -> " + describe(conv));
    int conv_id = conv.id;
    replace_uses(g, add.id, conv_id);
    move_to(g, conv_id, add.id);
    erase_node(g, add.id);
    i = index_of(g, conv_id);
  }
}

}  // namespace ir
