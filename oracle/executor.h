// The oracle: a naive, obviously-correct interpreter of any ir::Graph made of the ops in
// ir/ops.h, fused forms and weight layouts included (the physical `layout` attr is ignored).
// Values are NCHW per sample with the batch as the leading dimension; every op accumulates
// in double. It is never optimised: codegen and every target are compared with it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace oracle {

// Runs `g` on `input` ([B, ...shape of the graph's input node]) and returns one tensor per
// graph output, each [B, ...]. If `ref_outputs` is given it receives the value of every node
// carrying attr `ref`, keyed by that attr. Work is split over samples and output channels on
// `threads` threads. A missing or misshaped weight, or a wrong input shape, throws ir::UserError.
std::vector<ir::Tensor> run_graph(const ir::Graph& g, const ir::WeightMap& weights, const ir::Tensor& input,
                                  int threads, std::map<std::string, ir::Tensor>* ref_outputs = nullptr);

}  // namespace oracle
