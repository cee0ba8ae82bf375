#include "ir/ops.h"

#include <set>

#include "ir/diagnostics.h"

namespace ir {

static const std::set<std::string> kOps = {"input", "conv2d", "batch_norm", "activation", "global_avg_pool",
                                           "flatten", "dense", "mul", "add", "dropout", "squeeze_excite"};

bool is_known_op(const std::string& op) { return kOps.count(op) != 0; }

bool is_known_activation(const std::string& kind) {
  return kind == "none" || kind == "swish" || kind == "sigmoid" || kind == "relu";
}

static std::string where(const Node& n) { return "node %" + std::to_string(n.id) + " (" + n.op + ")"; }

static void fail(const Node& n, const std::string& what) { throw UserError(where(n) + ": " + what); }

static const Dims& input_shape(const Graph& g, const Node& n, size_t i) {
  if (i >= n.inputs.size()) fail(n, "expected at least " + std::to_string(i + 1) + " inputs");
  const Node* p = g.find(n.inputs[i]);
  if (!p) fail(n, "input %" + std::to_string(n.inputs[i]) + " is not defined");
  return p->shape;
}

static void expect_rank(const Node& n, const Dims& d, size_t rank, const char* what) {
  if (d.size() != rank) fail(n, std::string(what) + " must have rank " + std::to_string(rank) + ", got " + dims_str(d));
}

static Dims infer_conv(const Graph& g, const Node& n) {
  const Dims& x = input_shape(g, n, 0);
  expect_rank(n, x, 3, "input");
  int64_t out = n.get_int("out"), k = n.get_int("kernel"), s = n.get_int("stride"), groups = n.get_int("groups");
  Dims pad = n.get_dims("pad");
  if (out <= 0 || k <= 0 || s <= 0 || groups <= 0) fail(n, "out, kernel, stride and groups must be positive");
  if (pad.size() != 4) fail(n, "pad must be [top,left,bottom,right]");
  for (auto p : pad)
    if (p < 0 || p >= k) fail(n, "padding must be in [0, kernel)");
  if (x[0] % groups || out % groups) fail(n, "channels " + std::to_string(x[0]) + "->" + std::to_string(out) +
                                                 " are not divisible by groups=" + std::to_string(groups));
  int64_t h = x[1] + pad[0] + pad[2] - k, w = x[2] + pad[1] + pad[3] - k;
  if (h < 0 || w < 0) fail(n, "kernel " + std::to_string(k) + " is larger than the padded input " + dims_str(x));
  Dims y = {out, h / s + 1, w / s + 1};
  size_t expected_inputs = 1;
  if (n.get_int("residual", 0)) {
    if (input_shape(g, n, expected_inputs) != y) fail(n, "residual input shape differs from output " + dims_str(y));
    expected_inputs++;
  }
  if (n.get_int("in_scale", 0)) {
    if (input_shape(g, n, expected_inputs) != Dims{x[0], 1, 1}) fail(n, "in_scale input must be [C,1,1]");
    expected_inputs++;
  }
  if (n.inputs.size() != expected_inputs) fail(n, "expected " + std::to_string(expected_inputs) + " inputs");
  return y;
}

static void expect_inputs(const Node& n, size_t count) {
  if (n.inputs.size() != count) fail(n, "expected " + std::to_string(count) + " input(s), got " +
                                            std::to_string(n.inputs.size()));
}

Dims infer_shape(const Graph& g, const Node& n) {
  const std::string& op = n.op;
  if (op == "input") {
    expect_inputs(n, 0);
    Dims d = n.get_dims("shape");
    for (auto v : d)
      if (v <= 0) fail(n, "input shape must be positive, got " + dims_str(d));
    return d;
  }
  if (op == "conv2d") return infer_conv(g, n);
  if (op == "batch_norm" || op == "activation" || op == "dropout") {
    expect_inputs(n, 1);
    if (op == "activation" && !is_known_activation(n.get_str("kind"))) fail(n, "unknown activation '" + n.get_str("kind") + "'");
    return input_shape(g, n, 0);
  }
  if (op == "global_avg_pool") {
    expect_inputs(n, 1);
    const Dims& x = input_shape(g, n, 0);
    expect_rank(n, x, 3, "input");
    return {x[0], 1, 1};
  }
  if (op == "flatten") {
    expect_inputs(n, 1);
    return {numel(input_shape(g, n, 0))};
  }
  if (op == "dense") {
    expect_inputs(n, 1);
    expect_rank(n, input_shape(g, n, 0), 1, "input");
    if (n.get_int("out") <= 0) fail(n, "out must be positive");
    return {n.get_int("out")};
  }
  if (op == "mul") {
    expect_inputs(n, 2);
    const Dims& x = input_shape(g, n, 0);
    expect_rank(n, x, 3, "input");
    if (input_shape(g, n, 1) != Dims{x[0], 1, 1}) fail(n, "scale must be [" + std::to_string(x[0]) + ",1,1]");
    return x;
  }
  if (op == "add") {
    expect_inputs(n, 2);
    if (input_shape(g, n, 0) != input_shape(g, n, 1))
      fail(n, "operand shapes differ: " + dims_str(input_shape(g, n, 0)) + " vs " + dims_str(input_shape(g, n, 1)));
    return input_shape(g, n, 0);
  }
  if (op == "squeeze_excite") {
    expect_inputs(n, 1);
    const Dims& x = input_shape(g, n, 0);
    expect_rank(n, x, 3, "input");
    if (n.get_int("squeeze") <= 0) fail(n, "squeeze must be positive");
    return n.get_str("mode", "multiply") == "scale" ? Dims{x[0], 1, 1} : x;
  }
  fail(n, "unknown op");
  return {};
}

void infer_shapes(Graph& g) {
  for (auto& n : g.nodes) n.shape = infer_shape(g, n);
}

std::string weight_block_problem(const Node& n) {
  if (!n.has("weight_block")) return "";
  int64_t b = n.get_int("weight_block"), o = n.get_int("out");
  if (n.get_str("weight_layout", "oihw") == "hwio" && b > 0 && (o % b == 0 || (n.get_int("kernel") == 1 && b > o)))
    return "";
  return "weight_block " + std::to_string(b) + " needs weight_layout hwio and a positive divisor of out=" +
         std::to_string(o) + " (or, for a 1x1 conv, one block larger than out)";
}

Dims conv_weight_shape(const Node& n, int64_t in_channels) {
  int64_t o = n.get_int("out"), k = n.get_int("kernel"), ig = in_channels / n.get_int("groups");
  if (n.get_str("weight_layout", "oihw") != "hwio") return {o, ig, k, k};
  if (!n.has("weight_block") || !weight_block_problem(n).empty()) return {k, k, ig, o};
  int64_t b = n.get_int("weight_block");
  return {(o + b - 1) / b, k, k, ig, b};
}

int64_t param_count(const Node& n) {
  int64_t total = 0;
  for (const auto& p : n.params)
    if (p.role != "running_mean" && p.role != "running_var") total += numel(p.shape);
  return total;
}

int64_t mac_count(const Graph& g, const Node& n) {
  if (n.op == "conv2d") {
    const Dims& x = g.node(n.inputs[0]).shape;
    int64_t k = n.get_int("kernel");
    return numel(n.shape) * (x[0] / n.get_int("groups")) * k * k;
  }
  if (n.op == "dense") return n.shape[0] * g.node(n.inputs[0]).shape[0];
  if (n.op == "squeeze_excite") return 2 * g.node(n.inputs[0]).shape[0] * n.get_int("squeeze");
  return 0;
}

int64_t param_count(const Graph& g) {
  int64_t total = 0;
  for (const auto& n : g.nodes) total += param_count(n);
  return total;
}

int64_t mac_count(const Graph& g) {
  int64_t total = 0;
  for (const auto& n : g.nodes) total += mac_count(g, n);
  return total;
}

}  // namespace ir
