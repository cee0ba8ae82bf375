#include "oracle/executor.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "ir/diagnostics.h"
#include "ir/ops.h"

namespace oracle {
namespace {

using ir::Dims;
using ir::Node;
using ir::Tensor;

std::string where(const Node& n) {
  std::string name = n.get_str("name", "");
  return "node %" + std::to_string(n.id) + " (" + n.op + (name.empty() ? "" : " " + name) + ")";
}

// Calls fn(i) for every i in [0, n), spread over up to `threads` threads.
void parallel_for(int64_t n, int threads, const std::function<void(int64_t)>& fn) {
  int count = int(std::max<int64_t>(1, std::min<int64_t>(threads, n)));
  if (count == 1) {
    for (int64_t i = 0; i < n; i++) fn(i);
    return;
  }
  std::atomic<int64_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    try {
      for (int64_t i = next++; i < n; i = next++) fn(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      next = n;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < count; t++) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

enum class Act { None, Swish, Sigmoid, Relu };

Act act_of(const Node& n, const std::string& kind) {
  if (kind == "none") return Act::None;
  if (kind == "swish") return Act::Swish;
  if (kind == "sigmoid") return Act::Sigmoid;
  if (kind == "relu") return Act::Relu;
  throw ir::UserError(where(n) + ": unknown activation '" + kind + "'");
}

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

double apply(Act a, double v) {
  switch (a) {
    case Act::Swish:
      return v * sigmoid(v);
    case Act::Sigmoid:
      return sigmoid(v);
    case Act::Relu:
      return v > 0 ? v : 0.0;
    case Act::None:
      break;
  }
  return v;
}

// The weight tensor bound to `role`, checked against the shape its layout implies; nullptr
// for an optional role the node does not have.
const float* param(const Node& n, const ir::WeightMap& w, const std::string& role, const Dims& expected,
                   bool required = true) {
  const ir::Param* p = n.param(role);
  if (!p) {
    if (!required) return nullptr;
    throw ir::UserError(where(n) + ": has no '" + role + "' parameter");
  }
  auto it = w.find(p->name);
  if (it == w.end()) throw ir::UserError(where(n) + ": weight tensor '" + p->name + "' is missing");
  const Tensor& t = it->second;
  if (t.shape != expected)
    throw ir::UserError(where(n) + ": weight tensor '" + p->name + "' has shape " + ir::dims_str(t.shape) +
                        ", expected " + ir::dims_str(expected));
  if (int64_t(t.data.size()) != ir::numel(t.shape))
    throw ir::UserError("weight tensor '" + p->name + "' holds " + std::to_string(t.data.size()) +
                        " values for shape " + ir::dims_str(t.shape));
  return t.data.data();
}

Dims batched(int64_t batch, const Dims& shape) {
  Dims d = {batch};
  d.insert(d.end(), shape.begin(), shape.end());
  return d;
}

// The output positions [lo, hi) whose input position o*stride - pad + tap lies inside [0, in).
std::pair<int64_t, int64_t> valid_range(int64_t out, int64_t in, int64_t stride, int64_t pad, int64_t tap) {
  int64_t lo = 0, hi = out;
  while (lo < hi && lo * stride - pad + tap < 0) lo++;
  while (hi > lo && (hi - 1) * stride - pad + tap >= in) hi--;
  return {lo, hi};
}

Tensor make(int64_t batch, const Dims& shape) {
  Tensor t;
  t.shape = batched(batch, shape);
  t.data.assign(size_t(ir::numel(t.shape)), 0.0f);
  return t;
}

struct Ctx {
  const ir::Graph& g;
  const ir::WeightMap& w;
  int64_t batch;
  int threads;
};

Tensor conv2d(const Ctx& c, const Node& n, const Dims& out_shape, const std::vector<const Tensor*>& in) {
  const Dims& xs = c.g.node(n.inputs[0]).shape;
  int64_t ci = xs[0], h = xs[1], w = xs[2];
  int64_t co = out_shape[0], oh = out_shape[1], ow = out_shape[2];
  int64_t k = n.get_int("kernel"), stride = n.get_int("stride"), groups = n.get_int("groups");
  Dims pad = n.get_dims("pad");
  int64_t ig = ci / groups, og = co / groups;
  bool hwio = n.get_str("weight_layout", "oihw") == "hwio";
  if (!hwio && n.get_str("weight_layout", "oihw") != "oihw")
    throw ir::UserError(where(n) + ": unknown weight_layout '" + n.get_str("weight_layout") + "'");
  if (std::string problem = ir::weight_block_problem(n); !problem.empty())
    throw ir::UserError(where(n) + ": " + problem);
  const int64_t block = n.get_int("weight_block", co);  // hwio output channels in blocks of `block`
  const float* wt = param(n, c.w, "weight", ir::conv_weight_shape(n, ci));
  const float* bias = param(n, c.w, "bias", {co}, false);
  Act act = act_of(n, n.get_str("act", "none"));
  const double act_scale = n.get_real("act_scale", 1.0);  // acc holds conv * act_scale
  size_t next = 1;
  const Tensor* residual = n.get_int("residual", 0) ? in[next++] : nullptr;
  const Tensor* scale = n.get_int("in_scale", 0) ? in[next++] : nullptr;
  const float* x = in[0]->data.data();
  Tensor y = make(c.batch, out_shape);
  auto weight = [&](int64_t o, int64_t i, int64_t ky, int64_t kx) {
    return hwio ? wt[(((o / block) * k * k + ky * k + kx) * ig + i) * block + o % block]
                : wt[((o * ig + i) * k + ky) * k + kx];
  };
  parallel_for(c.batch * co, c.threads, [&](int64_t item) {
    int64_t b = item / co, o = item % co, grp = o / og;
    std::vector<double> acc(size_t(oh * ow), bias ? double(bias[o]) : 0.0);
    for (int64_t i = 0; i < ig; i++) {
      int64_t ic = grp * ig + i;
      double s = scale ? double(scale->data[size_t(b * ci + ic)]) : 1.0;
      const float* plane = x + (b * ci + ic) * h * w;
      for (int64_t ky = 0; ky < k; ky++)
        for (int64_t kx = 0; kx < k; kx++) {
          double wv = double(weight(o, i, ky, kx)) * s;
          auto [y0, y1] = valid_range(oh, h, stride, pad[0], ky);
          auto [x0, x1] = valid_range(ow, w, stride, pad[1], kx);
          for (int64_t oy = y0; oy < y1; oy++) {
            const float* row = plane + (oy * stride - pad[0] + ky) * w;
            double* out = acc.data() + oy * ow;
            int64_t off = kx - pad[1];
            if (stride == 1)  // the common case, written so the compiler vectorizes it
              for (int64_t ox = x0; ox < x1; ox++) out[ox] += wv * double(row[ox + off]);
            else
              for (int64_t ox = x0; ox < x1; ox++) out[ox] += wv * double(row[ox * stride + off]);
          }
        }
    }
    float* out = y.data.data() + (b * co + o) * oh * ow;
    const float* res = residual ? residual->data.data() + (b * co + o) * oh * ow : nullptr;
    for (int64_t p = 0; p < oh * ow; p++)
      out[p] = float(apply(act, acc[size_t(p)] / act_scale) + (res ? double(res[p]) : 0.0));
  });
  return y;
}

Tensor batch_norm(const Ctx& c, const Node& n, const Dims& shape, const Tensor& x) {
  int64_t ch = shape[0], plane = ir::numel(shape) / ch;
  const float* gamma = param(n, c.w, "weight", {ch});
  const float* beta = param(n, c.w, "bias", {ch});
  const float* mean = param(n, c.w, "running_mean", {ch});
  const float* var = param(n, c.w, "running_var", {ch});
  double eps = n.get_real("eps");
  Tensor y = make(c.batch, shape);
  for (int64_t b = 0; b < c.batch; b++)
    for (int64_t k = 0; k < ch; k++) {
      double inv = 1.0 / std::sqrt(double(var[k]) + eps);
      size_t base = size_t((b * ch + k) * plane);
      for (int64_t p = 0; p < plane; p++)
        y.data[base + p] = float((double(x.data[base + p]) - mean[k]) * inv * gamma[k] + beta[k]);
    }
  return y;
}

std::vector<double> channel_means(const Tensor& x, int64_t b, int64_t ch, int64_t plane) {
  std::vector<double> m(size_t(ch), 0.0);
  for (int64_t k = 0; k < ch; k++) {
    const float* p = x.data.data() + (b * ch + k) * plane;
    for (int64_t i = 0; i < plane; i++) m[size_t(k)] += p[i];
    m[size_t(k)] /= double(plane);
  }
  return m;
}

Tensor dense(const Ctx& c, const Node& n, const Dims& shape, const Tensor& x) {
  int64_t in = c.g.node(n.inputs[0]).shape[0], out = shape[0];
  std::string layout = n.get_str("weight_layout", "oi");
  if (layout != "oi" && layout != "io") throw ir::UserError(where(n) + ": unknown weight_layout '" + layout + "'");
  bool io = layout == "io";
  const float* wt = param(n, c.w, "weight", io ? Dims{in, out} : Dims{out, in});
  const float* bias = param(n, c.w, "bias", {out}, false);
  Act act = act_of(n, n.get_str("act", "none"));
  Tensor y = make(c.batch, shape);
  parallel_for(c.batch * out, c.threads, [&](int64_t item) {
    int64_t b = item / out, o = item % out;
    double acc = bias ? bias[o] : 0.0;
    for (int64_t i = 0; i < in; i++) acc += double(io ? wt[i * out + o] : wt[o * in + i]) * x.data[size_t(b * in + i)];
    y.data[size_t(item)] = float(apply(act, acc));
  });
  return y;
}

Tensor squeeze_excite(const Ctx& c, const Node& n, const Dims& shape, const Tensor& x) {
  const Dims& xs = c.g.node(n.inputs[0]).shape;
  int64_t ch = xs[0], plane = xs[1] * xs[2], sq = n.get_int("squeeze");
  std::string layout = n.get_str("weight_layout", "oi"), mode = n.get_str("mode", "multiply");
  if (layout != "oi" && layout != "io") throw ir::UserError(where(n) + ": unknown weight_layout '" + layout + "'");
  if (mode != "multiply" && mode != "scale") throw ir::UserError(where(n) + ": unknown mode '" + mode + "'");
  bool io = layout == "io";
  const float* w1 = param(n, c.w, "fc1.weight", io ? Dims{ch, sq} : Dims{sq, ch, 1, 1});
  const float* b1 = param(n, c.w, "fc1.bias", {sq});
  const float* w2 = param(n, c.w, "fc2.weight", io ? Dims{sq, ch} : Dims{ch, sq, 1, 1});
  const float* b2 = param(n, c.w, "fc2.bias", {ch});
  Tensor y = make(c.batch, shape);
  parallel_for(c.batch, c.threads, [&](int64_t b) {
    std::vector<double> pooled = channel_means(x, b, ch, plane);
    std::vector<double> hidden(size_t(sq), 0.0);
    for (int64_t s = 0; s < sq; s++) {
      double acc = b1[s];
      for (int64_t k = 0; k < ch; k++) acc += double(io ? w1[k * sq + s] : w1[s * ch + k]) * pooled[size_t(k)];
      hidden[size_t(s)] = apply(Act::Swish, acc);
    }
    for (int64_t k = 0; k < ch; k++) {
      double acc = b2[k];
      for (int64_t s = 0; s < sq; s++) acc += double(io ? w2[s * ch + k] : w2[k * sq + s]) * hidden[size_t(s)];
      double scale = sigmoid(acc);
      if (mode == "scale") {
        y.data[size_t(b * ch + k)] = float(scale);
        continue;
      }
      size_t base = size_t((b * ch + k) * plane);
      for (int64_t p = 0; p < plane; p++) y.data[base + p] = float(x.data[base + p] * scale);
    }
  });
  return y;
}

Tensor run_node(const Ctx& c, const Node& n, const Dims& shape, const std::vector<const Tensor*>& in) {
  const std::string& op = n.op;
  if (op == "conv2d") return conv2d(c, n, shape, in);
  if (op == "batch_norm") return batch_norm(c, n, shape, *in[0]);
  if (op == "dense") return dense(c, n, shape, *in[0]);
  if (op == "squeeze_excite") return squeeze_excite(c, n, shape, *in[0]);
  Tensor y = make(c.batch, shape);
  if (op == "dropout" || op == "flatten") {
    y.data = in[0]->data;
  } else if (op == "activation") {
    Act act = act_of(n, n.get_str("kind"));
    for (size_t i = 0; i < y.data.size(); i++) y.data[i] = float(apply(act, in[0]->data[i]));
  } else if (op == "add") {
    for (size_t i = 0; i < y.data.size(); i++) y.data[i] = float(double(in[0]->data[i]) + in[1]->data[i]);
  } else if (op == "mul") {
    int64_t ch = shape[0], plane = ir::numel(shape) / ch;
    for (size_t i = 0; i < y.data.size(); i++)
      y.data[i] = float(double(in[0]->data[i]) * in[1]->data[i / size_t(plane)]);
  } else if (op == "global_avg_pool") {
    const Dims& xs = c.g.node(n.inputs[0]).shape;
    for (int64_t b = 0; b < c.batch; b++) {
      std::vector<double> m = channel_means(*in[0], b, xs[0], xs[1] * xs[2]);
      for (int64_t k = 0; k < xs[0]; k++) y.data[size_t(b * xs[0] + k)] = float(m[size_t(k)]);
    }
  } else {
    throw ir::UserError(where(n) + ": the oracle does not know op '" + op + "'");
  }
  return y;
}

}  // namespace

std::vector<Tensor> run_graph(const ir::Graph& g, const ir::WeightMap& weights, const Tensor& input, int threads,
                              std::map<std::string, Tensor>* ref_outputs) {
  if (input.shape.empty() || input.shape[0] < 1 || int64_t(input.data.size()) != ir::numel(input.shape))
    throw ir::UserError("input tensor " + ir::dims_str(input.shape) + " with " + std::to_string(input.data.size()) +
                        " values is not a batch of samples");
  Ctx c{g, weights, input.shape[0], std::max(1, threads)};

  // Where each value is last read, so intermediates are freed as soon as possible.
  std::map<int, size_t> last_use;
  for (size_t i = 0; i < g.nodes.size(); i++)
    for (int id : g.nodes[i].inputs) last_use[id] = i;

  std::map<int, Tensor> values;
  bool fed = false;
  for (size_t i = 0; i < g.nodes.size(); i++) {
    const Node& n = g.nodes[i];
    Dims shape = ir::infer_shape(g, n);
    if (shape != n.shape)
      throw ir::InternalError(where(n) + ": recorded shape " + ir::dims_str(n.shape) + " differs from inferred " +
                              ir::dims_str(shape));
    Tensor y;
    if (n.op == "input") {
      if (fed) throw ir::UserError(where(n) + ": the oracle feeds one input, the graph has several");
      if (input.shape != batched(c.batch, shape))
        throw ir::UserError("input tensor has shape " + ir::dims_str(input.shape) + ", expected " +
                            ir::dims_str(batched(c.batch, shape)) + " (batch first)");
      y = input;
      fed = true;
    } else {
      std::vector<const Tensor*> in;
      for (int id : n.inputs) {
        auto it = values.find(id);
        if (it == values.end()) throw ir::InternalError(where(n) + ": input %" + std::to_string(id) + " not computed");
        in.push_back(&it->second);
      }
      y = run_node(c, n, shape, in);
    }
    if (ref_outputs && n.has("ref")) (*ref_outputs)[n.get_str("ref")] = y;
    values[n.id] = std::move(y);
    for (int id : n.inputs)
      if (last_use[id] == i && !g.is_output(id)) values.erase(id);
  }
  std::vector<Tensor> outputs;
  for (int id : g.outputs) {
    auto it = values.find(id);
    if (it == values.end()) throw ir::InternalError("graph output %" + std::to_string(id) + " was not computed");
    outputs.push_back(it->second);
  }
  return outputs;
}

}  // namespace oracle
