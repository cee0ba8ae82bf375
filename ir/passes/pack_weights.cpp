#include "ir/passes/pack_weights.h"

#include <cmath>
#include <map>

#include "ir/diagnostics.h"

namespace ir {
namespace {

int64_t align_up(int64_t v) { return (v + kWeightAlignFloats - 1) / kWeightAlignFloats * kWeightAlignFloats; }

const Tensor& checked_tensor(const WeightMap& w, const Param& p) {
  auto it = w.find(p.name);
  if (it == w.end()) throw UserError("weight tensor '" + p.name + "' is missing (shape " + dims_str(p.shape) + ")");
  const Tensor& t = it->second;
  if (t.shape != p.shape)
    throw UserError("weight tensor '" + p.name + "': expected shape " + dims_str(p.shape) + ", found " +
                    dims_str(t.shape));
  if (int64_t(t.data.size()) != numel(t.shape))
    throw UserError("weight tensor '" + p.name + "': holds " + std::to_string(t.data.size()) + " values, shape " +
                    dims_str(t.shape) + " needs " + std::to_string(numel(t.shape)));
  for (size_t i = 0; i < t.data.size(); i++) {
    if (std::isfinite(t.data[i])) continue;
    std::string source = p.name.substr(0, p.name.find('#'));  // "features.0.0.weight#folded#hwio": what the passes made
    throw UserError(
        "weight tensor '" + source + "': element " + std::to_string(i) + " is not finite" +
        (source == p.name ? "" : " as '" + p.name + "' (values too large for float once batch norm is folded in?)"));
  }
  return t;
}

}  // namespace

std::vector<float> pack_weights(Graph& g, const WeightMap& w) {
  // name -> offset: first the slots already assigned (kept), then new ones after them.
  std::map<std::string, int64_t> slot;
  int64_t end = 0;
  for (const auto& n : g.nodes)
    for (const auto& p : n.params) {
      if (p.offset < 0) continue;
      if (p.offset % kWeightAlignFloats) throw InternalError("param '" + p.name + "' has an unaligned offset");
      auto [it, fresh] = slot.emplace(p.name, p.offset);
      if (!fresh && it->second != p.offset) throw InternalError("param '" + p.name + "' has two offsets");
      end = std::max(end, align_up(p.offset + numel(p.shape)));
    }
  for (auto& n : g.nodes)
    for (auto& p : n.params) {
      if (p.offset >= 0) continue;
      auto it = slot.find(p.name);
      if (it == slot.end()) {
        it = slot.emplace(p.name, end).first;
        end = align_up(end + numel(p.shape));
      }
      p.offset = it->second;
    }
  std::vector<float> blob(size_t(end), 0.0f);
  std::vector<char> used(size_t(end), 0);
  std::map<std::string, bool> written;
  for (const auto& n : g.nodes)
    for (const auto& p : n.params) {
      if (written[p.name]) continue;
      written[p.name] = true;
      const Tensor& t = checked_tensor(w, p);
      for (size_t i = 0; i < t.data.size(); i++) {
        size_t at = size_t(p.offset) + i;
        if (used[at]) throw InternalError("param '" + p.name + "' overlaps another in the packed blob");
        used[at] = 1;
        blob[at] = t.data[i];
      }
    }
  return blob;
}

}  // namespace ir
