/* What swish costs next to the FMAs it follows, on one core with AVX2 (8-lane vectors): the
 * AVX2 kernels' swish (codegen/math/math_library.cpp, portable_swish: a clamped z = -v log2(e)
 * converted to integer bits that hold 2^floor(z) and the fraction, a degree-4 polynomial, then
 * v / (1 + 2^z)) over an L1-resident array, one load and one store per vector, against a copy,
 * the prescaled form the AVX2 kernels run (ir/passes/prescale_swish.h: the input is already
 * y = v k, k = -log2(e) 2^23, and k sits in the polynomial, one multiply fewer), the swish without
 * its division, and a 3x3 depthwise conv's work per output vector (9 loads and 9 FMAs, weights in
 * registers). Each is given in ns per vector and in FMA slots: ns per vector / ns per FMA at
 * this core's peak, timed in the same run (12 independent accumulators), so no clock rate is
 * needed.
 * It first checks both swish forms against v / (1 + e^-v) in double precision (exit 1 beyond 1e-5
 * relative; the kernels' are within 4.4e-6 over the float range), so a slip in this copy of the
 * formula shows.
 * `swish_cost avx512` times the AVX-512 kernels' swish instead (codegen/math/swish_avx512.ll:
 * vreduceps, a degree-4 polynomial, vscalefps, then the division), per 16-lane vector in slots of
 * 16-lane FMAs, next to a copy; exit 77 on a CPU without AVX-512. The kernels run its prescaled
 * form, the same instructions on other constants (z = y 2^-23, k in the polynomial and the add).
 * usage: swish_cost [avx2|avx512]   (one line per loop; the best of 15 timings each) */
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define N 4096 /* floats per pass: 16 KB in, 16 KB out */
#define PASSES 2000

static float in[N] __attribute__((aligned(64))), out[N] __attribute__((aligned(64)));

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

enum { COPY, SWISH, SWISH_PRESCALED, SWISH_NO_DIV, DEPTHWISE_3X3 };

#define PRESCALE (-1.4426950408889634f * 8388608.0f) /* k: y = z * 2^23 converts to z's integer and fraction bits */

/* SWISH: swish(v). SWISH_PRESCALED: swish(v / k) of v = y, as the AVX2 kernels compute it.
 * SWISH_NO_DIV: SWISH with a multiply in place of its division. */
__attribute__((target("avx2,fma"), always_inline)) static inline __m256 swish(__m256 v, int form) {
  const float k = form == SWISH_PRESCALED ? PRESCALE : 1.0f; /* num / k = v, k in p's coefficients */
  __m256 y = form == SWISH_PRESCALED ? v : _mm256_mul_ps(v, _mm256_set1_ps(PRESCALE));
  y = _mm256_max_ps(_mm256_min_ps(y, _mm256_set1_ps(126.0f * 8388608.0f)), _mm256_set1_ps(-126.0f * 8388608.0f));
  const __m256i one_bits = _mm256_set1_epi32(127 << 23); /* 1.0f: the exponent bias, and m's exponent field */
  __m256i bits = _mm256_add_epi32(_mm256_cvttps_epi32(y), one_bits);
  __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x7fffff)), one_bits));
  __m256 exponent = _mm256_castsi256_ps(_mm256_and_si256(bits, _mm256_set1_epi32((int)0xff800000u)));
  __m256 p = _mm256_fmadd_ps(_mm256_set1_ps(0.013534489202123801f * k), m, _mm256_set1_ps(-0.0021271112936810388f * k));
  p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(0.16661751712867437f * k));
  p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(0.31201211127688261f * k));
  p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(0.5099655888396637f * k));
  __m256 d = _mm256_fmadd_ps(exponent, p, _mm256_set1_ps(k));
  return form == SWISH_NO_DIV ? _mm256_mul_ps(v, d) : _mm256_div_ps(v, d);
}

/* The largest error of swish() in `form` over [-100, 100] relative to max(|swish|, 1e-3). */
__attribute__((target("avx2,fma"), noinline)) static double swish_error(int form) {
  double worst = 0;
  for (int i = -800000; i < 800000; i += 8) {
    float v[8] __attribute__((aligned(32))), y[8] __attribute__((aligned(32)));
    for (int l = 0; l < 8; l++) v[l] = 1.25e-4f * (float)(i + l) * (form == SWISH_PRESCALED ? PRESCALE : 1.0f);
    _mm256_store_ps(y, swish(_mm256_load_ps(v), form));
    for (int l = 0; l < 8; l++) {
      double x = form == SWISH_PRESCALED ? v[l] / (double)PRESCALE : v[l];
      double exact = x / (1.0 + exp(-x));
      double err = fabs(y[l] - exact) / fmax(fabs(exact), 1e-3);
      if (err > worst) worst = err;
    }
  }
  return worst;
}

