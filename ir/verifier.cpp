#include "ir/verifier.h"

#include <cmath>
#include <map>
#include <set>

#include "ir/diagnostics.h"
#include "ir/ops.h"
#include "ir/printer.h"

namespace ir {
namespace {

enum class Type { Int, Real, Str, List };  // Real also accepts an integer, like Node::get_real

struct AttrRule {
  const char* key;
  Type type;
  bool required;
  std::set<std::string> values;  // allowed string values; empty = any
};

const char* type_name(Type t) {
  switch (t) {
    case Type::Int:
      return "integer";
    case Type::Real:
      return "real";
    case Type::Str:
      return "string";
    case Type::List:
      return "integer list";
  }
  return "?";
}

bool has_type(const Attr& a, Type t) {
  switch (t) {
    case Type::Int:
      return std::holds_alternative<int64_t>(a);
    case Type::Real:
      return std::holds_alternative<double>(a) || std::holds_alternative<int64_t>(a);
    case Type::Str:
      return std::holds_alternative<std::string>(a);
    case Type::List:
      return std::holds_alternative<Dims>(a);
  }
  return false;
}

const std::set<std::string> kActs = {"none", "swish", "sigmoid", "relu"};

const std::vector<AttrRule>& attr_rules(const std::string& op) {
  static const std::map<std::string, std::vector<AttrRule>> rules = {
      {"input", {{"shape", Type::List, true, {}}}},
      {"conv2d",
       {{"out", Type::Int, true, {}},
        {"kernel", Type::Int, true, {}},
        {"stride", Type::Int, true, {}},
        {"pad", Type::List, true, {}},
        {"groups", Type::Int, true, {}},
        {"act", Type::Str, false, kActs},
        {"act_scale", Type::Real, false, {}},
        {"residual", Type::Int, false, {}},
        {"in_scale", Type::Int, false, {}},
        {"weight_layout", Type::Str, false, {"oihw", "hwio"}},
        {"weight_block", Type::Int, false, {}}}},
      {"batch_norm", {{"eps", Type::Real, true, {}}}},
      {"activation", {{"kind", Type::Str, true, kActs}}},
      {"global_avg_pool", {}},
      {"flatten", {}},
      {"dense",
       {{"out", Type::Int, true, {}},
        {"act", Type::Str, false, kActs},
        {"weight_layout", Type::Str, false, {"oi", "io"}}}},
      {"mul", {}},
      {"add", {}},
      {"dropout", {{"p", Type::Real, true, {}}}},
      {"squeeze_excite",
       {{"squeeze", Type::Int, true, {}},
        {"mode", Type::Str, false, {"scale", "multiply"}},
        {"weight_layout", Type::Str, false, {"oi", "io"}}}},
  };
  return rules.at(op);
}

const std::vector<AttrRule> kCommonRules = {
    {"name", Type::Str, false, {}}, {"ref", Type::Str, false, {}}, {"layout", Type::Str, false, {"nchw", "nhwc"}}};

std::string describe(const Node& n) {
  std::string s = "node %" + std::to_string(n.id) + " (" + n.op;
  if (auto name = n.find("name"); name && std::holds_alternative<std::string>(*name))
    s += " " + print_string(std::get<std::string>(*name));
  return s + ")";
}

// Problems with the attributes; empty when every rule holds.
std::vector<std::string> check_attrs(const Node& n) {
  std::vector<std::string> out;
  auto check = [&](const AttrRule& r) {
    const Attr* a = n.find(r.key);
    if (!a) {
      if (r.required) out.push_back(std::string("missing required attribute '") + r.key + "'");
      return;
    }
    if (!has_type(*a, r.type)) {
      out.push_back(std::string("attribute '") + r.key + "' must be " + type_name(r.type));
      return;
    }
    if (!r.values.empty() && !r.values.count(std::get<std::string>(*a))) {
      std::string allowed;
      for (const auto& v : r.values) allowed += (allowed.empty() ? "" : "|") + v;
      out.push_back(std::string("attribute '") + r.key + "' is \"" + std::get<std::string>(*a) + "\", expected " +
                    allowed);
    }
  };
  for (const auto& r : kCommonRules) check(r);
  for (const auto& r : attr_rules(n.op)) check(r);
  if (const Attr* a = n.find("act_scale"); a && has_type(*a, Type::Real)) {
    double s = n.get_real("act_scale");
    if (!std::isfinite(s) || s == 0) out.push_back("attribute 'act_scale' must be finite and not 0");
  }
  return out;
}

// The parameter shapes `n` must carry, by role; `required` lists the roles that must be present.
std::map<std::string, Dims> expected_params(const Node& n, const Dims& x, std::set<std::string>& required) {
  int64_t c = x.empty() ? 0 : x[0];
  if (n.op == "conv2d") {
    required = {"weight"};
    return {{"weight", conv_weight_shape(n, c)}, {"bias", {n.get_int("out")}}};
  }
  if (n.op == "dense") {
    int64_t o = n.get_int("out");
    required = {"weight"};
    bool io = n.get_str("weight_layout", "oi") == "io";
    return {{"weight", io ? Dims{c, o} : Dims{o, c}}, {"bias", {o}}};
  }
  if (n.op == "batch_norm") {
    required = {"weight", "bias", "running_mean", "running_var"};
    return {{"weight", {c}}, {"bias", {c}}, {"running_mean", {c}}, {"running_var", {c}}};
  }
  if (n.op == "squeeze_excite") {
    int64_t s = n.get_int("squeeze");
    required = {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"};
    bool io = n.get_str("weight_layout", "oi") == "io";
    return {{"fc1.weight", io ? Dims{c, s} : Dims{s, c, 1, 1}},
            {"fc1.bias", {s}},
            {"fc2.weight", io ? Dims{s, c} : Dims{c, s, 1, 1}},
            {"fc2.bias", {c}}};
  }
  required.clear();
  return {};
}

std::vector<std::string> check_params(const Node& n, const Dims& x) {
  std::vector<std::string> out;
  if (std::string problem = n.op == "conv2d" ? weight_block_problem(n) : ""; !problem.empty()) out.push_back(problem);
  std::set<std::string> required, seen;
  std::map<std::string, Dims> expected = expected_params(n, x, required);
  std::string layout =
      n.op == "conv2d" || n.op == "dense" || n.op == "squeeze_excite"
          ? " (weight_layout " + n.get_str("weight_layout", n.op == "conv2d" ? "oihw" : "oi") +
                (n.has("weight_block") ? ", weight_block " + std::to_string(n.get_int("weight_block")) : "") + ")"
          : "";
  for (const Param& p : n.params) {
    if (!seen.insert(p.role).second) {
      out.push_back("parameter '" + p.role + "' appears twice");
      continue;
    }
    auto it = expected.find(p.role);
    if (it == expected.end()) {
      out.push_back("unexpected parameter '" + p.role + "' for " + n.op);
    } else if (p.shape != it->second) {
      out.push_back("parameter '" + p.role + "' (" + print_string(p.name) + ") has shape " + dims_str(p.shape) +
                    ", expected " + dims_str(it->second) + layout);
    }
  }
  for (const auto& role : required)
    if (!seen.count(role)) out.push_back("missing parameter '" + role + "'");
  return out;
}

// infer_shape's message without its own "node %N (op): " prefix.
std::string strip_node_prefix(const std::string& msg) {
  size_t colon = msg.find("): ");
  return msg.compare(0, 6, "node %") == 0 && colon != std::string::npos ? msg.substr(colon + 3) : msg;
}

}  // namespace

std::vector<std::string> verify(const Graph& g) {
  std::vector<std::string> problems;
  std::set<int> defined;
  for (const Node& n : g.nodes) {
    std::string who = describe(n) + ": ";
    auto report = [&](const std::string& p) { problems.push_back(who + p); };
    if (defined.count(n.id)) report("id %" + std::to_string(n.id) + " is defined more than once");
    bool inputs_ok = true;
    for (int in : n.inputs) {
      if (defined.count(in)) continue;
      inputs_ok = false;
      report("input %" + std::to_string(in) +
             (g.find(in) ? " is defined after its use (nodes are not in topological order)" : " is not defined"));
    }
    defined.insert(n.id);
    if (!is_known_op(n.op)) {
      report("unknown op '" + n.op + "'");
      continue;
    }
    std::vector<std::string> attr_problems = check_attrs(n);
    for (const auto& p : attr_problems) report(p);
    if (!inputs_ok || !attr_problems.empty()) continue;  // shapes and params would only repeat these
    try {
      Dims inferred = infer_shape(g, n);
      if (inferred != n.shape)
        report("stored shape " + dims_str(n.shape) + " differs from inferred shape " + dims_str(inferred));
    } catch (const std::runtime_error& e) {  // UserError from shape inference
      report(strip_node_prefix(e.what()));
      continue;  // attrs are out of range: expected parameter shapes are undefined
    }
    for (const auto& p : check_params(n, n.inputs.empty() ? Dims{} : g.node(n.inputs[0]).shape)) report(p);
  }
  if (g.outputs.empty()) problems.push_back("graph has no outputs");
  for (int id : g.outputs)
    if (!defined.count(id)) problems.push_back("output %" + std::to_string(id) + " is not defined");
  return problems;
}

void verify_or_throw(const Graph& g, const std::string& context) {
  std::vector<std::string> problems = verify(g);
  if (problems.empty()) return;
  std::string msg = "invalid IR " + context + " (" + std::to_string(problems.size()) + " problem(s)):";
  for (const auto& p : problems) msg += "\n  " + p;
  throw InternalError(msg);
}

}  // namespace ir
