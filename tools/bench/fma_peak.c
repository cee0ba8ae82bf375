/* Measures the machine's fp32 FMA rate (GFLOP/s) with independent AVX-512 or AVX2
 * FMA chains on T threads: the "compute bound" every benchmark table divides by, and
 * the check that the machine's rate was unchanged before and after a benchmark run.
 * usage: fma_peak [threads] [avx512|avx2]   (prints one number, GFLOP/s, median of 7) */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { kIters = 20000000 };
static int use_avx512 = 1;
static volatile float sink;

__attribute__((target("avx512f"))) static void chains_avx512(void) {
  __m512 a[16], m = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < 16; i++) a[i] = _mm512_set1_ps((float)i);
  for (long it = 0; it < kIters / 4; it++) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) a[i] = _mm512_fmadd_ps(a[i], m, c);
  }
  float s = 0;
  for (int i = 0; i < 16; i++) s += _mm512_reduce_add_ps(a[i]);
  sink = s;
}

__attribute__((target("avx2,fma"))) static void chains_avx2(void) {
  __m256 a[12], m = _mm256_set1_ps(0.9999999f), c = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps((float)i);
  for (long it = 0; it < kIters / 4; it++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) a[i] = _mm256_fmadd_ps(a[i], m, c);
  }
  float buf[8], s = 0;
  for (int i = 0; i < 12; i++) {
    _mm256_storeu_ps(buf, a[i]);
    for (int j = 0; j < 8; j++) s += buf[j];
  }
  sink = s;
}

static void* worker(void* arg) {
  (void)arg;
  if (use_avx512) chains_avx512(); else chains_avx2();
  return NULL;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (argc > 2) use_avx512 = strcmp(argv[2], "avx2") != 0;
  if (threads < 1 || threads > 256) {
    fprintf(stderr, "usage: fma_peak [threads 1..256] [avx512|avx2]\n");
    return 2;
  }
  double flops_per_thread = use_avx512 ? (double)kIters / 4 * 16 * 16 * 2 : (double)kIters / 4 * 12 * 8 * 2;
  double rates[7];
  pthread_t tid[256];
  for (int r = 0; r < 7; r++) {
    double t0 = now();
    for (int i = 0; i < threads; i++) pthread_create(&tid[i], NULL, worker, NULL);
    for (int i = 0; i < threads; i++) pthread_join(tid[i], NULL);
    rates[r] = flops_per_thread * threads / (now() - t0) / 1e9;
  }
  qsort(rates, 7, sizeof rates[0], cmp);
  printf("%.1f\n", rates[3]);
  return 0;
}
