#include "schedules/autotuner/host_info.h"

#include <cctype>
#include <fstream>
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

std::string proc_cpuinfo() {
  std::ifstream in("/proc/cpuinfo");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
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

}  // namespace autotuner
