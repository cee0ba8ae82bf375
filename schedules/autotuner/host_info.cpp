#include "schedules/autotuner/host_info.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

namespace autotuner {
namespace {

// The value of the first "<field> : value" line of `cpuinfo`, or "".
std::string cpuinfo_field(const std::string& cpuinfo, const std::string& field) {
  std::istringstream in(cpuinfo);
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

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string proc_cpuinfo() { return file_text("/proc/cpuinfo"); }

std::string first_line(const std::string& path) {
  std::string text = file_text(path);
  return text.substr(0, text.find('\n'));
}

}  // namespace

std::string cpu_model_of(const std::string& cpuinfo) {
  std::string m = cpuinfo_field(cpuinfo, "model name"), family = cpuinfo_field(cpuinfo, "cpu family"),
              model = cpuinfo_field(cpuinfo, "model");
  if (m.empty()) m = "unknown";
  if (!family.empty() && !model.empty()) m += " (family " + family + ", model " + model + ")";
  return m;
}

std::string cpu_model() { return cpu_model_of(proc_cpuinfo()); }

std::string cpu_tag_of(const std::string& cpuinfo) {
  std::string name = cpuinfo_field(cpuinfo, "model name"), family = cpuinfo_field(cpuinfo, "cpu family"),
              model = cpuinfo_field(cpuinfo, "model"), tag;
  for (char c : name.substr(0, name.find(' '))) {
    if (std::isalnum(static_cast<unsigned char>(c))) tag += char(std::tolower(static_cast<unsigned char>(c)));
    else if (c == '(') break;  // "Intel(R)"
  }
  if (tag.empty()) tag = "unknown";
  if (!family.empty() && !model.empty()) tag += "-f" + family + "-m" + model;
  return tag;
}

std::string cpu_tag() { return cpu_tag_of(proc_cpuinfo()); }

bool host_runs(const schedules::TargetFacts& facts) {
  std::set<std::string> flags;
  std::istringstream words(cpuinfo_field(proc_cpuinfo(), "flags"));
  for (std::string w; words >> w;) flags.insert(w);
  std::vector<std::string> need;
  if (facts.isa == "avx512") need = {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma", "f16c"};
  if (facts.isa == "avx2") need = {"avx2", "fma", "f16c"};
  if (facts.isa == "cuda") return false;
  for (const auto& f : need)
    if (!flags.count(f)) return false;
  return true;
}

std::optional<int64_t> cache_size_bytes(const std::string& text) {
  static const std::regex re(R"(([0-9]{1,9})([KMG]?))", std::regex::icase);
  std::smatch m;
  if (!std::regex_match(text, m, re)) return std::nullopt;
  const std::string unit = m[2];
  const int shift = unit.empty() ? 0 : unit == "K" || unit == "k" ? 10 : unit == "M" || unit == "m" ? 20 : 30;
  return int64_t(std::stoll(m[1])) << shift;
}

std::optional<schedules::CpuCaches> host_caches_in(const std::string& cache_dir) {
  schedules::CpuCaches c;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(cache_dir, ec)) {
    if (e.path().filename().string().rfind("index", 0) != 0) continue;
    const std::string dir = e.path().string();
    std::optional<int64_t> bytes = cache_size_bytes(first_line(dir + "/size"));
    if (!bytes || first_line(dir + "/type") != "Unified") continue;
    std::string level = first_line(dir + "/level");
    if (level == "2") c.l2_bytes = *bytes;
    if (level == "3") c.l3_bytes = *bytes;
  }
  if (c.l2_bytes == 0) return std::nullopt;
  return c;
}

std::optional<schedules::CpuCaches> host_caches() { return host_caches_in("/sys/devices/system/cpu/cpu0/cache"); }

}  // namespace autotuner
