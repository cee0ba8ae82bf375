// What the tuner needs to know about the machine it runs on, from /proc/cpuinfo: the CPU
// model string (part of a tuning database's identity) and whether this CPU can run code
// for a target's ISA. Reads files only; never touches Halide (the tuner forks first).
#pragma once

#include <string>

#include "schedules/target_facts.h"

namespace autotuner {

std::string cpu_model();  // "AMD EPYC 9R45 ..." ("model name" of /proc/cpuinfo), or "unknown"

// True when the CPU flags cover the ISA of `facts` (avx512: F/CD/BW/DQ/VL; avx2: AVX2/FMA/F16C).
bool host_runs(const schedules::TargetFacts& facts);

}  // namespace autotuner
