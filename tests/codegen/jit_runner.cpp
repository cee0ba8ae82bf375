#include "tests/codegen/jit_runner.h"

#include <Halide.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "codegen/jit_unit.h"
#include "codegen/lower_to_halide.h"
#include "ir/passes/pack_weights.h"

namespace codegen_test {
namespace {

// Halide buffer dims of a per-sample value shape in `layout`, batch `b`.
std::vector<halide_dimension_t> dims_of(const ir::Dims& s, const std::string& layout, int b) {
  if (s.size() == 1) return {{0, int(s[0]), 1, 0}, {0, b, int(s[0]), 0}};
  int c = int(s[0]), h = int(s[1]), w = int(s[2]);
  bool nchw = layout == "nchw";
  return {{0, c, nchw ? h * w : 1, 0}, {0, w, nchw ? 1 : c, 0}, {0, h, nchw ? w : c * w, 0}, {0, b, c * h * w, 0}};
}

// NHWC (or [B,F]) storage -> NCHW tensor.
ir::Tensor to_nchw(const std::vector<float>& data, const ir::Dims& s, const std::string& layout, int b) {
  ir::Tensor t;
  t.shape = {b};
  t.shape.insert(t.shape.end(), s.begin(), s.end());
  t.data.resize(data.size());
  if (s.size() == 1 || layout == "nchw") {
    t.data = data;
    return t;
  }
  int64_t c = s[0], h = s[1], w = s[2];
  for (int64_t n = 0; n < b; n++)
    for (int64_t ch = 0; ch < c; ch++)
      for (int64_t y = 0; y < h; y++)
        for (int64_t x = 0; x < w; x++)
          t.data[size_t(((n * c + ch) * h + y) * w + x)] = data[size_t(((n * h + y) * w + x) * c + ch)];
  return t;
}

}  // namespace

bool host_supports(const schedules::TargetFacts& facts) {
  Halide::Target host = Halide::get_host_target(), t(facts.halide_target);
  for (auto f : {Halide::Target::AVX, Halide::Target::AVX2, Halide::Target::FMA, Halide::Target::F16C,
                 Halide::Target::AVX512, Halide::Target::AVX512_Skylake})
    if (t.has_feature(f) && !host.has_feature(f)) return false;
  return true;
}

ir::Tensor run_jit(const ir::Graph& graph, const ir::WeightMap& w, const ir::Tensor& input,
                   const schedules::TargetFacts& facts, int bands, bool lane_tail) {
  ir::Graph g = graph;
  std::vector<float> packed = ir::pack_weights(g, w);
  std::unique_ptr<float, decltype(&std::free)> blob(
      static_cast<float*>(std::aligned_alloc(64, (packed.size() * 4 + 63) / 64 * 64 + 64)), &std::free);
  std::memcpy(blob.get(), packed.data(), packed.size() * 4);
  int batch = int(input.shape[0]);

  std::map<int, std::vector<float>> storage;  // value id -> data in its layout
  for (const auto& n : g.nodes)
    if (n.op == "input") storage[n.id] = input.data;
  for (const auto& u : codegen::split_units(g)) {
    codegen::LoweredUnit lu =
        codegen::lower_unit(g, u, codegen::unit_schedule(g, u, facts, true), facts, false, lane_tail);
    std::vector<Halide::Buffer<float>> keep;
    std::vector<halide_buffer_t*> inputs, weights, outputs;
    for (size_t i = 0; i < u.inputs.size(); i++) {
      const ir::Node& n = g.node(u.inputs[i]);
      auto d = dims_of(n.shape, codegen::value_layout(n), batch);
      inputs.push_back(keep.emplace_back(storage.at(n.id).data(), int(d.size()), d.data()).raw_buffer());
    }
    for (size_t i = 0; i < u.weights.size(); i++) {
      halide_dimension_t d{0, int(ir::numel(u.weights[i].shape)), 1, 0};
      weights.push_back(keep.emplace_back(blob.get() + u.weights[i].offset, 1, &d).raw_buffer());
    }
    for (int id : u.outputs) {
      const ir::Node& n = g.node(id);
      storage[id].assign(size_t(batch * ir::numel(n.shape)), NAN);
      auto d = dims_of(n.shape, codegen::value_layout(n), batch);
      outputs.push_back(keep.emplace_back(storage[id].data(), int(d.size()), d.data()).raw_buffer());
    }
    codegen::JitUnit(lu, Halide::Target(facts.halide_target)).run(inputs, weights, bands, outputs);
  }
  const ir::Node& out = g.node(g.outputs.at(0));
  return to_nchw(storage.at(out.id), out.shape, codegen::value_layout(out), batch);
}

Error compare(const ir::Tensor& got, const ir::Tensor& ref, double atol, double rtol) {
  Error e;
  if (got.shape != ref.shape || got.data.size() != ref.data.size()) {
    e.within_tolerance = false;
    e.max_abs = INFINITY;
    return e;
  }
  for (size_t i = 0; i < got.data.size(); i++) {
    double d = std::fabs(double(got.data[i]) - ref.data[i]);
    if (!(d <= atol + rtol * std::fabs(ref.data[i]))) e.within_tolerance = false;
    if (!(d <= e.max_abs)) e.max_abs = d;  // NaN propagates
    e.max_ref = std::max(e.max_ref, std::fabs(double(ref.data[i])));
  }
  return e;
}

}  // namespace codegen_test
