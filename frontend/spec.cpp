#include "frontend/spec.h"

#include <algorithm>
#include <cmath>

namespace frontend {

const std::vector<StageRow>& base_stages() {
  // expand, kernel, stride, in, out, repeats (EfficientNet-B0, Tan & Le 2019, table 1)
  static const std::vector<StageRow> rows = {
      {1, 3, 1, 32, 16, 1},   {6, 3, 2, 16, 24, 2},   {6, 5, 2, 24, 40, 2},  {6, 3, 2, 40, 80, 3},
      {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4}, {6, 3, 1, 192, 320, 1},
  };
  return rows;
}

namespace {
struct Row {
  const char* name;
  double width, depth;
  int resolution;
  double dropout, bn_eps;
};
// torchvision 0.14 efficientnet_b0..b7 coefficients; resolution as in the paper (torchvision
// crops b2 at 288, but the MAC counts the project pins were taken at 260)
const Row kBuiltins[] = {
    {"b0", 1.0, 1.0, 224, 0.2, 1e-5}, {"b1", 1.0, 1.1, 240, 0.2, 1e-5}, {"b2", 1.1, 1.2, 260, 0.3, 1e-5},
    {"b3", 1.2, 1.4, 300, 0.3, 1e-5}, {"b4", 1.4, 1.8, 380, 0.4, 1e-5}, {"b5", 1.6, 2.2, 456, 0.4, 1e-3},
    {"b6", 1.8, 2.6, 528, 0.5, 1e-3}, {"b7", 2.0, 3.1, 600, 0.5, 1e-3},
};
}  // namespace

const std::vector<std::string>& builtin_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& r : kBuiltins) v.push_back(r.name);
    return v;
  }();
  return names;
}

std::optional<Spec> builtin_spec(const std::string& name) {
  std::string key = name.rfind("efficientnet_", 0) == 0 ? name.substr(13) : name;
  for (const auto& r : kBuiltins) {
    if (key != r.name) continue;
    Spec s;
    s.name = std::string("efficientnet_") + r.name;
    s.width = r.width;
    s.depth = r.depth;
    s.resolution = r.resolution;
    s.dropout = r.dropout;
    s.bn_eps = r.bn_eps;
    s.stages = base_stages();
    return s;
  }
  return std::nullopt;
}

Spec spec_from_phi(double phi) {
  Spec s;
  s.width = std::pow(1.1, phi);
  s.depth = std::pow(1.2, phi);
  s.resolution = int(std::lround(224 * std::pow(1.15, phi)));
  s.stages = base_stages();
  return s;
}

int round_filters(int channels, double width, int divisor) {
  double v = channels * width;
  int rounded = std::max(divisor, int(v + divisor / 2.0) / divisor * divisor);
  if (rounded < 0.9 * v) rounded += divisor;  // never round down by more than 10%
  return rounded;
}

int round_repeats(int repeats, double depth) { return int(std::ceil(repeats * depth)); }

const char* padding_name(Padding p) { return p == Padding::Same ? "same" : "symmetric"; }

}  // namespace frontend
