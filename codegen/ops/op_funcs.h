// The shared vocabulary of the Halide algorithms (codegen/ops) and their schedules
// (schedules/x86): the loop variables, an activation value as a Func, the Funcs one op
// defines, and the weight buffers an op reads. Algorithms only define Funcs here;
// nothing in codegen/ops vectorizes, tiles, parallelizes or places a Func.
#pragma once

#include <Halide.h>

#include <map>
#include <string>
#include <vector>

#include "codegen/math/math_library.h"
#include "ir/graph.h"

namespace codegen {

// Loop variables by name (Halide Vars with one name are one variable): activations are
// f(c, x, y, n) for a per-sample [C,H,W] and f(c, n) for a per-sample vector [F].
struct Vars {
  Halide::Var c{"c"}, x{"x"}, y{"y"}, n{"n"};
};
const Vars& vars();

struct Value {
  Halide::Func f;
  ir::Dims shape;  // per sample: [C,H,W] or [F]
};

// The Func arguments of a value of this rank: (c,x,y,n) or (c,n).
std::vector<Halide::Var> value_args(const ir::Dims& shape);

enum class OpKind { Elementwise, ConvPointwise, ConvDepthwise, Conv, Pool, Dense, SqueezeExcite };

struct OpFuncs {
  OpKind kind = OpKind::Elementwise;
  Halide::Func out;  // the node's value, shaped like the node
  Halide::Func acc;  // conv, pool, dense: pure init + one update over `r`
  Halide::RDom r;
  Halide::Func input;                 // conv: the (scaled, padded) input `acc` reads
  std::vector<Halide::Func> inner;    // squeeze_excite: sum, fc1, hidden, fc2, scale (vectors f(c, n))
  std::vector<Halide::RDom> inner_r;  // the update domain of each inner Func that has one, else an empty RDom
  std::vector<int64_t> inner_extent;  // the channel count of each inner Func
  Halide::Func scaled_weight;         // pointwise conv with in_scale: weight(o, i) * scale(i, n) at
                                      // (o % block, i, o / block, n), the weights' blocks; when defined
  Halide::Func scaled_input;          // the same in a lane tail over fewer pixels than outputs: x * scale
  bool padded_channels = false;       // pointwise conv: weights zero-padded past the channel count, `acc`
                                      // without the bias, so it may be computed for the padding lanes
};

// The 1-D weight buffers of one compilation unit, by Param name.
class Weights {
 public:
  void add(const std::string& name, Halide::ImageParam p) { by_name_.emplace(name, std::move(p)); }
  bool has(const ir::Node& n, const std::string& role) const { return n.param(role) != nullptr; }
  // The element `index` of the node's tensor for `role`; throws ir::InternalError when absent.
  Halide::Expr at(const ir::Node& n, const std::string& role, const Halide::Expr& index) const;

 private:
  std::map<std::string, Halide::ImageParam> by_name_;
};

}  // namespace codegen
