/* A plain-C user of a generated library (compiled by test_e2e_b0 with
 *   cc app_smoke.c -I DIR -L DIR -lefficientnet_b0 -lpthread -ldl -lm).
 * usage: app_smoke OUT.bin BATCH [WEIGHTS]
 * Runs BATCH samples of the deterministic input below and writes the logits (float32,
 * [BATCH, CLASSES]) to OUT.bin for the test to compare with the oracle. On the way it checks
 * that misuse returns errors with messages, that a batch larger than the workspace chunk
 * gives the same logits, each equal to its sample run alone (with HL_NUM_THREADS=T >= 2 the
 * first 9 / T * T samples run as per-thread lanes, the rest by loops over all threads), and
 * that two threads with one handle each agree. Exit 0: all good. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "efficientnet_b0.h"

#define R EFFICIENTNET_B0_RESOLUTION
#define K EFFICIENTNET_B0_CLASSES
#define SAMPLE (3 * R * R)

static int failures = 0;

#ifdef COUNT_ALLOCS
/* Built with -DCOUNT_ALLOCS -Wl,--wrap=malloc,... the test checks run() never allocates. */
static long allocations = 0;
void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
int __real_posix_memalign(void **, size_t, size_t);
void *__wrap_malloc(size_t n) {
  __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
  return __real_malloc(n);
}
void *__wrap_calloc(size_t a, size_t b) {
  __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
  return __real_calloc(a, b);
}
void *__wrap_realloc(void *p, size_t n) {
  __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
  return __real_realloc(p, n);
}
int __wrap_posix_memalign(void **p, size_t a, size_t n) {
  __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
  return __real_posix_memalign(p, a, n);
}
#endif

#define EXPECT(cond, ...)                  \
  do {                                     \
    if (!(cond)) {                         \
      fprintf(stderr, "FAIL %s: ", #cond); \
      fprintf(stderr, __VA_ARGS__);        \
      fprintf(stderr, "\n");               \
      failures++;                          \
    }                                      \
  } while (0)

/* The same formula as tests/codegen/test_e2e_b0.cpp: element i of the NCHW batch, a smooth
 * pattern that differs per sample plus a little noise. */
static float input_value(uint32_t i) {
  uint32_t h = i * 2654435761u;
  h ^= h >> 16;
  uint32_t x = i % R, y = (i / R) % R, c = (i / R / R) % 3, b = i / R / R / 3;
  double noise = (double)(h % 2001u) / 1000.0 - 1.0;
  return (float)(0.25 * noise + sin(0.05 * (double)((b + 1) * x) + 0.03 * (double)(y * (c + 1)) + (double)b));
}

static float *make_input(int batch) {
  float *x = malloc(sizeof(float) * (size_t)batch * SAMPLE);
  for (size_t i = 0; i < (size_t)batch * SAMPLE; i++) x[i] = input_value((uint32_t)i);
  return x;
}

static double max_diff(const float *a, const float *b, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++) {
    double d = fabs((double)a[i] - b[i]);
    if (!(d <= m)) m = d;
  }
  return m;
}

struct job {
  const char *weights;
  const float *input;
  float logits[K];
  int rc;
};

static void *run_one(void *arg) {
  struct job *j = arg;
  efficientnet_b0 *m = NULL;
  j->rc = efficientnet_b0_create(&m, j->weights);
  if (j->rc) return NULL;
  for (int rep = 0; rep < 3 && !j->rc; rep++) j->rc = efficientnet_b0_run(m, j->input, 1, j->logits);
  efficientnet_b0_destroy(m);
  return NULL;
}

