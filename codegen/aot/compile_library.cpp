#include "codegen/aot/compile_library.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "codegen/aot/glue_c.h"
#include "codegen/aot/glue_cuda.h"
#include "codegen/aot/lane_tail.h"
#include "codegen/aot/plan_calls.h"
#include "codegen/aot/workspace_plan.h"
#include "codegen/lower_to_halide.h"
#include "ir/diagnostics.h"

namespace codegen {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Runs argv[0] from PATH and waits; a failure is the user's environment (no cc, ...).
void run_tool(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  pid_t pid = fork();
  if (pid < 0) throw ir::UserError("cannot start '" + line + "'");
  if (pid == 0) {
    execvp(args[0], args.data());
    std::fprintf(stderr, "effnetc: cannot run %s\n", args[0]);
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw ir::UserError("'" + line + "' failed" +
                        (WIFEXITED(status) ? " with exit code " + std::to_string(WEXITSTATUS(status)) : ""));
}

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) throw ir::UserError("cannot write '" + path.string() + "'");
}

void write_blob(const fs::path& path, const std::vector<float>& blob) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(blob.data()), std::streamsize(blob.size() * sizeof(float)));
  if (!f) throw ir::UserError("cannot write '" + path.string() + "'");
}

std::string asm_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return out + "\"";
}

// Samples per pass through the workspace. On a CPU one: a unit's input and output then stay in
// L2/L3 for the next unit (b0's largest value is 4.8 MB a sample); measured at batch 8, 2 threads
// (Zen 5, 32 MB L3), b0 takes 0.92x and b4 0.91x the time of chunks of 8 and 7.
// On a GPU larger chunks keep it busy, as many as fit a memory budget (workspace + arena):
// 4 GiB fits every card with sm_80 or newer (the A100 40 GB being the smallest of them at batch
// 64 for b0..b6; b7 gets a smaller chunk).
constexpr int64_t kCudaMemoryBudgetFloats = int64_t(4) << 28;  // 4 GiB
constexpr int kCudaMaxBatchChunk = 64;

}  // namespace

