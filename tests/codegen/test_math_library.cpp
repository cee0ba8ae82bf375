// swish per ISA (codegen/math) against double precision (1e-5 relative, 1e-30 absolute) over the float range the
// network can produce and beyond: the clamps at |v| ~ 87, overflow of 2^z, signed zeros and
// small values, on 16-, 8-, 24- (split), 4- (padded), 2-lane and scalar code, JIT-compiled through
// JitUnit with the math library linked in.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "codegen/jit_unit.h"
#include "schedules/target_facts.h"
#include "tests/codegen/jit_runner.h"

namespace {

std::vector<float> probe_values() {
  std::vector<float> v = {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-3f, -1e-3f, 86.0f, -86.0f, 87.3f, -87.3f, 88.8f, -88.8f,
                          89.5f, -89.5f, 126.0f, -126.0f, 1e4f, -1e4f, 3e38f, -3e38f};
  for (int i = -4000; i <= 4000; i++) v.push_back(float(i) / 100.0f);  // [-40, 40] in steps of 0.01
  while (v.size() % 48) v.push_back(1.0f);  // whole vectors of 16 and 24 lanes
  return v;
}

double reference(double v) { return v / (1.0 + std::exp(-v)); }

// swish(v) for every probe value, computed with `math` in vectors of `lanes` (1: scalar code).
std::vector<float> run(const std::vector<float>& values, codegen::Math math, const schedules::TargetFacts& facts,
                       int lanes) {
  Halide::ImageParam in(Halide::Float(32), 1, "in");
  Halide::Var i("i");
  Halide::Func f("swish");
  f(i) = codegen::swish(in(i), math);
  if (lanes > 1) f.vectorize(i, lanes);
  codegen::LoweredUnit lu;
  lu.pipeline = Halide::Pipeline(f);
  lu.inputs = {in};
  lu.math = math;
  std::vector<float> input = values, out(values.size());
  Halide::Buffer<float> a(input.data(), int(input.size())), b(out.data(), int(out.size()));
  codegen::JitUnit(lu, Halide::Target(facts.halide_target)).run({a.raw_buffer()}, {}, 1, {b.raw_buffer()});
  return out;
}

}  // namespace

TEST_CASE("swish, portable and AVX-512, within 1e-5 relative of double precision") {
  const std::vector<float> values = probe_values();
  struct Case {
    const char* facts;
    codegen::Math math;
  };
  for (Case c : {Case{"x86-avx2", codegen::Math::Portable}, Case{"x86-avx512", codegen::Math::Portable},
                 Case{"x86-avx512", codegen::Math::Avx512}}) {
    const schedules::TargetFacts& facts = schedules::target_facts(c.facts);
    if (!codegen_test::host_supports(facts)) {
      std::printf("[SKIP] swish on %s: this CPU lacks it\n", c.facts);
      continue;
    }
    for (int lanes : {16, 8, 24, 4, 2, 1}) {
      std::vector<float> got = run(values, c.math, facts, lanes);
      double worst = 0;
      for (size_t k = 0; k < values.size(); k++) {
        // The portable version clamps 2^z at 2^126, so it gives v / 2^126 below v = -1e30.
        if (c.math == codegen::Math::Portable && values[k] < -1e30f) continue;
        double ref = reference(values[k]), err = std::fabs(got[k] - ref);
        INFO(c.facts << (c.math == codegen::Math::Avx512 ? " avx512 math" : " portable math") << ", " << lanes
                     << " lanes: swish(" << values[k] << ") = " << got[k] << ", expected " << ref);
        REQUIRE(err <= 1e-30 + 1e-5 * std::fabs(ref));  // both clamp 2^z where swish is below 1e-30
        if (std::fabs(ref) > 1e-30) worst = std::max(worst, err / std::fabs(ref));
      }
      std::printf("swish %-10s %-8s %2d lanes: max relative error %.2e\n", c.facts,
                  c.math == codegen::Math::Avx512 ? "avx512" : "portable", lanes, worst);
    }
  }
}

TEST_CASE("portable math links nothing and AVX-512 math only for the avx512 ISA") {
  CHECK(codegen::math_for_isa("avx512") == codegen::Math::Avx512);
  for (const char* isa : {"avx2", "baseline", "cuda"}) CHECK(codegen::math_for_isa(isa) == codegen::Math::Portable);
  Halide::Func f("f");
  Halide::Var i("i");
  f(i) = Halide::cast<float>(i);
  Halide::Module m = f.compile_to_module({}, "f", Halide::Target("x86-64-linux"));
  codegen::link_math(m, codegen::Math::Portable);
  CHECK(m.external_code().empty());
  codegen::link_math(m, codegen::Math::Avx512);
  CHECK(m.external_code().size() == 1);
}