/* One timing of PASSES passes of loop `kind` over the array; seconds. */
__attribute__((target("avx2,fma"), noinline)) static double time_loop(int kind) {
  const __m256 w[9] = {_mm256_set1_ps(0.1f), _mm256_set1_ps(0.2f), _mm256_set1_ps(0.3f),
                       _mm256_set1_ps(0.4f), _mm256_set1_ps(0.5f), _mm256_set1_ps(0.6f),
                       _mm256_set1_ps(0.7f), _mm256_set1_ps(0.8f), _mm256_set1_ps(0.9f)};
  double t0 = now();
  for (int pass = 0; pass < PASSES; pass++) {
    for (int i = 0; i < N; i += 8) {
      __m256 v = _mm256_load_ps(in + i), r;
      if (kind == COPY) {
        r = v;
      } else if (kind != DEPTHWISE_3X3) {
        r = swish(v, kind);
      } else { /* 9 taps: loads 8 floats apart, as a depthwise conv's neighbouring pixels */
        r = _mm256_mul_ps(w[0], v);
#pragma GCC unroll 9
        for (int k = 1; k < 9; k++) r = _mm256_fmadd_ps(w[k], _mm256_loadu_ps(in + ((i + 8 * k) & (N - 1))), r);
      }
      _mm256_store_ps(out + i, r);
    }
    __asm__ volatile("" ::: "memory"); /* each pass reads and writes the arrays again */
  }
  return now() - t0;
}

/* ns per FMA of one vector width at peak: 12 independent chains (enough to cover the FMA
 * latency), `msteps` million steps. One definition per width, each compiled for its own ISA (`isa`). */
#define DEFINE_NS_PER_FMA(name, isa, vec, set1, fmadd, add, store)                    \
  __attribute__((target(isa), noinline)) static double name(int msteps) {             \
    vec a[12];                                                                        \
    for (int i = 0; i < 12; i++) a[i] = set1(1.0f + i);                               \
    const vec m = set1(0.999999f), c = set1(1e-7f);                                   \
    const long steps = msteps * 1000000L;                                             \
    double t0 = now();                                                                \
    for (long s = 0; s < steps; s++) {                                                \
      _Pragma("GCC unroll 12") for (int i = 0; i < 12; i++) a[i] = fmadd(a[i], m, c); \
    }                                                                                 \
    double t = now() - t0;                                                            \
    vec sum = a[0];                                                                   \
    for (int i = 1; i < 12; i++) sum = add(sum, a[i]);                                \
    store(out, sum); /* keeps the chains alive */                                     \
    return 1e9 * t / (12.0 * steps);                                                  \
  }
DEFINE_NS_PER_FMA(ns_per_fma, "avx2,fma", __m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps, _mm256_store_ps)
DEFINE_NS_PER_FMA(ns_per_fma512, "avx512f", __m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps, _mm512_store_ps)

/* The AVX-512 kernels' swish, swish_avx512.ll's constants to float precision: z = max(-v log2(e),
 * -126), f = z - floor(z) (vreduceps, round down), 2^z = p(f) 2^floor(z) (vscalefps), v / (1 + 2^z). */
