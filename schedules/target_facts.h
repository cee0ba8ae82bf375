// Named facts about a compile target that schedules are derived from: vector lanes,
// register count, cache sizes. Every number says where it comes from (vendor manual or
// a measurement on the project's Zen 5 machine, /work/shared/HALIDE14_NOTES.md).
// target_facts() knows "x86-avx512", "x86-avx2", "x86-baseline" and "cuda"; the CPU ones'
// L2 and L3 sizes can be replaced by a machine's (set_cpu_caches, the CLI's --caches).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace schedules {

struct TargetFacts {
  std::string name;           // "x86-avx512"
  std::string isa;            // short ISA name used by the generated library: "avx512", "avx2", "baseline", "cuda"
  std::string halide_target;  // Halide target string without os/feature extras we add (no_runtime, user_context)
  int vector_lanes = 4;       // fp32 lanes per vector register (per warp for cuda)
  int vector_registers = 16;  // architectural vector registers (per thread for cuda: 32-bit registers)
  int64_t l1_bytes = 0, l2_bytes = 0, l3_bytes = 0;  // per core (l3: per chip); cuda: shared memory, l2
};

const TargetFacts& target_facts(const std::string& name);  // throws ir::UserError for an unknown name
const std::vector<std::string>& target_fact_names();

// The cache sizes schedules are sized for: strip fusion above a quarter (or an eighth) of the L3
// (schedules/schedule_params.cpp) and the lane tail's share of the L2 (codegen/aot/lane_tail.h).
struct CpuCaches {
  int64_t l2_bytes = 0;  // per core
  int64_t l3_bytes = 0;  // per chip (0: none)
};

// From now on the CPU facts (all but cuda) report `caches` in place of the built-in sizes;
// std::nullopt restores those. Call it before compiling or tuning, never while facts are read.
void set_cpu_caches(const std::optional<CpuCaches>& caches);
CpuCaches cpu_caches();  // the sizes the CPU facts report now

}  // namespace schedules
