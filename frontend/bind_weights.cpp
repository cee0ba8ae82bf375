#include "frontend/bind_weights.h"

#include <cmath>
#include <cstdio>
#include <set>

#include "ir/diagnostics.h"

namespace frontend {
namespace {

std::string shown(float x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", double(x));
  return buf;
}

}  // namespace

void check_weights(const ir::Graph& g, const ir::WeightMap& weights, const std::string& source) {
  std::set<std::string> used;
  for (const ir::Node& n : g.nodes) {
    for (const ir::Param& p : n.params) {
      used.insert(p.name);
      auto it = weights.find(p.name);
      if (it == weights.end())
        throw ir::UserError(source + ": missing tensor '" + p.name + "' (shape " + ir::dims_str(p.shape) + ")");
      if (it->second.shape != p.shape)
        throw ir::UserError(source + ": tensor '" + p.name + "': expected shape " + ir::dims_str(p.shape) + ", got " +
                            ir::dims_str(it->second.shape));
      const std::vector<float>& v = it->second.data;
      for (size_t i = 0; i < v.size(); i++) {
        if (!std::isfinite(v[i]))
          throw ir::UserError(source + ": tensor '" + p.name + "': element " + std::to_string(i) + " is " +
                              (std::isnan(v[i]) ? "NaN" : "infinite"));
        if (p.role == "running_var" && v[i] < 0)
          throw ir::UserError(source + ": tensor '" + p.name + "': element " + std::to_string(i) + " is " +
                              shown(v[i]) + "; a variance cannot be negative");
      }
    }
  }
  const std::string counter = "num_batches_tracked";
  for (const auto& [name, tensor] : weights) {
    bool is_counter =
        name.size() >= counter.size() && name.compare(name.size() - counter.size(), counter.size(), counter) == 0;
    if (!used.count(name) && !is_counter) throw ir::UserError(source + ": unexpected tensor '" + name + "'");
  }
}

}  // namespace frontend
