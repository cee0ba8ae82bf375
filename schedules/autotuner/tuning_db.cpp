#include "schedules/autotuner/tuning_db.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "ir/diagnostics.h"
#include "ir/json_file.h"
#include "ir/passes/choose_tiling.h"
#include "schedules/schedule_params.h"

namespace autotuner {
namespace fs = std::filesystem;
namespace {

using nlohmann::json;

const json& field(const json& j, const std::string& key, const std::string& where) {
  if (!j.contains(key)) throw ir::UserError(where + "/" + key + ": missing");
  return j.at(key);
}

std::string get_string(const json& j, const std::string& key, const std::string& where) {
  const json& v = field(j, key, where);
  if (!v.is_string()) throw ir::UserError(where + "/" + key + ": expected a string");
  return v.get<std::string>();
}

int get_int(const json& j, const std::string& key, const std::string& where, int lo) {
  const json& v = field(j, key, where);
  if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > (1 << 30))
    throw ir::UserError(where + "/" + key + ": expected an integer >= " + std::to_string(lo));
  return v.get<int>();
}

std::optional<double> get_ms(const json& j, const std::string& key, const std::string& where) {
  if (!j.contains(key)) return std::nullopt;
  const json& v = j.at(key);
  if (!v.is_number() || !(v.get<double>() >= 0))
    throw ir::UserError(where + "/" + key + ": expected a time in ms >= 0");
  return v.get<double>();
}

// Knob names, integer types and ranges as schedule_from_json checks them; the knobs together
// only where the tile's are all there (the tuner writes every knob): a tile_channels that is no
// multiple of vector_width, or a register tile too large to unroll. Otherwise that depends on the
// node's defaults, and choose_tiling checks it.
void check_knobs(const json& knobs, const std::string& where) {
  schedules::check_knob_values(knobs, where);
  if (knobs.contains("vector_width") && knobs.contains("tile_channels")) {
    schedules::ScheduleParams base;
    base.tile_pixels = 1;
    schedules::schedule_from_json(knobs, where, base);
  }
}

DbEntry entry_from_json(const json& j, const std::string& where) {
  static const std::set<std::string> known = {"knobs",  "best_ms",  "default_ms", "adams2019_ms", "trials",
                                              "failed", "complete", "unit",       "error"};
  if (!j.is_object()) throw ir::UserError(where + ": expected an object");
  for (const auto& [key, value] : j.items())
    if (!known.count(key)) throw ir::UserError(where + "/" + key + ": unknown key");
  DbEntry e;
  e.knobs = field(j, "knobs", where);
  check_knobs(e.knobs, where + "/knobs");
  e.best_ms = get_ms(j, "best_ms", where);
  e.default_ms = get_ms(j, "default_ms", where);
  e.adams2019_ms = get_ms(j, "adams2019_ms", where);
  e.trials = get_int(j, "trials", where, 0);
  e.failed = get_int(j, "failed", where, 0);
  const json& complete = field(j, "complete", where);
  if (!complete.is_boolean()) throw ir::UserError(where + "/complete: expected true or false");
  e.complete = complete.get<bool>();
  e.unit = get_string(j, "unit", where);
  if (j.contains("error")) e.error = get_string(j, "error", where);
  return e;
}

json entry_to_json(const DbEntry& e) {
  json j;
  j["knobs"] = e.knobs;
  if (e.best_ms) j["best_ms"] = *e.best_ms;
  if (e.default_ms) j["default_ms"] = *e.default_ms;
  if (e.adams2019_ms) j["adams2019_ms"] = *e.adams2019_ms;
  j["trials"] = e.trials;
  j["failed"] = e.failed;
  j["complete"] = e.complete;
  j["unit"] = e.unit;
  if (!e.error.empty()) j["error"] = e.error;
  return j;
}

void fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw ir::UserError(path + ": cannot open for fsync: " + std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw ir::UserError(path + ": fsync failed: " + std::strerror(errno));
}

}  // namespace

std::string identity_mismatch(const DbIdentity& have, const DbIdentity& want) {
  if (have.target != want.target) return "target '" + have.target + "', expected '" + want.target + "'";
  if (have.cpu != want.cpu) return "CPU '" + have.cpu + "', expected '" + want.cpu + "'";
  if (want.threads && have.threads != want.threads)
    return std::to_string(have.threads) + " thread(s), expected " + std::to_string(want.threads);
  return "";
}

const std::string& effnetc_version() {
  static const std::string v = EFFNETC_VERSION;
  return v;
}

json db_to_json(const TuningDb& db) {
  json j;
  j["format"] = db.format;
  j["effnetc_version"] = db.version;
  j["target"] = db.id.target;
  j["cpu"] = db.id.cpu;
  j["threads"] = db.id.threads;
  j["entries"] = json::object();
  for (const auto& [key, e] : db.entries) j["entries"][key] = entry_to_json(e);
  return j;
}

