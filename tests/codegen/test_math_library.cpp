// swish per ISA (codegen/math) against double precision (1e-5 relative, 1e-30 absolute) over the float range the
// network can produce and beyond: the clamps at |v| ~ 87, overflow of 2^z, signed zeros and
// small values, on 16-, 8-, 24- (split), 4- (padded), 2-lane and scalar code, JIT-compiled through
// JitUnit with the math library linked in; and swish_of_scaled, swish of a conv's prescaled
// output (act_scale), on both.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

#include "codegen/jit_unit.h"
#include "ir/passes/prescale_swish.h"
#include "schedules/target_facts.h"
#include "tests/codegen/jit_runner.h"

namespace {

std::vector<float> probe_values() {
  std::vector<float> v = {0.0f,  -0.0f,  1e-30f, -1e-30f, 1e-3f,  -1e-3f,  86.0f, -86.0f, 87.3f, -87.3f,
                          88.8f, -88.8f, 89.5f,  -89.5f,  126.0f, -126.0f, 1e4f,  -1e4f,  3e38f, -3e38f};
  for (int i = -4000; i <= 4000; i++) v.push_back(float(i) / 100.0f);  // [-40, 40] in steps of 0.01
  for (int i = -900; i < -400; i++) v.push_back(float(i) / 10.0f);      // [-90, -40) in steps of 0.1
  while (v.size() % 48) v.push_back(1.0f);                             // whole vectors of 16 and 24 lanes
  return v;
}

double reference(double v) { return v / (1.0 + std::exp(-v)); }

// swish(v) for every probe value, computed with `math` in vectors of `lanes` (1: scalar code); with
// `scale`, the values are swish_of_scaled's inputs.
std::vector<float> run(const std::vector<float>& values, codegen::Math math, const schedules::TargetFacts& facts,
                       int lanes, std::optional<double> scale = std::nullopt) {
  Halide::ImageParam in(Halide::Float(32), 1, "in");
  Halide::Var i("i");
  Halide::Func f("swish");
  f(i) = scale ? codegen::swish_of_scaled(in(i), *scale, math) : codegen::swish(in(i), math);
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

TEST_CASE("swish of a scaled value (a conv's act_scale), within 1e-5 relative of double precision") {
  const std::vector<float> values = probe_values();
  // kSwishPrescale: the portable swish without its multiply; 0.5: any other scale, divided out.
  for (double scale : {ir::kSwishPrescale, 0.5}) {
    std::vector<float> scaled;
    std::vector<double> exact;  // the v each scaled value stands for
    for (float v : values) {
      if (std::fabs(v) > 1e30f) continue;  // v * kSwishPrescale would overflow, as no conv output does
      scaled.push_back(float(v * scale));
      exact.push_back(double(scaled.back()) / scale);
    }
    struct Case {
      const char* facts;
      codegen::Math math;
    };
    for (Case c : {Case{"x86-avx2", codegen::Math::Portable}, Case{"x86-baseline", codegen::Math::Portable},
                   Case{"x86-avx512", codegen::Math::Avx512}}) {
      if (!codegen_test::host_supports(schedules::target_facts(c.facts))) {
        std::printf("[SKIP] scaled swish on %s: this CPU lacks it\n", c.facts);
        continue;
      }
      for (int lanes : {16, 8, 24, 4, 1}) {
        std::vector<float> got = run(scaled, c.math, schedules::target_facts(c.facts), lanes, scale);
        for (size_t k = 0; k < scaled.size(); k++) {
          double ref = reference(exact[k]), err = std::fabs(got[k] - ref);
          INFO(c.facts << (c.math == codegen::Math::Avx512 ? " avx512 math" : " portable math") << ", scale " << scale
                       << ", " << lanes << " lanes: swish(" << exact[k] << ") = " << got[k] << ", expected " << ref);
          // Below v = -72.4 the prescaled forms' k 2^z overflows to -inf and they give -0, where
          // swish is above -2.6e-30.
          REQUIRE(err <= 3e-30 + 1e-5 * std::fabs(ref));
        }
      }
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
