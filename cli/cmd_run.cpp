// effnetc run: runs the oracle (the naive reference executor) on a variant with weights and
// an input batch from safetensors files, prints the top-5 classes per sample, and optionally
// writes the logits and every block output.
#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/oracle_run.h"
#include "cli/spec_arg.h"
#include "frontend/build_graph.h"
#include "frontend/safetensors.h"
#include "ir/diagnostics.h"

namespace cli {
namespace {

const char* kHelp =
    "usage: effnetc run <b0..b7|spec.json> --weights W.safetensors --input R.safetensors\n"
    "                   [--input-key input] [-o|--output OUT.safetensors] [--threads N]\n"
    "\n"
    "Runs the naive reference executor (the oracle) on an input batch and prints the\n"
    "top-5 classes of each sample.\n"
    "  --weights FILE   torchvision state_dict names, checked against the variant\n"
    "  --input FILE     safetensors file holding the input batch [B,3,R,R] (NCHW)\n"
    "  --input-key KEY  the input tensor's name in that file (default: input)\n"
    "  -o, --output F   write `logits` [B,classes] and every block output (features.0,\n"
    "                   features.S.I, ...; [B,C,H,W]) to a safetensors file\n"
    "  --threads N      worker threads (default: all hardware threads)\n";

void print_top5(const ir::Tensor& logits) {
  int64_t classes = logits.shape[1], k = std::min<int64_t>(5, classes);
  for (int64_t b = 0; b < logits.shape[0]; b++) {
    const float* row = logits.data.data() + b * classes;
    std::vector<int64_t> idx(static_cast<size_t>(classes));
    std::iota(idx.begin(), idx.end(), 0);
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                      [&](int64_t x, int64_t y) { return row[x] > row[y] || (row[x] == row[y] && x < y); });
    std::printf("sample %lld:", (long long)b);
    for (int64_t i = 0; i < k; i++) std::printf("  %4lld (%.4f)", (long long)idx[size_t(i)], row[idx[size_t(i)]]);
    std::printf("\n");
  }
}

}  // namespace

int cmd_run(const Argv& argv) {
  Args a = parse_args(argv, {"weights", "input", "input-key", "output", "threads"}, {}, {{"-o", "output"}});
  if (a.flag("help")) {
    std::printf("%s", kHelp);
    return 0;
  }
  if (a.positional.size() != 1) throw UsageError("run expects one variant or spec file\n" + std::string(kHelp));
  for (const char* required : {"weights", "input"})
    if (!a.value(required)) throw UsageError("missing --" + std::string(required) + "\n" + kHelp);
  int threads = threads_option(a);
  ir::Graph g = frontend::build_graph(spec_from_arg(a.positional[0]));

  std::string input_path = *a.value("input");
  ir::WeightMap input_file = frontend::read_safetensors(input_path);
  const ir::Tensor& input = tensor_in(input_file, a.value_or("input-key", "input"), input_path);
  std::map<std::string, ir::Tensor> outputs = run_oracle(g, *a.value("weights"), input, threads);

  const ir::Tensor& logits = tensor_in(outputs, "logits", "the graph's outputs");
  if (logits.shape.size() != 2) throw ir::InternalError("logits are " + ir::dims_str(logits.shape));
  print_top5(logits);
  if (auto out = a.value("output")) {
    frontend::write_safetensors(*out, outputs);
    std::printf("wrote %zu tensors to %s\n", outputs.size(), out->c_str());
  }
  return 0;
}

}  // namespace cli
