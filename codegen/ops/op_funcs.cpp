#include "codegen/ops/op_funcs.h"

namespace codegen {

const Vars& vars() {
  static const Vars v;
  return v;
}

std::vector<Halide::Var> value_args(const ir::Dims& shape) {
  const Vars& v = vars();
  if (shape.size() == 3) return {v.c, v.x, v.y, v.n};
  if (shape.size() == 1) return {v.c, v.n};
  throw ir::InternalError("codegen handles values of rank 1 or 3, got " + ir::dims_str(shape));
}

Halide::Expr Weights::at(const ir::Node& n, const std::string& role, const Halide::Expr& index) const {
  const ir::Param* p = n.param(role);
  if (!p) throw ir::InternalError("node %" + std::to_string(n.id) + " (" + n.op + ") has no param '" + role + "'");
  auto it = by_name_.find(p->name);
  if (it == by_name_.end()) throw ir::InternalError("no weight buffer for param '" + p->name + "'");
  return it->second(index);
}

}  // namespace codegen
