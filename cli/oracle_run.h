// Shared by `effnetc run` and `effnetc verify`: loads a weights file, checks it against
// the graph (frontend/bind_weights.h) and runs the oracle (oracle/executor.h) on it.
#pragma once

#include <map>
#include <string>

#include "cli/args.h"
#include "ir/tensor.h"

namespace cli {

// The value of every node carrying `ref` ("features.0", ..., "logits"), [B, ...] NCHW.
// Reports the run's size and wall time on stderr.
std::map<std::string, ir::Tensor> run_oracle(const ir::Graph& g, const std::string& weights_path,
                                             const ir::Tensor& input, int threads);

// Tensor `key` of a safetensors file's contents, or a UserError naming the file and key.
const ir::Tensor& tensor_in(const ir::WeightMap& file, const std::string& key, const std::string& path);

// --threads N (default: the machine's hardware threads).
int threads_option(const Args& a);

}  // namespace cli
