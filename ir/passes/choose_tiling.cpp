#include "ir/passes/choose_tiling.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "ir/diagnostics.h"
#include "ir/json_file.h"
#include "ir/passes/rewrite.h"
#include "schedules/schedule_params.h"
#include "schedules/target_facts.h"

namespace ir {

const schedules::TargetFacts& target_facts_for(const std::string& target) {
  static const std::map<std::string, std::string> cli_names = {
      {"x86-64-linux", "x86-avx512"}, {"x86-64-linux-avx512", "x86-avx512"}, {"x86-64-linux-avx2", "x86-avx2"}};
  auto it = cli_names.find(target);
  if (it != cli_names.end()) return schedules::target_facts(it->second);
  const auto& facts = schedules::target_fact_names();
  if (std::find(facts.begin(), facts.end(), target) != facts.end()) return schedules::target_facts(target);
  std::string known;
  for (const auto& [name, f] : cli_names) known += name + ", ";
  for (const auto& name : facts) known += name + (name == facts.back() ? "" : ", ");
  throw UserError("unknown target '" + target + "' (known: " + known + ")");
}

bool tuned_knobs_apply(std::optional<double> best_ms, std::optional<double> default_ms) {
  return !best_ms || !default_ms || *best_ms < *default_ms;
}

namespace {

using Database = std::map<std::string, nlohmann::json>;  // tuning_key -> knobs

Database read_database(const std::string& path, const schedules::TargetFacts& facts) {
  nlohmann::json j = parse_json_text(read_regular_file(path), path);
  if (!j.is_object()) throw UserError(path + ": expected a JSON object");
  // The tuner's identity fields (schedules/autotuner/tuning_db.h) are checked there, not here.
  static const std::set<std::string> known = {"target", "entries", "format", "effnetc_version", "cpu", "threads"};
  for (const auto& [key, value] : j.items())
    if (!known.count(key)) throw UserError(path + ": /" + key + ": unknown key");
  if (!j.contains("target") || !j["target"].is_string()) throw UserError(path + ": /target: expected a string");
  if (j["target"] != facts.name)
    throw UserError(path + ": /target: the database is for '" + j["target"].get<std::string>() + "', expected '" +
                    facts.name + "'");
  if (!j.contains("entries") || !j["entries"].is_object()) throw UserError(path + ": /entries: expected an object");
  Database db;
  // An entry is the knobs, or the tuner's {"knobs": {...}, "best_ms": ..., ...}.
  auto ms = [](const nlohmann::json& e, const char* k) -> std::optional<double> {
    if (e.contains(k) && e[k].is_number()) return e[k].get<double>();
    return std::nullopt;
  };
  for (const auto& [key, entry] : j["entries"].items()) {
    bool tuner = entry.is_object() && entry.contains("knobs");
    if (!tuner) db[key] = entry;
    else if (tuned_knobs_apply(ms(entry, "best_ms"), ms(entry, "default_ms"))) db[key] = entry["knobs"];
  }
  return db;
}

std::string flag(const Node& n, const char* key) { return std::string(key) + "=" + std::to_string(n.get_int(key, 0)); }

}  // namespace

std::string tuning_key(const Graph& g, const Node& n) {
  std::string key = n.op + " ";
  for (size_t i = 0; i < n.inputs.size(); i++) key += (i ? "," : "") + dims_str(g.node(n.inputs[i]).shape);
  key += "->" + dims_str(n.shape);
  if (n.op == "conv2d")
    key += " k" + std::to_string(n.get_int("kernel")) + " s" + std::to_string(n.get_int("stride")) + " g" +
           std::to_string(n.get_int("groups")) + " " + flag(n, "residual") + " " + flag(n, "in_scale");
  if (n.op == "conv2d" || n.op == "dense") key += " act=" + n.get_str("act", "none");
  if (n.op == "squeeze_excite") key += " mode=" + n.get_str("mode", "multiply");
  return key;
}

std::map<int, schedules::ScheduleParams> tuned_schedules(const Graph& g, const schedules::TargetFacts& facts,
                                                        const std::string& tuned_db) {
  Database db = read_database(tuned_db, facts);
  std::map<int, schedules::ScheduleParams> tuned;
  for (const auto& n : g.nodes) {
    if (n.op == "input") continue;
    std::string key = tuning_key(g, n);
    auto entry = db.find(key);
    if (entry == db.end()) continue;
    const std::string where = tuned_db + ": /entries/" + key;
    tuned[n.id] = schedules::schedule_from_json(entry->second, where, schedules::default_schedule(g, n, facts));
    if (tuned[n.id].expand_rows && !schedules::may_strip_fuse(g, n))
      throw UserError(where + ": expand_rows " + std::to_string(tuned[n.id].expand_rows) +
                      " needs a conv2d read only by one depthwise conv2d of its unit");
  }
  return tuned;
}

void choose_tiling(Graph& g, const std::string& target, const std::string& tuned_db, PassLog& log) {
  const schedules::TargetFacts& facts = target_facts_for(target);
  std::map<int, schedules::ScheduleParams> tuned =
      tuned_db.empty() ? std::map<int, schedules::ScheduleParams>{} : tuned_schedules(g, facts, tuned_db);
  int from_db = 0, defaults = 0;
  for (auto& n : g.nodes) {
    if (n.op == "input" || schedules::has_schedule_attrs(n)) continue;
    auto t = tuned.find(n.id);
    if (t != tuned.end()) {
      from_db++;
      log.add("choose_tiling", describe(n) + " tuned: " + schedules::schedule_str(t->second));
      schedules::set_schedule_attrs(n, t->second);
    } else {
      defaults++;
      schedules::set_schedule_attrs(n, schedules::default_schedule(g, n, facts));
    }
  }
  log.add("choose_tiling", facts.name + ": " + std::to_string(from_db) + " node(s) from the tuned database, " +
                               std::to_string(defaults) + " default(s)");
}

}  // namespace ir