__attribute__((target("avx512f,avx512dq"), always_inline)) static inline __m512 swish512(__m512 v) {
  __m512 z = _mm512_max_ps(_mm512_mul_ps(v, _mm512_set1_ps(-1.44269502f)), _mm512_set1_ps(-126.0f));
  __m512 f = _mm512_reduce_ps(z, 9);
  __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(0.0135334162f), f, _mm512_set1_ps(0.0520129092f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(0.241441891f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(0.693004012f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.00000262f));
  return _mm512_div_ps(v, _mm512_add_ps(_mm512_scalef_ps(p, z), _mm512_set1_ps(1.0f)));
}

/* swish512's largest error over [-100, 100] relative to max(|swish|, 1e-3). */
__attribute__((target("avx512f,avx512dq"), noinline)) static double swish512_error(void) {
  double worst = 0;
  for (int i = -800000; i < 800000; i += 16) {
    float v[16] __attribute__((aligned(64))), y[16] __attribute__((aligned(64)));
    for (int l = 0; l < 16; l++) v[l] = 1.25e-4f * (float)(i + l);
    _mm512_store_ps(y, swish512(_mm512_load_ps(v)));
    for (int l = 0; l < 16; l++) {
      double exact = v[l] / (1.0 + exp(-(double)v[l]));
      double err = fabs(y[l] - exact) / fmax(fabs(exact), 1e-3);
      if (err > worst) worst = err;
    }
  }
  return worst;
}

/* One timing of PASSES passes over the array, a copy or (`swish`) swish512; seconds. */
__attribute__((target("avx512f,avx512dq"), noinline)) static double time_loop512(int swish) {
  double t0 = now();
  for (int pass = 0; pass < PASSES; pass++) {
    for (int i = 0; i < N; i += 16) {
      __m512 v = _mm512_load_ps(in + i);
      _mm512_store_ps(out + i, swish ? swish512(v) : v);
    }
    __asm__ volatile("" ::: "memory");
  }
  return now() - t0;
}

/* The shortest of `tries` calls timing(arg). */
static double best_of(double (*timing)(int), int arg, int tries) {
  double best = 1e9;
  for (int r = 0; r < tries; r++) {
    double t = timing(arg);
    if (t < best) best = t;
  }
  return best;
}

static int main_avx512(void) {
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq")) {
    fprintf(stderr, "swish_cost: this CPU has no AVX-512 (F and DQ)\n");
    return 77;
  }
  double err = swish512_error();
  printf("swish (AVX-512 libraries): largest relative error %.2g over [-100, 100]\n", err);
  if (err > 1e-5) {
    fprintf(stderr, "swish_cost: its AVX-512 swish is not the kernels' (error %.2g > 1e-5)\n", err);
    return 1;
  }
  for (int i = 0; i < N; i++) in[i] = 0.05f * (float)(i % 200 - 100);
  double fma = best_of(ns_per_fma512, 20, 5);
  printf("FMA at peak: %.3f ns per 16-lane FMA\n", fma);
  const char* names[] = {"copy (load, store)", "swish (AVX-512 libraries)"};
  for (int k = 0; k < 2; k++) {
    double ns = 1e9 * best_of(time_loop512, k, 15) / ((double)PASSES * (N / 16));
    printf("%-38s %6.3f ns per vector, %5.1f FMA slots\n", names[k], ns, ns / fma);
  }
  return 0;
}

int main(int argc, char** argv) {
  __builtin_cpu_init();
  if (argc > 2 || (argc == 2 && strcmp(argv[1], "avx2") && strcmp(argv[1], "avx512"))) {
    fprintf(stderr, "usage: swish_cost [avx2|avx512]\n");
    return 2;
  }
  if (argc == 2 && !strcmp(argv[1], "avx512")) return main_avx512();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    fprintf(stderr, "swish_cost: this CPU has no AVX2 and FMA\n");
    return 1;
  }
  for (int form = SWISH; form <= SWISH_PRESCALED; form++) {
    const char* name = form == SWISH ? "swish" : "prescaled swish";
    double err = swish_error(form);
    printf("%s: largest relative error %.2g over [-100, 100]\n", name, err);
    if (err > 1e-5) {
      fprintf(stderr, "swish_cost: its %s is not the kernels' (error %.2g > 1e-5)\n", name, err);
      return 1;
    }
  }
  for (int i = 0; i < N; i++) in[i] = 0.05f * (float)(i % 200 - 100); /* -5 .. 5 */
  double fma = best_of(ns_per_fma, 20, 5);
  static const char* names[] = {"copy (load, store)", "swish", "prescaled swish (AVX2 kernels)",
                                "swish without its division", "3x3 depthwise taps (9 loads, 9 FMAs)"};
  printf("FMA at peak: %.3f ns per 8-lane FMA\n", fma);
  for (int kind = COPY; kind <= DEPTHWISE_3X3; kind++) {
    double ns = 1e9 * best_of(time_loop, kind, 15) / ((double)PASSES * (N / 8));
    printf("%-38s %6.3f ns per vector, %5.1f FMA slots\n", names[kind], ns, ns / fma);
  }
  return 0;
}
