#include "ir/passes/fold_batch_norm.h"

#include <cmath>

#include "ir/diagnostics.h"
#include "ir/passes/rewrite.h"

namespace ir {
namespace {

bool foldable(const Graph& g, const Node& bn) {
  if (bn.op != "batch_norm" || bn.inputs.size() != 1) return false;
  const Node& conv = g.node(bn.inputs[0]);
  return conv.op == "conv2d" && conv.get_str("act", "none") == "none" && !conv.get_int("residual", 0) &&
         !conv.has("weight_block") &&  // folding scales per output channel of plain oihw / hwio weights
         private_to(g, conv.id, bn.id);
}

// Scales the conv weight per output channel and folds the shift into the bias, in double.
void fold_tensors(const Node& conv, const Node& bn, const WeightMap& w, Tensor& weight, Tensor& bias) {
  const Tensor& gamma = weight_of(w, *bn.param("weight"));
  const Tensor& beta = weight_of(w, *bn.param("bias"));
  const Tensor& mean = weight_of(w, *bn.param("running_mean"));
  const Tensor& var = weight_of(w, *bn.param("running_var"));
  double eps = bn.get_real("eps");
  int64_t out = conv.get_int("out");
  std::vector<double> scale(size_t(out), 0.0);
  for (size_t o = 0; o < scale.size(); o++) scale[o] = gamma.data[o] / std::sqrt(double(var.data[o]) + eps);

  weight = weight_of(w, *conv.param("weight"));
  bool out_last = conv.get_str("weight_layout", "oihw") == "hwio";
  size_t per_out = weight.data.size() / size_t(out);
  for (size_t i = 0; i < weight.data.size(); i++)
    weight.data[i] = float(weight.data[i] * scale[out_last ? i % size_t(out) : i / per_out]);

  const Param* b = conv.param("bias");
  bias = b ? weight_of(w, *b) : Tensor{{out}, std::vector<float>(size_t(out), 0.0f)};
  for (size_t o = 0; o < scale.size(); o++)
    bias.data[o] = float((double(bias.data[o]) - mean.data[o]) * scale[o] + beta.data[o]);
}

}  // namespace

void fold_batch_norm(Graph& g, WeightMap* w, PassLog& log) {
  for (size_t i = 0; i < g.nodes.size();) {
    if (!foldable(g, g.nodes[i])) {
      i++;
      continue;
    }
    Node bn = g.nodes[i];
    Node& conv = g.node(bn.inputs[0]);
    int64_t out = conv.get_int("out");
    for (const char* role : {"weight", "bias", "running_mean", "running_var"}) {
      const Param* p = bn.param(role);
      if (!p || p->shape != Dims{out})
        throw UserError(describe(bn) + ": expected a " + role + " of shape " + dims_str({out}) +
                        (p ? ", got " + dims_str(p->shape) : std::string(", it has none")));
    }
    if (!conv.param("weight")) throw UserError(describe(conv) + ": has no weight");

    Param old_weight = *conv.param("weight");
    const Param* old_bias = conv.param("bias");
    std::string old_bias_name = old_bias ? old_bias->name : "";
    Param weight{"weight", unused_name(g, w, old_weight.name + "#folded"), old_weight.shape};
    Param bias{"bias", unused_name(g, w, (old_bias ? old_bias->name : bn.param("bias")->name) + "#folded"), {out}};
    if (w) {
      Tensor folded_weight, folded_bias;
      fold_tensors(conv, bn, *w, folded_weight, folded_bias);
      (*w)[weight.name] = std::move(folded_weight);
      (*w)[bias.name] = std::move(folded_bias);
    }
    conv.params.clear();
    conv.params.push_back(weight);
    conv.params.push_back(bias);
    take_ref(conv, bn);
    log.add("fold_batch_norm", describe(bn) + " -> " + describe(conv));
    replace_uses(g, bn.id, conv.id);
    erase_node(g, bn.id);
    drop_if_unused(g, w, old_weight.name);
    if (!old_bias_name.empty()) drop_if_unused(g, w, old_bias_name);
    for (const auto& p : bn.params) drop_if_unused(g, w, p.name);
  }
}

}  // namespace ir
