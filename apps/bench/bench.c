/* bench: times a generated EfficientNet library. Creates the model once, then per batch size runs W warm-up
 * calls and R timed calls (clock_gettime(CLOCK_MONOTONIC)) on a fixed input and prints the median and
 * quartiles in ms, or one JSON object per batch size with --json. Threads: HL_NUM_THREADS is set before
 * create (Halide's pool reads it at first use). Plain C99; the variant is chosen at build time
 * (apps/common/model_api.h). Exit codes: 0 ok, 1 the library failed, 2 bad arguments. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/model_api.h"

#define RES EN_MACRO(RESOLUTION)
#define CLASSES EN_MACRO(CLASSES)
#define SAMPLE ((size_t)3 * RES * RES)
#define MAX_BATCHES 32

static const char *usage_text =
    "usage: bench [--batch N]... [--threads T] [--runs R] [--warmup W] [--isa avx512|avx2|baseline]\n"
    "             [--weights FILE] [--json]\n"
    "\n"
    "Times " EN_NAME
    ": per batch size (default 1 and 8), W warm-up runs (default 5), then R timed\n"
    "runs (default 30); prints the median, first and third quartile in ms.\n"
    "  --threads T     Halide worker threads (sets HL_NUM_THREADS; default: $HL_NUM_THREADS or all CPUs)\n"
    "  --isa NAME      force an ISA (default: the best the CPU has, or $EFFNETC_ISA)\n"
    "  --weights FILE  weights file for a library compiled with --external-weights\n"
    "  --json          one JSON object per batch size: variant, isa, batch, threads, median_ms, q1_ms,\n"
    "                  q3_ms, runs\n";

static void fail_usage(const char *what, const char *value) {
  fprintf(stderr, "bench: error: %s%s%s (see --help)\n", what, value ? " " : "", value ? value : "");
  exit(2);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "bench: out of memory (%zu bytes)\n", n);
    exit(1);
  }
  return p;
}

static long int_option(int argc, char **argv, int *i, long lo, long hi) {
  if (*i + 1 >= argc) fail_usage("missing value for", argv[*i]);
  const char *v = argv[++*i];
  char *end;
  long x = strtol(v, &end, 10);
  if (end == v || *end || x < lo || x > hi) {
    char what[128];
    snprintf(what, sizeof what, "%s expects an integer from %ld to %ld, got", argv[*i - 1], lo, hi);
    fail_usage(what, v);
  }
  return x;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Quantile q of sorted v[0..n) with linear interpolation (numpy's default). */
static double quantile(const double *v, int n, double q) {
  double pos = q * (n - 1);
  int i = (int)pos;
  return i + 1 < n ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[n - 1];
}

int main(int argc, char **argv) {
  long batches[MAX_BATCHES];
  int n_batches = 0, json = 0;
  long threads = 0, runs = 30, warmup = 5;
  const char *isa = NULL, *weights = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      printf("%s", usage_text);
      return 0;
    } else if (!strcmp(a, "--batch")) {
      if (n_batches == MAX_BATCHES) fail_usage("too many --batch options", NULL);
      batches[n_batches++] = int_option(argc, argv, &i, 1, 1024);
    } else if (!strcmp(a, "--threads")) {
      threads = int_option(argc, argv, &i, 1, 1024);
    } else if (!strcmp(a, "--runs")) {
      runs = int_option(argc, argv, &i, 1, 100000);
    } else if (!strcmp(a, "--warmup")) {
      warmup = int_option(argc, argv, &i, 0, 100000);
    } else if (!strcmp(a, "--isa")) {
      if (i + 1 >= argc) fail_usage("missing value for", a);
      isa = argv[++i];
    } else if (!strcmp(a, "--weights")) {
      if (i + 1 >= argc) fail_usage("missing value for", a);
      weights = argv[++i];
    } else if (!strcmp(a, "--json")) {
      json = 1;
    } else {
      fail_usage("unexpected argument", a);
    }
  }
  if (!n_batches) {
    batches[n_batches++] = 1;
    batches[n_batches++] = 8;
  }
  if (threads) {
    char t[24];
    snprintf(t, sizeof t, "%ld", threads);
    setenv("HL_NUM_THREADS", t, 1);
  } else {
    const char *env = getenv("HL_NUM_THREADS");
    threads = env && atol(env) > 0 ? atol(env) : sysconf(_SC_NPROCESSORS_ONLN);
  }
  if (isa && EN_FN(force_isa)(isa) != 0) {
    fprintf(stderr, "bench: error: --isa: %s\n", EN_FN(error)(NULL));
    return 2;
  }
  const char *isa_name = isa ? isa : getenv("EFFNETC_ISA");
  if (!isa_name || !*isa_name) isa_name = "auto";

  en_model *m = NULL;
  if (EN_FN(create)(&m, weights) != 0) {
    fprintf(stderr, "bench: create failed: %s\n", EN_FN(error)(NULL));
    return 1;
  }
  long max_batch = 0;
  for (int b = 0; b < n_batches; b++)
    if (batches[b] > max_batch) max_batch = batches[b];
  float *input = xmalloc(SAMPLE * sizeof(float) * (size_t)max_batch);
  float *logits = xmalloc(sizeof(float) * CLASSES * (size_t)max_batch);
  for (size_t i = 0; i < SAMPLE * (size_t)max_batch; i++) input[i] = (float)((i * 2654435761u) % 2001u) / 1000.0f - 1;
  double *times = xmalloc(sizeof(double) * (size_t)runs);

  for (int b = 0; b < n_batches; b++) {
    int batch = (int)batches[b];
    for (long r = -warmup; r < runs; r++) {
      double t0 = now_ms();
      if (EN_FN(run)(m, input, batch, logits) != 0) {
        fprintf(stderr, "bench: run (batch %d) failed: %s\n", batch, EN_FN(error)(m));
        return 1;
      }
      if (r >= 0) times[r] = now_ms() - t0;
    }
    qsort(times, (size_t)runs, sizeof(double), cmp_double);
    double median = quantile(times, (int)runs, 0.5), q1 = quantile(times, (int)runs, 0.25),
           q3 = quantile(times, (int)runs, 0.75);
    if (json)
      printf(
          "{\"variant\": \"%s\", \"isa\": \"%s\", \"batch\": %d, \"threads\": %ld, \"median_ms\": %.4f, "
          "\"q1_ms\": %.4f, \"q3_ms\": %.4f, \"runs\": %ld}\n",
          EN_NAME, isa_name, batch, threads, median, q1, q3, runs);
    else
      printf("%s isa %s, %ld threads, batch %d: median %.3f ms (q1 %.3f, q3 %.3f) over %ld runs, %.3f ms/sample\n",
             EN_NAME, isa_name, threads, batch, median, q1, q3, runs, median / batch);
    fflush(stdout);
  }
  EN_FN(destroy)(m);
  free(times);
  free(logits);
  free(input);
  return 0;
}
