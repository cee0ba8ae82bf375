#include "cli/args.h"

#include <cctype>

namespace cli {

std::optional<std::string> Args::value(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::string Args::value_or(const std::string& name, const std::string& fallback) const {
  return value(name).value_or(fallback);
}

long long Args::int_value(const std::string& name, long long fallback, long long lo, long long hi) const {
  auto v = value(name);
  if (!v) return fallback;
  size_t used = 0;
  long long x = 0;
  try {
    x = std::stoll(*v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  bool plain = !v->empty() && (std::isdigit(static_cast<unsigned char>((*v)[0])) || (*v)[0] == '-');  // no ' 5', '+5'
  if (!plain || used != v->size() || x < lo || x > hi)
    throw UsageError("--" + name + " expects an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                     "], got '" + *v + "'");
  return x;
}

Args parse_args(const std::vector<std::string>& argv, const std::set<std::string>& value_options,
                const std::set<std::string>& flag_options, const std::map<std::string, std::string>& short_aliases) {
  Args a;
  for (size_t i = 0; i < argv.size(); i++) {
    auto alias = short_aliases.find(argv[i]);
    const std::string s = alias == short_aliases.end() ? argv[i] : "--" + alias->second;
    if (s.size() < 3 || s.compare(0, 2, "--") != 0) {
      if (s.size() > 1 && s[0] == '-' && s != "-") throw UsageError("unknown option '" + s + "'");
      a.positional.push_back(s);
      continue;
    }
    std::string name = s.substr(2), value;
    size_t eq = name.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (name == "help" || flag_options.count(name)) {
      if (has_value) throw UsageError("option --" + name + " takes no value");
      a.flags.insert(name);
    } else if (value_options.count(name)) {
      if (!has_value) {
        if (i + 1 >= argv.size()) throw UsageError("option --" + name + " needs a value");
        value = argv[++i];
      }
      if (value.empty()) throw UsageError("option --" + name + " needs a value, got an empty one");
      a.values[name] = value;
    } else {
      throw UsageError("unknown option '--" + name + "'");
    }
  }
  return a;
}

}  // namespace cli
