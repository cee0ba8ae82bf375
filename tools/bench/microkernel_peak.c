/* The fp32 rate of a 1x1 conv's register tile alone on one core (AVX-512), for the tile shapes
 * the schedules pick (1 to 3 vectors) and wider ones: M vectors of 16 output channels x N pixels of accumulators, one reduction
 * step = M weight-vector loads, N input broadcasts and M*N FMAs, with the generated kernels'
 * layouts (weights blocked by the tile, W[k][M*16]; input pixel-major, X[n*K + k]). The
 * weights and input of a call stay in L2 (K = 672: 42-294 KB of weights), so the figure is what the tile
 * reaches with no memory traffic beyond L2: the ceiling of a 1x1 conv under the MAC bound of
 * fma_peak.c, which runs FMAs only.
 * usage: microkernel_peak [K]   (one line per shape: GFLOP/s, the best of 5 timings) */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* One tile over the whole reduction; inlined into each shape's function so that M and N are
 * constants and the accumulators stay in registers. */
__attribute__((target("avx512f"), always_inline)) static inline void tile(int M, int N, const float* W, const float* X,
                                                                          int K, float* out) {
  __m512 acc[8][32];
#pragma GCC unroll 8
  for (int m = 0; m < M; m++)
#pragma GCC unroll 32
    for (int n = 0; n < N; n++) acc[m][n] = _mm512_setzero_ps();
  for (int k = 0; k < K; k++) {
    __m512 w[8];
#pragma GCC unroll 8
    for (int m = 0; m < M; m++) w[m] = _mm512_load_ps(W + ((size_t)k * M + m) * 16);
#pragma GCC unroll 32
    for (int n = 0; n < N; n++) {
      __m512 b = _mm512_set1_ps(X[(size_t)n * K + k]);
#pragma GCC unroll 8
      for (int m = 0; m < M; m++) acc[m][n] = _mm512_fmadd_ps(w[m], b, acc[m][n]);
    }
  }
#pragma GCC unroll 8
  for (int m = 0; m < M; m++)
#pragma GCC unroll 32
    for (int n = 0; n < N; n++) _mm512_store_ps(out + (m * N + n) * 16, acc[m][n]);
}

typedef void (*tile_fn)(const float*, const float*, int, float*);
#define SHAPE(M, N)                                                                                \
  __attribute__((target("avx512f"), noinline)) static void tile_##M##x##N(const float* W, const float* X, int K, \
                                                                         float* out) {             \
    tile(M, N, W, X, K, out);                                                                      \
  }
SHAPE(1, 14)
SHAPE(1, 28)
SHAPE(2, 12)
SHAPE(2, 14)
SHAPE(3, 7)
SHAPE(3, 9)
SHAPE(4, 6)
SHAPE(5, 5)
SHAPE(7, 4)

static const struct {
  int m, n;
  tile_fn fn;
} kShapes[] = {{1, 14, tile_1x14}, {1, 28, tile_1x28}, {2, 12, tile_2x12}, {2, 14, tile_2x14}, {3, 7, tile_3x7},
               {3, 9, tile_3x9},   {4, 6, tile_4x6},   {5, 5, tile_5x5},   {7, 4, tile_7x4}};

int main(int argc, char** argv) {
  int K = argc > 1 ? atoi(argv[1]) : 672;
  if (K < 1 || K > 100000) {
    fprintf(stderr, "usage: microkernel_peak [K 1..100000]\n");
    return 2;
  }
  if (!__builtin_cpu_supports("avx512f")) {
    fprintf(stderr, "microkernel_peak: this CPU has no AVX-512\n");
    return 1;
  }
  float* W = aligned_alloc(64, (size_t)K * 8 * 64);
  float* X = aligned_alloc(64, ((size_t)K * 32 * 4 + 63) / 64 * 64);
  float* out = aligned_alloc(64, 8 * 32 * 64);
  if (!W || !X || !out) return 1;
  for (long i = 0; i < (long)K * 8 * 16; i++) W[i] = 1e-3f * (float)(i % 7);
  for (long i = 0; i < (long)K * 32; i++) X[i] = 1e-3f * (float)(i % 5);
  for (size_t s = 0; s < sizeof kShapes / sizeof kShapes[0]; s++) {
    int m = kShapes[s].m, n = kShapes[s].n;
    long reps = 20000L * 672 / K + 1;
    double best = 0;
    for (int r = 0; r < 5; r++) {
      double t = now();
      for (long i = 0; i < reps; i++) kShapes[s].fn(W, X, K, out);
      double rate = 2.0 * m * 16 * n * K * reps / (now() - t) / 1e9;
      if (rate > best) best = rate;
    }
    printf("%d x %-2d (%2d accumulators, %3.0f KB of weights, %3.0f KB of input): %.1f GFLOP/s\n", m, n, m * n,
           K * m * 64 / 1024.0, K * n * 4 / 1024.0, best);
  }
  free(W);
  free(X);
  free(out);
  return 0;
}
