// The compound-scaling spec: the only place that knows the network is EfficientNet.
// A Spec is seven base MBConv stage rows plus the scaling coefficients; built-in
// variants b0..b7 are one table row each (torchvision 0.14). round_filters and
// round_repeats turn the coefficients into integer channel and block counts.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace frontend {

enum class Padding { Symmetric, Same };  // torchvision (k-1)/2 on every side, or TensorFlow "SAME"

struct StageRow {
  int expand_ratio, kernel, stride, in_channels, out_channels, repeats;
};

struct Spec {
  std::string name;  // e.g. "efficientnet_b0"; names the generated library
  double width = 1.0;
  double depth = 1.0;
  int resolution = 224;
  double dropout = 0.2;
  double bn_eps = 1e-5;
  Padding padding = Padding::Symmetric;
  int num_classes = 1000;
  int stem_channels = 32;  // before width scaling
  int divisor = 8;         // round_filters rounds every channel count to a multiple of this
  std::vector<StageRow> stages;  // before scaling; base_stages() unless the JSON overrides
};

const std::vector<StageRow>& base_stages();
const std::vector<std::string>& builtin_names();      // "b0".."b7"
std::optional<Spec> builtin_spec(const std::string& name);  // accepts "b0" or "efficientnet_b0"
Spec spec_from_phi(double phi);                       // width 1.1^phi, depth 1.2^phi, res 224*1.15^phi

int round_filters(int channels, double width, int divisor = 8);  // torchvision _make_divisible(c*width, divisor)
int round_repeats(int repeats, double depth);   // ceil(repeats*depth)

const char* padding_name(Padding p);

}  // namespace frontend
