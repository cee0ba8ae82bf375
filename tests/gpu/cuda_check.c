/* cuda_check: a plain-C user of one CUDA library, built per variant with
 *   cc -DEFFNET_LIB=efficientnet_b3 -DEFFNET_LIB_UPPER=EFFICIENTNET_B3 cuda_check.c -I DIR -L DIR
 *      -lefficientnet_b3 -lpthread -ldl -lm
 * It probes for a CUDA device on its own (libcuda.so.1, cuInit, cuDeviceGetCount), independently of
 * the library, and then:
 *   cuda_check probe                   exit 0 with a device, else "[SKIP] no CUDA device" and 77
 *   cuda_check nodevice [WEIGHTS]      no device: create() must fail with _EDEVICE, a "CUDA unavailable:"
 *                                      message and *m == NULL (WEIGHTS must pass the size and checksum
 *                                      checks first), and the argument checks must hold. With a device:
 *                                      create() must succeed. Exit 0 when all holds.
 *   cuda_check check WEIGHTS|- DIR BATCH
 *                                      run() on DIR/input.bin against DIR/torch_logits.bin and/or
 *                                      DIR/oracle_logits.bin (|y-ref| <= 1e-3 + 1e-3|ref|, same top-1,
 *                                      cosine >= 0.99999), then run_device() must give run()'s logits.
 *   cuda_check bench WEIGHTS|- BATCH RUNS
 *                                      run_device() timings: "RESULT <lib> batch=B median_ms=.. min_ms=.."
 * WEIGHTS "-" means the weights built into the library. */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef EFFNET_LIB
#define EFFNET_LIB efficientnet_b0
#define EFFNET_LIB_UPPER EFFICIENTNET_B0
#endif
#define PASTE2(a, b) a##b
#define PASTE(a, b) PASTE2(a, b)
#define STR2(x) #x
#define STR(x) STR2(x)
#include STR(EFFNET_LIB.h)
#define FN(name) PASTE(EFFNET_LIB, _##name)
#define MACRO(name) PASTE(EFFNET_LIB_UPPER, _##name)
#define LIB_NAME STR(EFFNET_LIB)

#if !MACRO(CUDA)
#error "cuda_check needs a library built with --target cuda"
#endif

#define R MACRO(RESOLUTION)
#define K MACRO(CLASSES)
#define SAMPLE ((size_t)3 * R * R)

typedef EFFNET_LIB model;
static int failures = 0;

