// drop_dropout: removes the identities of inference — dropout and activation kind "none" —
// rewiring their consumers (and graph outputs) to their input, which takes their `ref`.
// Leaves alone an identity whose `ref` would collide with a different `ref` on its input.
// Needs nothing before it.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_log.h"

namespace ir {

void drop_dropout(Graph& g, PassLog& log);

}  // namespace ir
