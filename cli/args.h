// A small command-line parser shared by the subcommands: positionals, `--flag`,
// `--key=value`, `--key value` and short aliases (`-o value`). Unknown options and
// missing values are usage errors (exit 2) that name the option.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;  // options that take a value
  std::set<std::string> flags;                // options without one

  bool flag(const std::string& name) const { return flags.count(name) != 0; }
  bool given(const std::string& name) const { return flag(name) || values.count(name) != 0; }  // flag or value
  std::optional<std::string> value(const std::string& name) const;
  std::string value_or(const std::string& name, const std::string& fallback) const;
  long long int_value(const std::string& name, long long fallback, long long lo, long long hi) const;
};

// `value_options` take a value, `flag_options` do not; "--help" is always a flag.
// `short_aliases` maps a short option to a long one, e.g. {"-o", "output"}.
Args parse_args(const std::vector<std::string>& argv, const std::set<std::string>& value_options,
                const std::set<std::string>& flag_options,
                const std::map<std::string, std::string>& short_aliases = {});

}  // namespace cli
