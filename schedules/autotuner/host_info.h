// What the tuner needs to know about the machine it runs on, from /proc/cpuinfo: the CPU
// model string (part of a tuning database's identity) and its file-name tag and whether this CPU can run code
// for a target's ISA; and, from /sys, its cache sizes. Reads files only; never touches Halide (the tuner forks first).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "schedules/target_facts.h"

namespace autotuner {

// The CPU a database was measured on: /proc/cpuinfo's "model name" with its family and model
// numbers, which tell apart CPUs a hypervisor names alike ("AMD EPYC" is a Zen 4, family 25,
// whose 512-bit FMAs run as two halves, or a Zen 5, family 26, whose do not: tiles tuned on
// one need not suit the other). "AMD EPYC (family 25, model 17)"; "unknown" without a name.
std::string cpu_model();
std::string cpu_model_of(const std::string& cpuinfo);  // the same from the text of a cpuinfo file

// A file-name form of the same: the model name's first word, lower case, letters and digits
// only, then family and model: "amd-f25-m17", "intel-f6-m167"; "unknown" without a name. The
// tuner's default database is schedules/tuned/<facts>-<tag>.json, one file per machine kind.
std::string cpu_tag();
std::string cpu_tag_of(const std::string& cpuinfo);

// True when the CPU flags cover the ISA of `facts` (avx512: F/CD/BW/DQ/VL; avx2: AVX2/FMA/F16C).
bool host_runs(const schedules::TargetFacts& facts);

// "512K", "8M", "1G" (binary multiples) or a plain byte count -> bytes; nullopt for anything else.
std::optional<int64_t> cache_size_bytes(const std::string& text);

// This CPU's L2 (per core) and L3 sizes: the level 2 and 3 unified caches that
// /sys/devices/system/cpu/cpu0/cache/index*/{level,type,size} list (host_caches_in: another
// directory of index* folders). nullopt without an L2 there; l3_bytes 0 without an L3.
std::optional<schedules::CpuCaches> host_caches();
std::optional<schedules::CpuCaches> host_caches_in(const std::string& cache_dir);

}  // namespace autotuner
