#include "schedules/target_facts.h"

#include "ir/diagnostics.h"

namespace schedules {
namespace {

std::vector<TargetFacts> make_facts() {
  std::vector<TargetFacts> v;
  // AVX-512 (Skylake-X tier; Halide 14 has no Zen 4/5 tier): 16 fp32 lanes, zmm0-31
  // (Intel SDM vol. 1 §15). Caches of the project machine (2 vCPU Zen 5 EPYC, lscpu,
  // 2025-11): 32 KiB L1d and 1 MiB L2 per core, 32 MiB L3.
  v.push_back({"x86-avx512", "avx512", "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41", 16, 32, 32 << 10,
               1 << 20, 32 << 20});
  // AVX2 + FMA + F16C: 8 fp32 lanes, ymm0-15 (Intel SDM vol. 1 §14); same machine's caches.
  v.push_back({"x86-avx2", "avx2", "x86-64-linux-avx-avx2-f16c-fma-sse41", 8, 16, 32 << 10, 1 << 20, 32 << 20});
  // x86-64 baseline (SSE2): 4 fp32 lanes, xmm0-15 (AMD64 ABI); same machine's caches.
  v.push_back({"x86-baseline", "baseline", "x86-64-linux", 4, 16, 32 << 10, 1 << 20, 32 << 20});
  // CUDA (Hopper run through sm_80 PTX, Halide 14 knows up to cuda_capability_86): 32-thread warps,
  // 255 registers per thread, 228 KiB shared memory per SM, 50 MiB L2 (NVIDIA H100 datasheet).
  v.push_back({"cuda", "cuda", "x86-64-linux-cuda-cuda_capability_80", 32, 255, 228 << 10, 50 << 20, 0});
  return v;
}

std::vector<TargetFacts>& registry() {
  static std::vector<TargetFacts> facts = make_facts();
  return facts;
}

}  // namespace

const TargetFacts& target_facts(const std::string& name) {
  const std::vector<TargetFacts>& facts = registry();
  for (const auto& f : facts)
    if (f.name == name) return f;
  std::string known;
  for (const auto& f : facts) known += (known.empty() ? "" : ", ") + f.name;
  throw ir::UserError("unknown target facts '" + name + "' (known: " + known + ")");
}

void set_cpu_caches(const std::optional<CpuCaches>& caches) {
  const std::vector<TargetFacts> builtin = make_facts();
  std::vector<TargetFacts>& facts = registry();
  for (size_t i = 0; i < facts.size(); i++) {
    if (facts[i].isa == "cuda") continue;
    facts[i].l2_bytes = caches ? caches->l2_bytes : builtin[i].l2_bytes;
    facts[i].l3_bytes = caches ? caches->l3_bytes : builtin[i].l3_bytes;
  }
}

CpuCaches cpu_caches() {
  const TargetFacts& f = target_facts("x86-avx512");
  return CpuCaches{f.l2_bytes, f.l3_bytes};
}

const std::vector<std::string>& target_fact_names() {
  static const std::vector<std::string> names = {"x86-avx512", "x86-avx2", "x86-baseline", "cuda"};
  return names;
}

}  // namespace schedules
