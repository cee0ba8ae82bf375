// effnetc compile: a variant (or spec.json) plus weights -> a standalone static library for
// x86 or CUDA (libefficientnet_<v>.a, efficientnet_<v>.h, manifest.json) through the pass pipeline
// (fused, or --no-fusion) and codegen/aot. Progress goes to stderr, one line per kernel.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/args.h"
#include "cli/cache_arg.h"
#include "cli/commands.h"
#include "cli/spec_arg.h"
#include "codegen/aot/compile_library.h"
#include "frontend/bind_weights.h"
#include "frontend/build_graph.h"
#include "frontend/random_weights.h"
#include "frontend/safetensors.h"
#include "ir/diagnostics.h"
#include "ir/passes/choose_tiling.h"
#include "ir/passes/pack_weights.h"
#include "ir/pipeline.h"
#include "schedules/autotuner/host_info.h"
#include "schedules/autotuner/tuning_db.h"
#include "schedules/target_facts.h"

namespace cli {
namespace {

const char* kHelp =
    "usage: effnetc compile <b0..b7|spec.json> (--weights W.safetensors | --random-weights SEED)\n"
    "                       --target x86-64-linux[-avx2|-avx512]|cuda -o DIR [--no-fusion] [--external-weights]\n"
    "                       [--db FILE|DIR] [--caches host|L2,L3]\n"
    "\n"
    "Builds DIR/libefficientnet_<v>.a, DIR/efficientnet_<v>.h and DIR/manifest.json: a static\n"
    "library with the C API of efficientnet_<v>.h, linkable with\n"
    "  cc app.c -L DIR -lefficientnet_<v> -lpthread -ldl -lm\n"
    "  --weights FILE        torchvision state_dict names (safetensors)\n"
    "  --random-weights SEED deterministic random weights instead (testing)\n"
    "  --target T            x86-64-linux: AVX-512, AVX2 and SSE2 baseline, picked at run time;\n"
    "                        x86-64-linux-avx512 or -avx2: that ISA only;\n"
    "                        cuda: NVIDIA GPUs of compute capability 8.0 or newer (sm_80 PTX, x86-64\n"
    "                        host; libcuda is loaded at run time), adds <v>_run_device (docs/cuda.md)\n"
    "  -o, --output DIR      output directory (intermediate objects go to DIR/obj)\n"
    "  --no-fusion           lower the unfused graph (BN folding and layout passes still run)\n"
    "  --external-weights    write DIR/efficientnet_<v>.weights instead of embedding the weights\n"
    "  --db FILE|DIR         tuned schedules (effnetc tune) for the ISA the database was tuned for; one\n"
    "                        for another target or CPU, or from another effnetc version, is ignored\n"
    "                        with a warning. A directory: for each ISA of --target, the first database\n"
    "                        in it (by name) for that ISA and this CPU, e.g. schedules/tuned.\n"
    "                        manifest.json names the files and lists the entries used\n"
    "  --caches host|L2,L3   size x86 schedules (strip fusion, the lane tail) for this CPU's L2 and\n"
    "                        L3 (from /sys) or for these, e.g. 512K,8M; default: 1M,32M. Recorded\n"
    "                        in manifest.json; tune with the same --caches as you compile\n";

std::vector<std::string> isas_for_target(const std::string& target) {
  if (target == "x86-64-linux") return {"x86-avx512", "x86-avx2", "x86-baseline"};
  if (target == "x86-64-linux-avx512") return {"x86-avx512"};
  if (target == "x86-64-linux-avx2") return {"x86-avx2"};
  if (target == "cuda") return {"cuda"};
  throw ir::UserError("unknown --target '" + target +
                      "': expected x86-64-linux, x86-64-linux-avx2, x86-64-linux-avx512 or cuda");
}

struct TunedDb {
  autotuner::TuningDb db;
  std::string file;  // where it came from (with --db DIR, the file picked)
};

// --db for the ISAs of an archive (target facts names, dispatch order): each ISA's database, or
// nullopt. A missing path is an error: a mistyped path should not silently mean defaults.
// --db FILE: for the ISA it was tuned for; a stale, corrupt or foreign one (another target or CPU)
// is ignored with a one-line warning.
// --db DIR: for each ISA, the first *.json in DIR, by name, made for that ISA on this CPU, so that
// one directory (schedules/tuned/) holds the databases of several ISAs and machines; none there
// for any ISA is a warning.
std::vector<std::optional<TunedDb>> load_tuned_dbs(const std::string& path, const std::vector<std::string>& isas) {
  std::vector<std::optional<TunedDb>> tuned(isas.size());
  const std::string cpu = autotuner::cpu_model();
  auto mismatch = [&](const autotuner::TuningDb& db, const std::string& isa) {
    return autotuner::identity_mismatch(db.id, autotuner::DbIdentity{isa, cpu, 0});
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(path, ec))
      if (e.path().extension() == ".json") files.push_back(e.path().string());
    if (ec) throw ir::UserError("--db " + path + ": cannot list the directory: " + ec.message());
    std::sort(files.begin(), files.end());
    std::vector<TunedDb> valid;  // each file read once, in name order
    for (const auto& f : files) {
      autotuner::DbLoad l = autotuner::load_db(f, nullptr);
      if (l.status == autotuner::DbStatus::ok) valid.push_back(TunedDb{l.db, f});
    }
    bool any = false;
    for (size_t i = 0; i < isas.size(); i++) {
      for (const auto& t : valid) {
        if (!mismatch(t.db, isas[i]).empty()) continue;
        tuned[i] = t;
        any = true;
        break;
      }
    }
    if (!any) {
      std::string names;
      for (const auto& isa : isas) names += (names.empty() ? "" : " or ") + isa;
      std::fprintf(stderr,
                   "effnetc compile: warning: --db %s: none of its %zu .json file(s) is a database of effnetc %s for "
                   "%s on %s; compiling with default schedules\n",
                   path.c_str(), files.size(), autotuner::effnetc_version().c_str(), names.c_str(), cpu.c_str());
    }
    return tuned;
  }
  autotuner::DbLoad l = autotuner::load_db(path, nullptr);
  if (l.status == autotuner::DbStatus::missing) throw ir::UserError("--db " + l.problem);
  if (l.status == autotuner::DbStatus::ok) {
    // Checked against the ISA it names (or the first, for the message) and this CPU.
    auto it = std::find(isas.begin(), isas.end(), l.db.id.target);
    std::string problem = mismatch(l.db, it == isas.end() ? isas[0] : *it);
    if (problem.empty()) {
      tuned[size_t(it - isas.begin())] = TunedDb{l.db, path};
      return tuned;
    }
    l.problem = path + ": tuned for " + problem;
  }
  std::fprintf(stderr, "effnetc compile: warning: %s; ignored, compiling with default schedules\n", l.problem.c_str());
  return tuned;
}

std::string c_identifier(const std::string& name) {
  std::string id;
  for (char c : name) id += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "net_" + id;
  return id;
}

}  // namespace

