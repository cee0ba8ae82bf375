#include "cli/oracle_run.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "frontend/bind_weights.h"
#include "frontend/safetensors.h"
#include "ir/diagnostics.h"
#include "oracle/executor.h"

namespace cli {

std::map<std::string, ir::Tensor> run_oracle(const ir::Graph& g, const std::string& weights_path,
                                             const ir::Tensor& input, int threads) {
  ir::WeightMap weights = frontend::read_safetensors(weights_path);
  frontend::check_weights(g, weights, weights_path);
  std::fprintf(stderr, "oracle: %s on input %s, %d thread(s)...\n", g.name.c_str(), ir::dims_str(input.shape).c_str(),
               threads);
  auto start = std::chrono::steady_clock::now();
  std::map<std::string, ir::Tensor> refs;
  oracle::run_graph(g, weights, input, threads, &refs);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::fprintf(stderr, "oracle: done in %.1f s\n", took.count());
  return refs;
}

const ir::Tensor& tensor_in(const ir::WeightMap& file, const std::string& key, const std::string& path) {
  auto it = file.find(key);
  if (it == file.end()) throw ir::UserError(path + ": has no tensor '" + key + "'");
  return it->second;
}

int threads_option(const Args& a) {
  long long fallback = std::max(1u, std::thread::hardware_concurrency());
  return int(a.int_value("threads", fallback, 1, 1024));
}

}  // namespace cli