TuningDb db_from_json(const json& j, const std::string& where) {
  static const std::set<std::string> known = {"format", "effnetc_version", "target", "cpu", "threads", "entries"};
  if (!j.is_object()) throw ir::UserError(where + ": expected a JSON object");
  for (const auto& [key, value] : j.items())
    if (!known.count(key)) throw ir::UserError(where + ": /" + key + ": unknown key");
  TuningDb db;
  db.format = get_int(j, "format", where + ": ", 0);
  db.version = get_string(j, "effnetc_version", where + ": ");
  db.id.target = get_string(j, "target", where + ": ");
  db.id.cpu = get_string(j, "cpu", where + ": ");
  db.id.threads = get_int(j, "threads", where + ": ", 1);
  const json& entries = field(j, "entries", where + ": ");
  if (!entries.is_object()) throw ir::UserError(where + ": /entries: expected an object");
  for (const auto& [key, value] : entries.items())
    db.entries[key] = entry_from_json(value, where + ": /entries/" + key);
  return db;
}

DbLoad load_db(const std::string& path, const DbIdentity* expected) {
  DbLoad r;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    r.problem = path + ": no such file";
    return r;
  }
  if (!fs::is_regular_file(path, ec)) {
    r.status = DbStatus::not_a_file;
    r.problem = path + ": not a regular file" + (fs::is_directory(path, ec) ? " (a directory)" : "");
    return r;
  }
  json j;
  try {
    j = ir::parse_json_text(ir::read_regular_file(path), path);
  } catch (const ir::UserError& e) {
    r.status = DbStatus::corrupt;
    r.problem = e.what();
    return r;
  }
  // Format and version first: an older layout is stale, not corrupt.
  if (j.is_object() && j.contains("format") && j["format"] != kDbFormat) {
    r.status = DbStatus::stale;
    r.problem =
        path + ": database format " + j["format"].dump() + ", this effnetc reads format " + std::to_string(kDbFormat);
    if (j["format"] == 1) r.problem += " (format 1 was timed before 1x1 weights were stored in tile blocks; re-tune)";
    return r;
  }
  if (j.is_object() && j.contains("effnetc_version") && j["effnetc_version"] != effnetc_version()) {
    r.status = DbStatus::stale;
    r.problem = path + ": written by effnetc " + j["effnetc_version"].dump() + ", this is " + effnetc_version();
    return r;
  }
  try {
    r.db = db_from_json(j, path);
  } catch (const ir::UserError& e) {
    r.status = DbStatus::corrupt;
    r.problem = e.what();
    return r;
  }
  std::string mismatch = expected ? identity_mismatch(r.db.id, *expected) : "";
  if (!mismatch.empty()) {
    r.status = DbStatus::foreign;
    r.problem = path + ": tuned for " + mismatch;
    return r;
  }
  r.status = DbStatus::ok;
  return r;
}

void write_db_atomic(const std::string& path, const TuningDb& db) {
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string tmpl = (dir / ("." + target.filename().string() + ".tmpXXXXXX")).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0)
    throw ir::UserError(path + ": cannot create a temporary file in " + dir.string() + ": " + std::strerror(errno));
  // mkstemp creates 0600; the database is a data file like any other (0666 less the umask).
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  std::string text = db_to_json(db).dump(2) + "\n";
  const char* p = text.data();
  size_t left = text.size();
  bool ok = true;
  while (ok && left) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) p += n, left -= size_t(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || std::rename(name.data(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(name.data());
    throw ir::UserError(path + ": cannot write the tuning database: " + why);
  }
  fsync_path(dir.string(), O_RDONLY | O_DIRECTORY);
}

TuningDb merge_dbs(const std::vector<std::string>& paths) {
  if (paths.empty()) throw ir::UserError("--merge needs at least one database");
  TuningDb out;
  for (size_t i = 0; i < paths.size(); i++) {
    DbLoad l = load_db(paths[i], i ? &out.id : nullptr);
    if (l.status != DbStatus::ok)
      throw ir::UserError(l.problem + (l.status == DbStatus::foreign ? " (as " + paths[0] + " is)" : ""));
    if (i == 0) out.id = l.db.id;
    for (auto& [key, e] : l.db.entries) {
      auto it = out.entries.find(key);
      bool better =
          it == out.entries.end() || (e.complete && !it->second.complete) ||
          (e.complete == it->second.complete && e.best_ms && (!it->second.best_ms || *e.best_ms < *it->second.best_ms));
      if (better) out.entries[key] = e;
    }
  }
  return out;
}

std::vector<std::string> used_entries(const ir::Graph& g, const TuningDb& db) {
  std::set<std::string> used;
  for (const auto& n : g.nodes) {
    if (n.op == "input") continue;
    std::string key = ir::tuning_key(g, n);
    auto e = db.entries.find(key);
    if (e != db.entries.end() && ir::tuned_knobs_apply(e->second.best_ms, e->second.default_ms)) used.insert(key);
  }
  return {used.begin(), used.end()};
}

}  // namespace autotuner
