// Dense fp32 tensors by name: the weights a graph's Params refer to. The frontend loads
// them (frontend/safetensors.h), passes rewrite them (BN folding, re-layout), and
// codegen packs them into one blob at each Param's offset.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace ir {

struct Tensor {
  Dims shape;
  std::vector<float> data;  // row-major, numel(shape) values
};

using WeightMap = std::map<std::string, Tensor>;

}  // namespace ir