CompileResult compile_library(const ir::Graph& g, const std::vector<float>& blob, const std::string& lib,
                              const CompileOptions& o) {
  auto start = Clock::now();
  std::ostream* log = o.progress;
  if (g.outputs.size() != 1)
    throw ir::UserError("codegen expects one graph output, the graph has " + std::to_string(g.outputs.size()));
  std::vector<const schedules::TargetFacts*> facts;
  for (const auto& name : o.facts) facts.push_back(&schedules::target_facts(name));
  if (facts.empty()) throw ir::InternalError("compile_library: no ISA to compile for");
  const bool cuda = facts[0]->isa == "cuda";
  if (cuda && facts.size() != 1)
    throw ir::InternalError("compile_library: cuda cannot share a library with other ISAs");

  LibraryPlan plan;
  plan.lib = lib;
  plan.version = EFFNETC_VERSION;
  plan.external_weights = o.external_weights;
  plan.cuda = cuda;
  for (const auto* f : facts) plan.isas.push_back(f->isa);

  // Units, their schedules per ISA, and kernels by signature.
  std::vector<Unit> units = split_units(g);
  std::vector<std::vector<UnitSchedule>> schedules(units.size());
  std::map<std::string, int> kernel_of_signature;
  std::vector<int> representative;  // kernel -> unit
  std::vector<std::string> signatures;
  std::vector<bool> tail_kernel;  // kernel -> runs several samples of a lane tail per call
  plan_calls(g, units, plan);
  std::map<std::pair<int64_t, int64_t>, int> view_index;
  const int tail = cuda ? -1 : lane_tail_start(g, units, facts[0]->l2_bytes);
  auto in_tail = [&](size_t u) { return tail >= 0 && int(u) >= tail; };
  for (size_t u = 0; u < units.size(); u++) {
    for (size_t i = 0; i < facts.size(); i++) {
      UnitSchedule s = unit_schedule(g, units[u], *facts[i], o.schedule_attrs && i == 0);
      auto tuned = o.tuned_schedules.find(facts[i]->name);
      if (i > 0 && tuned != o.tuned_schedules.end())
        for (auto& [id, params] : s)
          if (auto t = tuned->second.find(id); t != tuned->second.end()) params = t->second;
      schedules[u].push_back(s);
    }
    auto kernel = [&](const std::string& sig, bool tail_samples) {
      auto [it, fresh] = kernel_of_signature.emplace(sig, int(representative.size()));
      if (fresh) {
        representative.push_back(int(u));
        signatures.push_back(sig);
        tail_kernel.push_back(tail_samples);
      }
      return it->second;
    };
    const std::string sig = unit_signature(g, units[u], schedules[u]);
    PlannedCall& call = plan.calls[u];
    if (in_tail(u)) {
      call.kernel = kernel(sig + " lane-tail", true);
      call.single_kernel = kernel(sig, false);
    } else {
      call.kernel = kernel(sig, false);
    }
    // the same for every unit of a kernel (its signature holds all ISAs' schedules)
    call.bands = std::any_of(schedules[u].begin(), schedules[u].end(), uses_bands);
    for (const auto& p : units[u].weights) {
      if (p.offset < 0) throw ir::InternalError("param '" + p.name + "' is not packed (run pack_weights first)");
      auto key = std::make_pair(p.offset, ir::numel(p.shape));
      auto [v, added] = view_index.emplace(key, int(plan.weight_views.size()));
      if (added) plan.weight_views.push_back({key.first, key.second});
      call.weights.push_back(v->second);
    }
  }
  plan.kernels = int(representative.size());
  const PlannedValue& in = plan.values[size_t(plan.input_value)];
  if (in.shape.size() != 3) throw ir::UserError("the network input must be [C,H,W], got " + ir::dims_str(in.shape));
  plan.resolution = int(in.shape[1]);
  plan.input_numel = ir::numel(in.shape);
  plan.output_numel = ir::numel(plan.values[size_t(plan.output_value)].shape);
  plan.batch_chunk = 1;
  if (cuda) {
    // Per sample: the workspace plus, as an upper bound of Halide's arena, every value inside
    // the largest unit (the schedules store at most each node once per sample).
    int64_t per_sample = plan_workspace(plan), largest_unit = 0;
    for (const auto& u : units) {
      int64_t inside = 0;
      for (int id : u.nodes) inside += ir::numel(g.node(id).shape);
      largest_unit = std::max(largest_unit, inside);
    }
    per_sample += largest_unit;
    plan.batch_chunk =
        int(std::clamp<int64_t>(kCudaMemoryBudgetFloats / std::max<int64_t>(per_sample, 1), 1, kCudaMaxBatchChunk));
  }
  set_lane_tail(plan, tail);
  plan.workspace_floats = plan_workspace(plan);
  plan.blob_floats = int64_t(blob.size());
  plan.blob_checksum = blob_checksum(blob.data(), blob.size());

  fs::path out = o.out_dir, obj = out / "obj";
  std::error_code ec;
  fs::create_directories(obj, ec);
  if (ec) throw ir::UserError("cannot create output directory '" + obj.string() + "': " + ec.message());

  // Kernels: one object + header per signature and ISA.
  int total = plan.kernels * int(facts.size()), done = 0;
  std::vector<std::string> objects;
  for (int k = 0; k < plan.kernels; k++) {
    const Unit& u = units[size_t(representative[size_t(k)])];
    for (size_t i = 0; i < facts.size(); i++) {
      auto t0 = Clock::now();
      std::string base = "k" + std::to_string(k) + "_" + facts[i]->isa;
      LoweredUnit lu = lower_unit(g, u, schedules[size_t(representative[size_t(k)])][i], *facts[i],
                                  plan.calls[size_t(representative[size_t(k)])].bands, tail_kernel[size_t(k)]);
      Halide::Target target = Halide::Target(facts[i]->halide_target)
                                  .with_feature(Halide::Target::NoRuntime)
                                  .with_feature(Halide::Target::UserContext);
      lu.compile_to_module(lib + "_" + base, target)
          .compile({{Halide::OutputFileType::object, (obj / (base + ".o")).string()},
                    {Halide::OutputFileType::c_header, (obj / (base + ".h")).string()}});
      objects.push_back((obj / (base + ".o")).string());
      done++;
      if (log) {
        std::string sig = signatures[size_t(k)];
        char line[256];
        std::snprintf(line, sizeof line, "[%d/%d] kernel k%d (%zu nodes, %016llx) isa %-8s %5.2f s  elapsed %6.1f s\n",
                      done, total, k, u.nodes.size(), (unsigned long long)std::hash<std::string>()(sig),
                      facts[i]->isa.c_str(), since(t0), since(start));
        *log << line << std::flush;
      }
    }
  }
  // One runtime for all kernels: plain x86-64 host code, plus Halide's CUDA runtime for cuda.
  Halide::compile_standalone_runtime((obj / "halide_runtime.o").string(),
                                     Halide::Target(cuda ? facts[0]->halide_target : "x86-64-linux"));
  objects.push_back((obj / "halide_runtime.o").string());

  const std::string cc = env_or("CC", "cc"), ar = env_or("AR", "ar");
  std::string weights_file;
  if (o.external_weights) {
    weights_file = (out / (lib + ".weights")).string();
    write_blob(weights_file, blob);
  } else {
    write_blob(obj / "weights.bin", blob);
    write_file(obj / "weights.S", "  .section .rodata\n  .balign 64\n  .globl " + lib + "_weights_blob\n  .type " +
                                      lib + "_weights_blob, @object\n" + lib + "_weights_blob:\n  .incbin " +
                                      asm_string(fs::absolute(obj / "weights.bin").string()) + "\n  .size " + lib +
                                      "_weights_blob, .-" + lib + "_weights_blob\n" +
                                      "  .section .note.GNU-stack,\"\",@progbits\n");
    run_tool({cc, "-c", (obj / "weights.S").string(), "-o", (obj / "weights.o").string()});
    objects.push_back((obj / "weights.o").string());
  }
  fs::path header = out / (lib + ".h");
  write_file(header, cuda ? emit_cuda_public_header(plan) : emit_public_header(plan));
  write_file(obj / (lib + "_glue.c"), cuda ? emit_cuda_glue_c(plan) : emit_glue_c(plan));
  run_tool({cc, "-O2", "-std=gnu11", "-fPIC", "-Wall", "-I", obj.string(), "-I", out.string(), "-I",
            EFFNETC_HALIDE_INCLUDE_DIR, "-c", (obj / (lib + "_glue.c")).string(), "-o",
            (obj / (lib + "_glue.o")).string()});
  objects.push_back((obj / (lib + "_glue.o")).string());

  fs::path archive = out / ("lib" + lib + ".a");
  fs::remove(archive, ec);
  std::vector<std::string> ar_args = {ar, "rcs", archive.string()};
  ar_args.insert(ar_args.end(), objects.begin(), objects.end());
  run_tool(ar_args);

  CompileResult r;
  r.units = int(units.size());
  r.kernels = plan.kernels;
  r.seconds = since(start);
  r.archive = archive.string();
  r.header = header.string();

  nlohmann::ordered_json m;
  m["library"] = lib;
  m["effnetc_version"] = EFFNETC_VERSION;
  m["target"] = o.target;
  m["isas"] = plan.isas;
  for (const auto* f : facts) m["halide_targets"][f->isa] = f->halide_target;
  std::string source = o.schedule_attrs ? "graph sched.* attrs for " + plan.isas[0] + " where set" : "";
  for (size_t i = 1; i < facts.size(); i++)
    if (o.tuned_schedules.count(facts[i]->name))
      source += (source.empty() ? "" : "; ") + std::string("tuned database entries for ") + plan.isas[i];
  m["schedule_source"] = source.empty() ? "default_schedule" : source + "; else default_schedule";
  for (const auto& [key, value] : o.manifest.items()) m[key] = value;
  char sum[32];
  std::snprintf(sum, sizeof sum, "%016llx", (unsigned long long)plan.blob_checksum);
  m["weights"] = {{"embedded", !o.external_weights},
                  {"file", o.external_weights ? fs::path(weights_file).filename().string() : ""},
                  {"bytes", plan.blob_floats * 4},
                  {"checksum", std::string("fnv1a64-words:") + sum}};
  m["units"] = r.units;
  m["kernels"] = r.kernels;
  m["batch_chunk"] = plan.batch_chunk;
  if (plan.tail_call >= 0)
    m["lane_tail"] = {{"first_unit", plan.tail_call},
                      {"units", int(plan.calls.size()) - plan.tail_call},
                      {"samples", plan.tail_chunk}};
  m["workspace_bytes"] = plan.workspace_floats * 4;
  m["compile_seconds"] = std::round(r.seconds * 10) / 10;
  write_file(out / "manifest.json", m.dump(2) + "\n");
  return r;
}

}  // namespace codegen
