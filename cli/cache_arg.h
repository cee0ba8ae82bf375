// Resolves the --caches option of compile, tune and inspect: "host" (this CPU's L2 and L3,
// /sys) or "L2,L3" sizes such as 512K,8M. The CPU target facts take them from then on
// (schedules::set_cpu_caches); without the option they keep the built-in sizes.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace cli {

// Returns what the facts report now, for the manifest or the tuner's log:
// {"l2_bytes": ..., "l3_bytes": ..., "from": "target facts" | "host" | "--caches"}.
// A malformed or implausible size is a UsageError naming it.
nlohmann::json apply_caches_arg(const std::optional<std::string>& arg);

}  // namespace cli
