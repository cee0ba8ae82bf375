// The op catalogue: which ops exist, how each infers its output shape, and how its
// parameters and multiply-accumulates are counted (torchvision-style: conv + linear
// MACs; BatchNorm running statistics are buffers, not parameters).
//
//   op               inputs             attrs                                   params
//   input            -                  shape                                   -
//   conv2d           x [, residual] [, scale]  out kernel stride pad[t,l,b,r] groups
//                                       [act] [act_scale] [residual=1] [in_scale=1]  weight [bias]
//   batch_norm       x                  eps                                     weight bias running_mean running_var
//   activation       x                  kind (swish|sigmoid|relu)               -
//   global_avg_pool  x                  -                                       -
//   flatten          x                  -                                       -
//   dense            x                  out [act]                               weight [bias]
//   mul              x, s[C,1,1]        -                                       -
//   add              a, b               -                                       -
//   dropout          x                  p                                       -
//   squeeze_excite   x                  squeeze [mode=scale|multiply]           fc1.weight fc1.bias fc2.weight fc2.bias
//
// conv2d with residual=1 adds inputs[1] after its activation; with in_scale=1 its last
// input is a per-sample [C,1,1] scale applied to the input channels (SE folded into the
// projection); with act_scale=s its weight and bias hold the conv's multiplied by s, and its
// activation reads acc / s (ir/passes/prescale_swish.h). squeeze_excite mode=multiply returns
// x*scale, mode=scale the [C,1,1] scale.
//
// Physical layouts (choose_layout) never change semantics. Node attr `layout`
// ("nchw"|"nhwc") is the activation layout codegen uses. Attr `weight_layout` says how
// a node's weight tensors are stored: conv2d "oihw" (default, torch [O,I/g,kh,kw]) or
// "hwio" ([kh,kw,I/g,O]; with attr `weight_block`=B, [ceil(O/B),kh,kw,I/g,B]: output channels
// in blocks of B, the last zero-padded where B does not divide O, ir/passes/block_weights.h);
// dense "oi" (default, [O,I]) or "io" ([I,O]); squeeze_excite "oi" (default: fc1 [S,C,1,1], fc2
// [C,S,1,1]) or "io" (fc1 [C,S], fc2 [S,C]).
// Compilation units: a unit is the run of nodes ending at a node that carries `ref`
// (frontend module outputs) or is a graph output; passes keep `ref` on the node that
// replaces a ref'ed node.
#pragma once

#include "ir/graph.h"

namespace ir {

bool is_known_op(const std::string& op);
bool is_known_activation(const std::string& kind);

// The output shape of `n` from its inputs' shapes; throws UserError naming the node.
Dims infer_shape(const Graph& g, const Node& n);
// Sets every node's shape in order.
void infer_shapes(Graph& g);

// conv2d's stored weight shape, from `out`, `kernel`, `groups`, its weight_layout and a valid
// weight_block, for `in_channels` input channels: [O,I/g,kh,kw], [kh,kw,I/g,O] or
// [ceil(O/B),kh,kw,I/g,B].
Dims conv_weight_shape(const Node& n, int64_t in_channels);
// What is wrong with conv2d `n`'s weight_block ("" when it has none or it is valid).
std::string weight_block_problem(const Node& n);

int64_t param_count(const Node& n);                // trainable parameters (no BN buffers)
int64_t mac_count(const Graph& g, const Node& n);  // conv and dense MACs per sample
int64_t param_count(const Graph& g);
int64_t mac_count(const Graph& g);

}  // namespace ir
