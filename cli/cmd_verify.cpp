// effnetc verify: compares a variant's outputs with a reference file (tools/reference/):
// logits and every block output present in both, in graph order, under the project
// tolerance (verify/compare.h). The outputs come from the oracle (--weights) or from a
// file another tool wrote (--outputs). Exit 0 when everything is within tolerance, else 1.
#include <cstdio>
#include <utility>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/oracle_run.h"
#include "cli/spec_arg.h"
#include "frontend/build_graph.h"
#include "frontend/safetensors.h"
#include "ir/diagnostics.h"
#include "verify/compare.h"

namespace cli {
namespace {

const char* kHelp =
    "usage: effnetc verify <b0..b7|spec.json> --reference R.safetensors\n"
    "                      (--weights W.safetensors | --outputs O.safetensors) [--threads N]\n"
    "\n"
    "Compares logits and every block output (features.0, features.S.I, ...) present in\n"
    "both the reference and the outputs, in graph order, and names the first block\n"
    "outside tolerance: per element |y-ref| <= 1e-3 + 1e-3*|ref|, cosine >= 0.99999 per\n"
    "sample, and the same top-1 class per sample. Exit 0 if all pass, 1 if any fails.\n"
    "  --reference FILE  `input`, `logits` and block outputs (tools/reference/export_reference.py)\n"
    "  --weights FILE    run the oracle on the reference's `input` with these weights\n"
    "  --outputs FILE    compare outputs another tool wrote (e.g. effnetc run -o)\n"
    "  --threads N       oracle worker threads (default: all hardware threads)\n";

}  // namespace

int cmd_verify(const Argv& argv) {
  Args a = parse_args(argv, {"reference", "weights", "outputs", "threads"}, {});
  if (a.flag("help")) {
    std::printf("%s", kHelp);
    return 0;
  }
  if (a.positional.size() != 1) throw UsageError("verify expects one variant or spec file\n" + std::string(kHelp));
  if (!a.value("reference")) throw UsageError("missing --reference\n" + std::string(kHelp));
  if (bool(a.value("weights")) == bool(a.value("outputs")))
    throw UsageError("give exactly one of --weights and --outputs\n" + std::string(kHelp));
  int threads = threads_option(a);
  ir::Graph g = frontend::build_graph(spec_from_arg(a.positional[0]));

  std::string ref_path = *a.value("reference");
  ir::WeightMap reference = frontend::read_safetensors(ref_path);
  const ir::Tensor& input = tensor_in(reference, "input", ref_path);
  int64_t batch = input.shape.empty() ? 0 : input.shape[0];
  std::string out_path = a.value("outputs").value_or("the oracle's outputs");
  ir::WeightMap outputs =
      a.value("weights") ? run_oracle(g, *a.value("weights"), input, threads) : frontend::read_safetensors(out_path);
  tensor_in(reference, "logits", ref_path);
  tensor_in(outputs, "logits", out_path);

  // Outputs present in both files, in graph order, each checked against the graph's shape.
  std::vector<std::pair<std::string, verify::Comparison>> rows;
  for (const ir::Node& n : g.nodes) {
    if (!n.has("ref")) continue;
    std::string key = n.get_str("ref");
    if (!reference.count(key) || !outputs.count(key)) continue;
    ir::Dims expected = {batch};
    expected.insert(expected.end(), n.shape.begin(), n.shape.end());
    if (reference.at(key).shape != expected)
      throw ir::UserError(ref_path + ": '" + key + "' has shape " + ir::dims_str(reference.at(key).shape) + ", but " +
                          g.name + " with batch " + std::to_string(batch) + " gives " + ir::dims_str(expected));
    rows.emplace_back(key, verify::compare(key, outputs.at(key), reference.at(key), key == "logits"));
  }

  std::printf("%-16s %12s %12s %12s %10s  %s\n", "output", "max abs", "max rel", "cosine", "outside", "ok");
  std::string first_bad;
  int failed = 0;
  verify::Comparison logits;
  for (const auto& [key, c] : rows) {
    std::printf("%-16s %12.3e %12.3e %12.8f %10lld  %s\n", key.c_str(), c.max_abs, c.max_rel, c.cosine,
                (long long)c.outside, c.ok ? "ok" : "FAIL");
    if (!c.ok && failed++ == 0) first_bad = key;
    if (key == "logits") logits = c;
  }
  std::printf("top-1 agreement: %lld/%lld samples, top-5 (as a set): %lld/%lld\n", (long long)logits.top1_agree,
              (long long)logits.samples, (long long)logits.top5_agree, (long long)logits.samples);
  if (failed) {
    std::printf("FAIL: %d of %d outputs outside tolerance; first failing block: %s\n", failed, int(rows.size()),
                first_bad.c_str());
    return 1;
  }
  std::printf("OK: all %zu outputs within tolerance\n", rows.size());
  return 0;
}

}  // namespace cli
