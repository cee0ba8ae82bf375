#include "frontend/build_graph.h"

#include <algorithm>

#include "ir/ops.h"

namespace frontend {
namespace {

std::string key(const std::string& module, const std::string& tensor) { return module + "." + tensor; }

ir::Dims conv_padding(const Spec& spec, int64_t in_size, int kernel, int stride) {
  if (spec.padding == Padding::Symmetric) {
    int64_t p = (kernel - 1) / 2;
    return {p, p, p, p};
  }
  // TensorFlow SAME: output ceil(in/stride), extra padding at the bottom/right.
  int64_t out = (in_size + stride - 1) / stride;
  int64_t total = std::max<int64_t>((out - 1) * stride + kernel - in_size, 0);
  return {total / 2, total / 2, total - total / 2, total - total / 2};
}

class Builder {
 public:
  explicit Builder(const Spec& spec) : spec_(spec) { g_.name = spec.name; }

  int input() {
    ir::Node& n = g_.add("input", {});
    n.set("name", std::string("input"));
    n.set("shape", ir::Dims{3, spec_.resolution, spec_.resolution});
    return finish(n);
  }

  // Conv2d (+ BatchNorm (+ activation)) as torchvision's Conv2dNormActivation at `module`.
  int conv_bn_act(int x, const std::string& module, int out, int kernel, int stride, int groups, const char* act) {
    int64_t in_channels = g_.node(x).shape[0], in_size = g_.node(x).shape[1];  // add() may move the nodes
    ir::Node& c = g_.add("conv2d", {x});
    c.set("name", key(module, "0"));
    c.set("out", int64_t(out));
    c.set("kernel", int64_t(kernel));
    c.set("stride", int64_t(stride));
    c.set("pad", conv_padding(spec_, in_size, kernel, stride));
    c.set("groups", int64_t(groups));
    c.params.push_back({"weight", key(module, "0.weight"), {out, in_channels / groups, kernel, kernel}});
    int y = finish(c);
    ir::Node& bn = g_.add("batch_norm", {y});
    bn.set("name", key(module, "1"));
    bn.set("eps", spec_.bn_eps);
    for (const char* role : {"weight", "bias", "running_mean", "running_var"})
      bn.params.push_back({role, key(module, std::string("1.") + role), {out}});
    y = finish(bn);
    return act ? activation(y, act, module + ".2") : y;
  }

  int activation(int x, const char* kind, const std::string& name) {
    ir::Node& a = g_.add("activation", {x});
    a.set("name", name);
    a.set("kind", std::string(kind));
    return finish(a);
  }

  int squeeze_excite(int x, const std::string& module, int squeeze) {
    int64_t channels = g_.node(x).shape[0];
    ir::Node& pool = g_.add("global_avg_pool", {x});
    pool.set("name", key(module, "avgpool"));
    int s = finish(pool);
    s = pointwise_with_bias(s, key(module, "fc1"), squeeze);
    s = activation(s, "swish", key(module, "activation"));
    s = pointwise_with_bias(s, key(module, "fc2"), channels);
    s = activation(s, "sigmoid", key(module, "scale_activation"));
    ir::Node& m = g_.add("mul", {x, s});
    m.set("name", module);
    return finish(m);
  }

  int mbconv(int x, const BlockInfo& b) {
    std::string module = "features." + std::to_string(b.stage) + "." + std::to_string(b.index);
    std::string block = module + ".block.";
    int layer = 0, y = x;
    if (b.expanded_channels != b.in_channels)
      y = conv_bn_act(y, block + std::to_string(layer++), b.expanded_channels, 1, 1, 1, "swish");
    y = conv_bn_act(y, block + std::to_string(layer++), b.expanded_channels, b.kernel, b.stride, b.expanded_channels,
                    "swish");
    y = squeeze_excite(y, block + std::to_string(layer++), b.squeeze_channels);
    y = conv_bn_act(y, block + std::to_string(layer++), b.out_channels, 1, 1, 1, nullptr);
    if (b.residual) {
      ir::Node& add = g_.add("add", {y, x});
      add.set("name", module + ".add");
      y = finish(add);
    }
    tag(y, module);
    return y;
  }

