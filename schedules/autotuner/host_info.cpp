#include "schedules/autotuner/host_info.h"

#include <fstream>
#include <set>
#include <sstream>
#include <vector>

namespace autotuner {
namespace {

// The value of the first "<field> : value" line of /proc/cpuinfo, or "".
std::string cpuinfo_field(const std::string& field) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
    if (name != field) continue;
    size_t start = line.find_first_not_of(' ', colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

}  // namespace

std::string cpu_model() {
  std::string m = cpuinfo_field("model name");
  return m.empty() ? "unknown" : m;
}

bool host_runs(const schedules::TargetFacts& facts) {
  std::set<std::string> flags;
  std::istringstream words(cpuinfo_field("flags"));
  for (std::string w; words >> w;) flags.insert(w);
  std::vector<std::string> need;
  if (facts.isa == "avx512") need = {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma", "f16c"};
  if (facts.isa == "avx2") need = {"avx2", "fma", "f16c"};
  if (facts.isa == "cuda") return false;
  for (const auto& f : need)
    if (!flags.count(f)) return false;
  return true;
}

}  // namespace autotuner
