/* The fp32 rate of a 1x1 conv's register tile alone on one core, AVX-512 (16-lane vectors) or
 * AVX2 (8 lanes, 16 registers), for the tile shapes the schedules pick and wider ones: M vectors
 * of output channels x N pixels of accumulators, one reduction step = M weight-vector loads, N
 * input broadcasts and M*N FMAs, with the generated kernels' layouts (weights blocked by the
 * tile, W[k][M*lanes]; input pixel-major, X[n*K + k]). The weights and input of a call stay in
 * L2 (K = 672: 21-294 KB of weights), so the figure is what the tile reaches with no memory
 * traffic beyond L2: the ceiling of a 1x1 conv under the MAC bound of fma_peak.c, which runs
 * FMAs only.
 * usage: microkernel_peak [K] [avx512|avx2]   (one line per shape: GFLOP/s, the best of 5 timings) */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* One tile over the whole reduction, for a vector type V of L lanes; inlined into each shape's
 * function so that M and N are constants and the accumulators stay in registers. */
// clang-format off
#define TILE_BODY(V, L, ZERO, LOAD, SET1, FMA, STORE)                                              \
  V acc[8][32];                                                                                    \
  _Pragma("GCC unroll 8") for (int m = 0; m < M; m++)                                              \
    _Pragma("GCC unroll 32") for (int n = 0; n < N; n++) acc[m][n] = ZERO();                       \
  for (int k = 0; k < K; k++) {                                                                    \
    V w[8];                                                                                        \
    _Pragma("GCC unroll 8") for (int m = 0; m < M; m++) w[m] = LOAD(W + ((size_t)k * M + m) * L);  \
    _Pragma("GCC unroll 32") for (int n = 0; n < N; n++) {                                         \
      V b = SET1(X[(size_t)n * K + k]);                                                            \
      _Pragma("GCC unroll 8") for (int m = 0; m < M; m++) acc[m][n] = FMA(w[m], b, acc[m][n]);     \
    }                                                                                              \
  }                                                                                                \
  _Pragma("GCC unroll 8") for (int m = 0; m < M; m++)                                              \
    _Pragma("GCC unroll 32") for (int n = 0; n < N; n++) STORE(out + (m * N + n) * L, acc[m][n]);
// clang-format on

__attribute__((target("avx512f"), always_inline)) static inline void tile512(int M, int N, const float* W,
                                                                             const float* X, int K, float* out) {
  TILE_BODY(__m512, 16, _mm512_setzero_ps, _mm512_load_ps, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_store_ps)
}

__attribute__((target("avx2,fma"), always_inline)) static inline void tile256(int M, int N, const float* W,
                                                                              const float* X, int K, float* out) {
  TILE_BODY(__m256, 8, _mm256_setzero_ps, _mm256_load_ps, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_store_ps)
}

typedef void (*tile_fn)(const float*, const float*, int, float*);
#define SHAPE(ISA, TARGET, M, N)                                                                                  \
  __attribute__((target(TARGET), noinline)) static void t##ISA##_##M##x##N(const float* W, const float* X, int K, \
                                                                           float* out) {                          \
    tile##ISA(M, N, W, X, K, out);                                                                                \
  }
SHAPE(512, "avx512f", 1, 14)
SHAPE(512, "avx512f", 1, 28)
SHAPE(512, "avx512f", 2, 12)
SHAPE(512, "avx512f", 2, 14)
SHAPE(512, "avx512f", 3, 7)
SHAPE(512, "avx512f", 3, 9)
SHAPE(512, "avx512f", 4, 6)
SHAPE(512, "avx512f", 5, 5)
SHAPE(512, "avx512f", 7, 4)
/* AVX2's 16 registers: at most 12 accumulators beside the weights and the broadcast. */
SHAPE(256, "avx2,fma", 1, 8)
SHAPE(256, "avx2,fma", 1, 12)
SHAPE(256, "avx2,fma", 2, 4)
SHAPE(256, "avx2,fma", 2, 5)
SHAPE(256, "avx2,fma", 2, 6)
SHAPE(256, "avx2,fma", 3, 3)
SHAPE(256, "avx2,fma", 3, 4)
SHAPE(256, "avx2,fma", 4, 3)

struct shape {
  int m, n;
  tile_fn fn;
};
static const struct shape kAvx512[] = {{1, 14, t512_1x14}, {1, 28, t512_1x28}, {2, 12, t512_2x12},
                                       {2, 14, t512_2x14}, {3, 7, t512_3x7},   {3, 9, t512_3x9},
                                       {4, 6, t512_4x6},   {5, 5, t512_5x5},   {7, 4, t512_7x4}};
static const struct shape kAvx2[] = {{1, 8, t256_1x8}, {1, 12, t256_1x12}, {2, 4, t256_2x4}, {2, 5, t256_2x5},
                                     {2, 6, t256_2x6}, {3, 3, t256_3x3},   {3, 4, t256_3x4}, {4, 3, t256_4x3}};

int main(int argc, char** argv) {
  int K = argc > 1 ? atoi(argv[1]) : 672;
  const char* isa = argc > 2 ? argv[2] : "avx512";
  int avx2 = strcmp(isa, "avx2") == 0;
  if (K < 1 || K > 100000 || (!avx2 && strcmp(isa, "avx512") != 0) || argc > 3) {
    fprintf(stderr, "usage: microkernel_peak [K 1..100000] [avx512|avx2]\n");
    return 2;
  }
  if (avx2 ? !__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma") : !__builtin_cpu_supports("avx512f")) {
    fprintf(stderr, "microkernel_peak: this CPU has no %s\n", avx2 ? "AVX2 and FMA" : "AVX-512");
    return 1;
  }
  const struct shape* shapes = avx2 ? kAvx2 : kAvx512;
  size_t count = avx2 ? sizeof kAvx2 / sizeof kAvx2[0] : sizeof kAvx512 / sizeof kAvx512[0];
  int lanes = avx2 ? 8 : 16;
  float* W = aligned_alloc(64, (size_t)K * 8 * 64);
  float* X = aligned_alloc(64, ((size_t)K * 32 * 4 + 63) / 64 * 64);
  float* out = aligned_alloc(64, 8 * 32 * 64);
  if (!W || !X || !out) return 1;
  for (long i = 0; i < (long)K * 8 * 16; i++) W[i] = 1e-3f * (float)(i % 7);
  for (long i = 0; i < (long)K * 32; i++) X[i] = 1e-3f * (float)(i % 5);
  for (size_t s = 0; s < count; s++) {
    int m = shapes[s].m, n = shapes[s].n;
    long reps = 20000L * 672 / K + 1;
    double best = 0;
    for (int r = 0; r < 5; r++) {
      double t = now();
      for (long i = 0; i < reps; i++) shapes[s].fn(W, X, K, out);
      double rate = 2.0 * m * lanes * n * K * reps / (now() - t) / 1e9;
      if (rate > best) best = rate;
    }
    printf("%s %d x %-2d (%2d accumulators, %3.0f KB of weights, %3.0f KB of input): %.1f GFLOP/s\n", isa, m, n, m * n,
           K * m * lanes * 4 / 1024.0, K * n * 4 / 1024.0, best);
  }
  free(W);
  free(X);
  free(out);
  return 0;
}