#define EXPECT(cond, ...)                  \
  do {                                     \
    if (!(cond)) {                         \
      fprintf(stderr, "FAIL %s: ", #cond); \
      fprintf(stderr, __VA_ARGS__);        \
      fprintf(stderr, "\n");               \
      failures++;                          \
    }                                      \
  } while (0)

/* The driver API, for the probe and for device buffers in the primary context of device 0. */
static struct {
  void *lib, *ctx;
  int (*init)(unsigned);
  int (*count)(int *);
  int (*get)(int *, int);
  int (*retain)(void **, int);
  int (*set_current)(void *);
  int (*alloc)(uint64_t *, size_t);
  int (*free)(uint64_t);
  int (*htod)(uint64_t, const void *, size_t);
  int (*dtoh)(void *, uint64_t, size_t);
} cu;

static int have_device(char *why, size_t n) {
  cu.lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
  if (!cu.lib) {
    snprintf(why, n, "no libcuda.so.1 (%s)", dlerror());
    return 0;
  }
  *(void **)&cu.init = dlsym(cu.lib, "cuInit");
  *(void **)&cu.count = dlsym(cu.lib, "cuDeviceGetCount");
  *(void **)&cu.get = dlsym(cu.lib, "cuDeviceGet");
  *(void **)&cu.retain = dlsym(cu.lib, "cuDevicePrimaryCtxRetain");
  *(void **)&cu.set_current = dlsym(cu.lib, "cuCtxSetCurrent");
  *(void **)&cu.alloc = dlsym(cu.lib, "cuMemAlloc_v2");
  *(void **)&cu.free = dlsym(cu.lib, "cuMemFree_v2");
  *(void **)&cu.htod = dlsym(cu.lib, "cuMemcpyHtoD_v2");
  *(void **)&cu.dtoh = dlsym(cu.lib, "cuMemcpyDtoH_v2");
  int count = 0, rc;
  if (!cu.init || !cu.count || (rc = cu.init(0)) != 0 || (rc = cu.count(&count)) != 0 || count < 1) {
    snprintf(why, n, "libcuda.so.1 loads but reports no device");
    return 0;
  }
  return 1;
}

static int open_primary_context(void) {
  int dev = 0;
  return cu.get(&dev, 0) || cu.retain(&cu.ctx, dev) || cu.set_current(cu.ctx);
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static const char *weights_arg(const char *a) { return strcmp(a, "-") ? a : NULL; }

static float *read_floats(const char *dir, const char *name, size_t count) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  float *x = malloc(count * sizeof(float));
  size_t got = x ? fread(x, sizeof(float), count, f) : 0;
  fclose(f);
  if (got != count) {
    fprintf(stderr, "%s: expected %zu floats, read %zu\n", path, count, got);
    free(x);
    exit(1);
  }
  printf("read %s\n", path);
  return x;
}

static int top1(const float *row) {
  int best = 0;
  for (int k = 1; k < K; k++)
    if (row[k] > row[best]) best = k;
  return best;
}

/* The project tolerance (docs/DESIGN.md "Reference"), per element, top-1 and cosine per sample. */
static void compare(const char *what, const float *got, const float *ref, int batch) {
  double max_abs = 0, worst_excess = 0;
  for (int b = 0; b < batch; b++) {
    double dot = 0, gg = 0, rr = 0;
    for (int k = 0; k < K; k++) {
      double y = got[b * K + k], r = ref[b * K + k], d = fabs(y - r);
      if (!(d <= max_abs)) max_abs = d;
      double excess = d - (1e-3 + 1e-3 * fabs(r));
      if (!(excess <= worst_excess)) worst_excess = excess;
      dot += y * r, gg += y * y, rr += r * r;
    }
    double cosine = dot / sqrt(gg * rr);
    EXPECT(cosine >= 0.99999, "%s sample %d: cosine %.7f", what, b, cosine);
    EXPECT(top1(got + b * K) == top1(ref + b * K), "%s sample %d: top-1 %d vs %d", what, b, top1(got + b * K),
           top1(ref + b * K));
  }
  EXPECT(worst_excess <= 0, "%s: an element exceeds 1e-3 + 1e-3|ref| by %g", what, worst_excess);
  printf("%s %s: logits max-abs error %.3g over %d sample(s)\n", LIB_NAME, what, max_abs, batch);
}

static int cmd_nodevice(const char *weights) {
  char why[512];
  int device = have_device(why, sizeof why);
  model *m = (model *)1;
  int rc = FN(create)(&m, weights);
  if (device) {
    printf("a CUDA device exists: create() must succeed\n");
    EXPECT(rc == MACRO(OK) && m, "create: %d %s", rc, FN(error)(NULL));
    FN(destroy)(rc == MACRO(OK) ? m : NULL);
    return failures ? 1 : 0;
  }
  printf("no CUDA device (%s); create() says: %s\n", why, FN(error)(NULL));
  EXPECT(rc == MACRO(EDEVICE), "create returned %d, expected EDEVICE (%d): %s", rc, MACRO(EDEVICE), FN(error)(NULL));
  EXPECT(m == NULL, "the handle is left non-NULL after a failed create");
  EXPECT(strncmp(FN(error)(NULL), "CUDA unavailable: ", 18) == 0, "message '%s'", FN(error)(NULL));
  EXPECT(FN(create)(NULL, weights) == MACRO(EINVAL), "create(NULL)");
  EXPECT(FN(create)(&m, "/nonexistent/effnet.weights") == MACRO(EWEIGHTS), "a missing weights file is checked first");
  float x = 0, y = 0;
  EXPECT(FN(run)(NULL, &x, 1, &y) == MACRO(EINVAL), "run(NULL handle)");
  EXPECT(FN(run_device)(NULL, &x, 1, &y) == MACRO(EINVAL), "run_device(NULL handle)");
  EXPECT(strlen(FN(error)(NULL)) > 0, "no message for run_device(NULL handle)");
  EXPECT(FN(force_isa)("avx2") == MACRO(EISA), "force_isa(avx2)");
  EXPECT(FN(force_isa)("cuda") == MACRO(OK) && FN(force_isa)(NULL) == MACRO(OK), "force_isa(cuda / NULL)");
  if (!failures) printf("cuda_check nodevice: create() fails cleanly without a device\n");
  return failures ? 1 : 0;
}

static int cmd_check(const char *weights, const char *dir, int batch) {
  model *m = NULL;
  int rc = FN(create)(&m, weights);
  if (rc) {
    fprintf(stderr, "create failed (%d): %s\n", rc, FN(error)(NULL));
    return 1;
  }
  float *input = read_floats(dir, "input.bin", (size_t)batch * SAMPLE);
  float *torch = read_floats(dir, "torch_logits.bin", (size_t)batch * K);
  float *oracle = read_floats(dir, "oracle_logits.bin", (size_t)batch * K);
  float *logits = malloc(sizeof(float) * K * (size_t)batch), *again = malloc(sizeof(float) * K * (size_t)batch);
  if (!input || (!torch && !oracle)) {
    fprintf(stderr, "%s: needs input.bin and torch_logits.bin or oracle_logits.bin\n", dir);
    return 1;
  }
  double t0 = now_ms();
  rc = FN(run)(m, input, batch, logits);
  printf("run(batch %d): %.2f ms (first call after create)\n", batch, now_ms() - t0);
  if (rc) {
    fprintf(stderr, "run failed (%d): %s\n", rc, FN(error)(m));
    return 1;
  }
  if (torch) compare("vs torchvision", logits, torch, batch);
  if (oracle) compare("vs oracle", logits, oracle, batch);

  uint64_t d_in = 0, d_out = 0;
  EXPECT(open_primary_context() == 0, "cannot open the primary context");
  EXPECT(cu.alloc(&d_in, (size_t)batch * SAMPLE * 4) == 0 && cu.alloc(&d_out, (size_t)batch * K * 4) == 0,
         "cuMemAlloc");
  if (!failures) {
    EXPECT(cu.htod(d_in, input, (size_t)batch * SAMPLE * 4) == 0, "cuMemcpyHtoD");
    rc = FN(run_device)(m, (const float *)(uintptr_t)d_in, batch, (float *)(uintptr_t)d_out);
    EXPECT(rc == MACRO(OK), "run_device: %d %s", rc, FN(error)(m));
    EXPECT(cu.dtoh(again, d_out, (size_t)batch * K * 4) == 0, "cuMemcpyDtoH");
    double d = 0;
    for (size_t i = 0; i < (size_t)batch * K; i++)
      if (!(fabs((double)again[i] - logits[i]) <= d)) d = fabs((double)again[i] - logits[i]);
    EXPECT(d <= 1e-5, "run_device differs from run by %g", d);
    printf("run_device vs run: max-abs %.3g\n", d);
    cu.free(d_in), cu.free(d_out);
  }
  EXPECT(FN(run)(m, input, batch, again) == MACRO(OK), "second run: %s", FN(error)(m));
  EXPECT(memcmp(again, logits, sizeof(float) * K * (size_t)batch) == 0, "a second run() gives other logits");
  FN(destroy)(m);
  printf(failures ? "cuda_check %s: %d check(s) failed\n" : "cuda_check %s: all checks passed\n", LIB_NAME, failures);
  return failures ? 1 : 0;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int cmd_bench(const char *weights, int batch, int runs) {
  model *m = NULL;
  int rc = FN(create)(&m, weights);
  if (rc) {
    fprintf(stderr, "create failed (%d): %s\n", rc, FN(error)(NULL));
    return 1;
  }
  uint64_t d_in = 0, d_out = 0;
  if (open_primary_context() || cu.alloc(&d_in, (size_t)batch * SAMPLE * 4) ||
      cu.alloc(&d_out, (size_t)batch * K * 4)) {
    fprintf(stderr, "cannot allocate device buffers\n");
    return 1;
  }
  float *x = malloc((size_t)batch * SAMPLE * sizeof(float));
  for (size_t i = 0; i < (size_t)batch * SAMPLE; i++) x[i] = (float)((i * 2654435761u) % 2001u) / 1000.0f - 1.0f;
  cu.htod(d_in, x, (size_t)batch * SAMPLE * 4);
  double *t = malloc(sizeof(double) * (size_t)runs);
  for (int i = -3; i < runs && !rc; i++) { /* 3 warm-up runs */
    double t0 = now_ms();
    rc = FN(run_device)(m, (const float *)(uintptr_t)d_in, batch, (float *)(uintptr_t)d_out);
    if (i >= 0) t[i] = now_ms() - t0;
  }
  if (rc) {
    fprintf(stderr, "run_device failed (%d): %s\n", rc, FN(error)(m));
    return 1;
  }
  qsort(t, (size_t)runs, sizeof(double), by_value);
  printf("RESULT %s batch=%d median_ms=%.3f min_ms=%.3f runs=%d\n", LIB_NAME, batch, t[runs / 2], t[0], runs);
  FN(destroy)(m);
  return 0;
}

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : "";
  char why[512];
  if (!strcmp(cmd, "nodevice") && argc <= 3) return cmd_nodevice(argc == 3 ? argv[2] : NULL);
  if (!strcmp(cmd, "probe") || !strcmp(cmd, "check") || !strcmp(cmd, "bench")) {
    if (!have_device(why, sizeof why)) {
      printf("[SKIP] no CUDA device (%s)\n", why);
      return 77;
    }
    if (!strcmp(cmd, "probe")) return 0;
    if (!strcmp(cmd, "check") && argc == 5 && atoi(argv[4]) > 0)
      return cmd_check(weights_arg(argv[2]), argv[3], atoi(argv[4]));
    if (!strcmp(cmd, "bench") && argc == 5 && atoi(argv[3]) > 0 && atoi(argv[4]) > 0)
      return cmd_bench(weights_arg(argv[2]), atoi(argv[3]), atoi(argv[4]));
  }
  fprintf(stderr,
          "usage: cuda_check probe | nodevice [WEIGHTS] | check WEIGHTS|- DIR BATCH | bench WEIGHTS|- BATCH RUNS\n");
  return 2;
}
