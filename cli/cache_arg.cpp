#include "cli/cache_arg.h"

#include "cli/args.h"
#include "ir/diagnostics.h"
#include "schedules/autotuner/host_info.h"
#include "schedules/target_facts.h"

namespace cli {

nlohmann::json apply_caches_arg(const std::optional<std::string>& arg) {
  std::string from = "target facts";
  if (arg && *arg == "host") {
    std::optional<schedules::CpuCaches> host = autotuner::host_caches();
    if (!host)
      throw ir::UserError(
          "--caches host: /sys/devices/system/cpu/cpu0/cache lists no L2 cache; give the sizes, "
          "e.g. --caches 512K,8M");
    schedules::set_cpu_caches(host);
    from = "host";
  } else if (arg) {
    const std::string usage = "--caches expects host or L2,L3 sizes such as 512K,8M (L3 0: none), got '" + *arg + "'";
    const size_t comma = arg->find(',');
    if (comma == std::string::npos) throw UsageError(usage);
    std::optional<int64_t> l2 = autotuner::cache_size_bytes(arg->substr(0, comma)),
                           l3 = autotuner::cache_size_bytes(arg->substr(comma + 1));
    if (!l2 || !l3) throw UsageError(usage);
    if (*l2 < (16 << 10) || *l2 > (1LL << 30))
      throw UsageError("--caches: an L2 of " + std::to_string(*l2) + " bytes is outside 16K..1G");
    if (*l3 != 0 && (*l3 < *l2 || *l3 > (64LL << 30)))
      throw UsageError("--caches: an L3 of " + std::to_string(*l3) + " bytes is neither 0 nor within L2..64G");
    schedules::set_cpu_caches(schedules::CpuCaches{*l2, *l3});
    from = "--caches";
  }
  schedules::CpuCaches c = schedules::cpu_caches();
  return {{"l2_bytes", c.l2_bytes}, {"l3_bytes", c.l3_bytes}, {"from", from}};
}

}  // namespace cli