int cmd_compile(const Argv& argv) {
  Args a = parse_args(argv, {"weights", "random-weights", "target", "output", "db", "caches"},
                      {"no-fusion", "external-weights"}, {{"-o", "output"}});
  if (a.flag("help")) {
    std::printf("%s", kHelp);
    return 0;
  }
  if (a.positional.size() != 1) throw UsageError("compile expects one variant or spec file\n" + std::string(kHelp));
  if (bool(a.value("weights")) == bool(a.value("random-weights")))
    throw UsageError("give exactly one of --weights FILE and --random-weights SEED");
  if (!a.value("target"))
    throw UsageError("missing --target (x86-64-linux, x86-64-linux-avx2, x86-64-linux-avx512, cuda)");
  if (!a.value("output")) throw UsageError("missing -o DIR");
  std::string target = *a.value("target");
  std::vector<std::string> isas = isas_for_target(target);
  if (target == "cuda" && a.value("caches")) throw UsageError("--caches sizes x86 schedules; --target cuda has none");
  const nlohmann::json caches = apply_caches_arg(a.value("caches"));

  frontend::Spec spec = spec_from_arg(a.positional[0]);
  ir::Graph g = frontend::build_graph(spec);
  ir::WeightMap w;
  std::string weights_source;
  if (auto path = a.value("weights")) {
    w = frontend::read_safetensors(*path);
    frontend::check_weights(g, w, *path);
    weights_source = *path;
  } else {
    long long seed = a.int_value("random-weights", 0, 0, (1LL << 62));
    w = frontend::random_weights(g, uint64_t(seed));
    weights_source = "random, seed " + std::to_string(seed);
  }

  ir::PipelineOptions po;
  po.no_fusion = a.flag("no-fusion");
  po.target = target;
  std::vector<std::optional<TunedDb>> tuned(isas.size());
  if (auto db = a.value("db")) tuned = load_tuned_dbs(*db, isas);
  if (tuned[0]) po.tuned_db = tuned[0]->file;
  ir::PipelineResult pr = ir::run_pipeline(g, &w, po);
  std::vector<float> blob = pr.packed.empty() ? ir::pack_weights(g, w) : pr.packed;

  codegen::CompileOptions o;
  o.out_dir = *a.value("output");
  o.facts = isas;
  o.external_weights = a.flag("external-weights");
  o.target = target;
  o.progress = &std::cerr;
  o.manifest["spec"] = {{"name", spec.name},
                        {"width", spec.width},
                        {"depth", spec.depth},
                        {"resolution", spec.resolution},
                        {"dropout", spec.dropout},
                        {"bn_eps", spec.bn_eps},
                        {"padding", frontend::padding_name(spec.padding)},
                        {"num_classes", spec.num_classes}};
  o.manifest["fusion"] = !po.no_fusion;
  o.manifest["weights_source"] = weights_source;
  if (target != "cuda") o.manifest["caches"] = caches;
  if (auto db = a.value("db")) {
    nlohmann::json used = nlohmann::json::array();
    for (size_t i = 0; i < isas.size(); i++) {
      if (!tuned[i]) continue;
      used.push_back({{"isa", isas[i]},
                      {"file", tuned[i]->file},
                      {"cpu", tuned[i]->db.id.cpu},
                      {"threads", tuned[i]->db.id.threads},
                      {"entries_used", autotuner::used_entries(g, tuned[i]->db)}});
      if (i > 0) o.tuned_schedules[isas[i]] = ir::tuned_schedules(g, schedules::target_facts(isas[i]), tuned[i]->file);
    }
    o.manifest["tuned_db"] = {{"path", *db}, {"used", !used.empty()}, {"databases", used}};
  }
  std::string lib = c_identifier(spec.name);
  codegen::CompileResult r = codegen::compile_library(g, blob, lib, o);
  std::printf("wrote %s and %s: %d units, %d kernels x %zu ISA(s), %.1f s\n", r.archive.c_str(), r.header.c_str(),
              r.units, r.kernels, isas.size(), r.seconds);
  return 0;
}

}  // namespace cli