  int classifier(int x) {
    ir::Node& pool = g_.add("global_avg_pool", {x});
    pool.set("name", std::string("avgpool"));
    int y = finish(pool);
    ir::Node& flat = g_.add("flatten", {y});
    flat.set("name", std::string("flatten"));
    y = finish(flat);
    ir::Node& drop = g_.add("dropout", {y});
    drop.set("name", std::string("classifier.0"));
    drop.set("p", spec_.dropout);
    y = finish(drop);
    ir::Node& fc = g_.add("dense", {y});
    fc.set("name", std::string("classifier.1"));
    fc.set("out", int64_t(spec_.num_classes));
    int64_t in = g_.node(y).shape[0];
    fc.params.push_back({"weight", "classifier.1.weight", {spec_.num_classes, in}});
    fc.params.push_back({"bias", "classifier.1.bias", {spec_.num_classes}});
    fc.set("ref", std::string("logits"));
    return finish(fc);
  }

  void tag(int id, const std::string& ref) { g_.node(id).set("ref", ref); }

  ir::Graph take(int output) {
    g_.outputs = {output};
    return std::move(g_);
  }

 private:
  int pointwise_with_bias(int x, const std::string& module, int64_t out) {
    int64_t in = g_.node(x).shape[0];
    ir::Node& c = g_.add("conv2d", {x});
    c.set("name", module);
    c.set("out", out);
    c.set("kernel", int64_t(1));
    c.set("stride", int64_t(1));
    c.set("pad", ir::Dims{0, 0, 0, 0});
    c.set("groups", int64_t(1));
    c.params.push_back({"weight", key(module, "weight"), {out, in, 1, 1}});
    c.params.push_back({"bias", key(module, "bias"), {out}});
    return finish(c);
  }

  int finish(ir::Node& n) {
    n.shape = ir::infer_shape(g_, n);
    return n.id;
  }

  const Spec& spec_;
  ir::Graph g_;
};

}  // namespace

std::vector<BlockInfo> scaled_blocks(const Spec& spec) {
  std::vector<BlockInfo> blocks;
  for (size_t s = 0; s < spec.stages.size(); s++) {
    const StageRow& row = spec.stages[s];
    int in = round_filters(row.in_channels, spec.width, spec.divisor);
    int out = round_filters(row.out_channels, spec.width, spec.divisor);
    int repeats = round_repeats(row.repeats, spec.depth);
    for (int i = 0; i < repeats; i++) {
      BlockInfo b;
      b.stage = int(s) + 1;
      b.index = i;
      b.expand_ratio = row.expand_ratio;
      b.kernel = row.kernel;
      b.stride = i == 0 ? row.stride : 1;
      b.in_channels = i == 0 ? in : out;
      b.expanded_channels = round_filters(b.in_channels * row.expand_ratio, 1.0, spec.divisor);
      b.out_channels = out;
      b.squeeze_channels = std::max(1, b.in_channels / 4);
      b.residual = b.stride == 1 && b.in_channels == b.out_channels;
      blocks.push_back(b);
    }
  }
  return blocks;
}

int head_channels(const Spec& spec) {
  return 4 * round_filters(spec.stages.back().out_channels, spec.width, spec.divisor);
}

ir::Graph build_graph(const Spec& spec) {
  Builder b(spec);
  int x = b.input();
  x = b.conv_bn_act(x, "features.0", round_filters(spec.stem_channels, spec.width, spec.divisor), 3, 2, 1, "swish");
  b.tag(x, "features.0");
  for (const BlockInfo& blk : scaled_blocks(spec)) x = b.mbconv(x, blk);
  std::string head = "features." + std::to_string(spec.stages.size() + 1);
  x = b.conv_bn_act(x, head, head_channels(spec), 1, 1, 1, "swish");
  b.tag(x, head);
  x = b.classifier(x);
  return b.take(x);
}

}  // namespace frontend
