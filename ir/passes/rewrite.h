// Graph surgery shared by the passes: naming a node for the log, the fusion guard
// (single consumer, not a graph output, no `ref`), rewiring uses, erasing and moving
// nodes while keeping topological order, and checked access to weight tensors.
#pragma once

#include <functional>
#include <string>

#include "ir/graph.h"
#include "ir/tensor.h"

namespace ir {

// `%55 conv2d "features.2.1.block.3.0"` (the name is left out when the node has none).
std::string describe(const Node& n);

// True when `consumer` is the only node reading `id`, `id` is not a graph output and
// carries no `ref` (its value is not observed outside the fused node).
bool private_to(const Graph& g, int id, int consumer);

size_t index_of(const Graph& g, int id);
void replace_uses(Graph& g, int from, int to);  // node inputs and graph outputs
void erase_node(Graph& g, int id);
// Moves node `id` to just before node `at`, which must come later.
void move_to(Graph& g, int id, int at);
// `to` takes `from`'s `ref`, if any; a node that already has a different one is a bug.
void take_ref(Node& to, const Node& from);

// The tensor a Param names, checked against the Param's shape (UserError naming it).
const Tensor& weight_of(const WeightMap& w, const Param& p);
// `base` if no Param in `g` and no tensor in `w` (may be null) uses it, else `base.2`, `base.3`, ...
std::string unused_name(const Graph& g, const WeightMap* w, const std::string& base);
// Erases tensor `name` from `w` (may be null) when no Param of `g` names it any more.
void drop_if_unused(const Graph& g, WeightMap* w, const std::string& name);
// Re-lays `p`'s tensor: `p` then names `<name><suffix>` (made unique), of shape `shape`, holding
// `relaid(old tensor)` when `w` is given; the old tensor goes once nothing names it.
void replace_tensor(Graph& g, WeightMap* w, Param& p, const std::string& suffix, const Dims& shape,
                    const std::function<Tensor(const Tensor&)>& relaid);

}  // namespace ir
