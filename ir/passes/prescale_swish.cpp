#include "ir/passes/prescale_swish.h"

#include "ir/passes/choose_tiling.h"
#include "ir/passes/rewrite.h"

namespace ir {

bool prescales_swish(const std::string& target) {
  return target_facts_for(target).isa != "cuda";
}

void prescale_swish(Graph& g, WeightMap* w, const std::string& target, PassLog& log) {
  if (!prescales_swish(target)) return;
  for (auto& n : g.nodes) {
    if (n.op != "conv2d" || n.get_str("act", "none") != "swish" || n.has("act_scale")) continue;
    for (auto& p : n.params) {
      if (p.role != "weight" && p.role != "bias") continue;
      replace_tensor(g, w, p, "#prescaled", p.shape, [](const Tensor& t) {
        Tensor scaled = t;
        for (float& x : scaled.data) x = float(double(x) * kSwishPrescale);
        return scaled;
      });
    }
    n.set("act_scale", kSwishPrescale);
    log.add("prescale_swish", describe(n));
  }
}

}  // namespace ir