static void check_misuse(efficientnet_b0 *m, const char *weights, const float *input, float *logits) {
  EXPECT(efficientnet_b0_create(NULL, weights) == EFFICIENTNET_B0_EINVAL, "create(NULL)");
  EXPECT(efficientnet_b0_run(NULL, input, 1, logits) == EFFICIENTNET_B0_EINVAL, "run(NULL handle)");
  EXPECT(strlen(efficientnet_b0_error(NULL)) > 0, "no message for run(NULL handle)");
  EXPECT(efficientnet_b0_run(m, NULL, 1, logits) == EFFICIENTNET_B0_EINVAL, "run(input NULL)");
  EXPECT(strstr(efficientnet_b0_error(m), "input") != NULL, "message '%s'", efficientnet_b0_error(m));
  EXPECT(efficientnet_b0_run(m, input, 1, NULL) == EFFICIENTNET_B0_EINVAL, "run(logits NULL)");
  EXPECT(efficientnet_b0_run(m, input, 0, logits) == EFFICIENTNET_B0_EINVAL, "run(batch 0)");
  EXPECT(strstr(efficientnet_b0_error(m), "batch") != NULL, "message '%s'", efficientnet_b0_error(m));
  EXPECT(efficientnet_b0_run(m, input, -3, logits) == EFFICIENTNET_B0_EINVAL, "run(batch -3)");

  efficientnet_b0 *bad = (efficientnet_b0 *)1;
  EXPECT(efficientnet_b0_create(&bad, "/nonexistent/effnet.weights") == EFFICIENTNET_B0_EWEIGHTS, "bad path");
  EXPECT(bad == NULL, "handle left non-NULL after a failed create");
  EXPECT(strstr(efficientnet_b0_error(NULL), "/nonexistent/effnet.weights") != NULL, "message '%s'",
         efficientnet_b0_error(NULL));

  const char *short_file = "app_smoke_short.weights";
  FILE *f = fopen(short_file, "wb");
  if (f) {
    fwrite(input, sizeof(float), 100, f);
    fclose(f);
    EXPECT(efficientnet_b0_create(&bad, short_file) == EFFICIENTNET_B0_EWEIGHTS, "wrong-size weights file");
    EXPECT(strstr(efficientnet_b0_error(NULL), "bytes") != NULL, "message '%s'", efficientnet_b0_error(NULL));
    remove(short_file);
  }
  EXPECT(efficientnet_b0_force_isa("sse9") == EFFICIENTNET_B0_EISA, "force_isa(sse9)");
  EXPECT(efficientnet_b0_force_isa(NULL) == EFFICIENTNET_B0_OK, "force_isa(NULL)");
  /* Still usable after all that. */
  EXPECT(efficientnet_b0_run(m, input, 1, logits) == EFFICIENTNET_B0_OK, "run after misuse: %s",
         efficientnet_b0_error(m));
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: app_smoke OUT.bin BATCH [WEIGHTS]\n");
    return 2;
  }
  int batch = atoi(argv[2]);
  const char *weights = argc > 3 ? argv[3] : NULL;
  efficientnet_b0 *m = NULL;
  int rc = efficientnet_b0_create(&m, weights);
  if (rc) {
    fprintf(stderr, "create failed (%d): %s\n", rc, efficientnet_b0_error(NULL));
    return 1;
  }
  const int big = 9; /* more than one workspace chunk (1 sample on a CPU) */
  float *input = make_input(big > batch ? big : batch);
  float *logits = malloc(sizeof(float) * K * (size_t)(big > batch ? big : batch));
  rc = efficientnet_b0_run(m, input, batch, logits);
  if (rc) {
    fprintf(stderr, "run failed (%d): %s\n", rc, efficientnet_b0_error(m));
    return 1;
  }
  FILE *out = fopen(argv[1], "wb");
  if (!out || fwrite(logits, sizeof(float) * K, (size_t)batch, out) != (size_t)batch) {
    fprintf(stderr, "cannot write %s\n", argv[1]);
    return 1;
  }
  fclose(out);
  for (int b = 0; b < batch; b++) {
    int best = 0;
    for (int k = 1; k < K; k++)
      if (logits[b * K + k] > logits[b * K + best]) best = k;
    printf("sample %d: top-1 %d (%.4f)\n", b, best, logits[b * K + best]);
  }

  float *first = malloc(sizeof(float) * K * (size_t)batch);
  memcpy(first, logits, sizeof(float) * K * (size_t)batch);
#ifdef COUNT_ALLOCS
  long before = __atomic_load_n(&allocations, __ATOMIC_RELAXED);
  EXPECT(before > 0, "the counting wrappers saw no allocation at all (create allocates)");
#endif
  EXPECT(efficientnet_b0_run(m, input, big, logits) == 0, "run(batch %d): %s", big, efficientnet_b0_error(m));
#ifdef COUNT_ALLOCS
  long during = __atomic_load_n(&allocations, __ATOMIC_RELAXED) - before;
  EXPECT(during == 0, "run(batch %d) allocated %ld times", big, during);
  printf("app_smoke: run(batch %d) made %ld heap allocations\n", big, during);
#endif
  double d = max_diff(first, logits, (size_t)K * (size_t)(batch < big ? batch : big));
  EXPECT(d <= 1e-5, "batch %d differs from batch %d by %g", big, batch, d);
  for (int s = 0; s < big; s++) {
    float alone[K];
    EXPECT(efficientnet_b0_run(m, input + (size_t)s * SAMPLE, 1, alone) == 0, "run(1): %s", efficientnet_b0_error(m));
    d = max_diff(alone, logits + (size_t)s * K, K);
    EXPECT(d <= 1e-5, "sample %d of batch %d differs from the same sample alone by %g", s, big, d);
  }

  struct job jobs[2];
  pthread_t threads[2];
  for (int t = 0; t < 2; t++) {
    jobs[t].weights = weights;
    jobs[t].input = input;
    pthread_create(&threads[t], NULL, run_one, &jobs[t]);
  }
  for (int t = 0; t < 2; t++) {
    pthread_join(threads[t], NULL);
    EXPECT(jobs[t].rc == 0, "thread %d failed", t);
    double td = max_diff(first, jobs[t].logits, K);
    EXPECT(td <= 1e-5, "thread %d differs by %g", t, td);
  }

  check_misuse(m, weights, input, logits);
  efficientnet_b0_destroy(m);
  free(first);
  free(input);
  free(logits);
  if (failures)
    fprintf(stderr, "%d check(s) failed\n", failures);
  else
    printf("app_smoke: all API checks passed\n");
  return failures ? 1 : 0;
}
