/* classify: runs a generated EfficientNet library on an input tensor (safetensors, F32 [B,3,R,R]) or on
 * binary PPM (P6) images (resized and normalised like torchvision), prints the top-5 classes per sample and
 * the latency of the run, and can write the logits as safetensors for `effnetc verify --outputs`.
 * Plain C99; the variant is chosen at build time (apps/common/model_api.h). Exit codes: 0 ok, 1 the
 * library failed, 2 bad arguments or input file (one line on stderr). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/model_api.h"

#define RES EN_MACRO(RESOLUTION)
#define CLASSES EN_MACRO(CLASSES)
#define SAMPLE ((size_t)3 * RES * RES)
#define TOP 5

static const char *usage_text =
    "usage: classify [options] (--input R.safetensors [--key NAME] | IMAGE.ppm...)\n"
    "\n"
    "Runs " EN_NAME
    " on a batch and prints the top-5 classes (index, softmax probability, logit)\n"
    "per sample and the latency of the run.\n"
    "  --input FILE    safetensors file holding an F32 tensor [B,3,R,R] (already normalised)\n"
    "  --key NAME      the tensor to read from --input (default: input)\n"
    "  IMAGE.ppm       binary PPM (P6) images, one sample each: the shorter side is resized\n"
    "                  (bilinear, as torchvision's Resize on float tensors) to --resize, the centre\n"
    "                  R x R is cropped, and ImageNet mean/std normalisation is applied\n"
    "  --resize S      shorter side before the centre crop (default: R; torchvision's b0 recipe is 256)\n"
    "  --output FILE   write `logits` [B,CLASSES] as F32 safetensors\n"
    "  --weights FILE  weights file for a library compiled with --external-weights\n"
    "  --isa NAME      avx512, avx2 or baseline (default: the best the CPU has, or $EFFNETC_ISA)\n";

/* A user's mistake: one line on stderr, exit 2. */
static void fail_input(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "classify: error: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(2);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "classify: out of memory (%zu bytes)\n", n);
    exit(1);
  }
  return p;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

/* ---- safetensors: just enough JSON to find one tensor's dtype, shape and offsets ---- */

typedef struct {
  const char *s, *begin, *end, *file;
} Json;

static void json_fail(const Json *j, const char *what) {
  fail_input("%s: bad safetensors header: %s at header byte %ld", j->file, what, (long)(j->s - j->begin));
}

static void json_ws(Json *j) {
  while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' || *j->s == '\n' || *j->s == '\r')) j->s++;
}

static void json_expect(Json *j, char c) {
  json_ws(j);
  if (j->s >= j->end || *j->s != c) {
    char what[32];
    snprintf(what, sizeof what, "expected '%c'", c);
    json_fail(j, what);
  }
  j->s++;
}

/* Reads a string into out (truncated to cap-1 characters; escapes other than \" and \\ kept as-is). */
static void json_string(Json *j, char *out, size_t cap) {
  size_t n = 0;
  json_expect(j, '"');
  while (j->s < j->end && *j->s != '"') {
    char c = *j->s++;
    if (c == '\\') {
      if (j->s >= j->end) break;
      c = *j->s++;
    }
    if (n + 1 < cap) out[n++] = c;
  }
  if (j->s >= j->end) json_fail(j, "unterminated string");
  j->s++;
  out[n] = 0;
}

static int64_t json_int(Json *j) {
  json_ws(j);
  if (j->s >= j->end || *j->s < '0' || *j->s > '9') json_fail(j, "expected a non-negative integer");
  int64_t v = 0;
  while (j->s < j->end && *j->s >= '0' && *j->s <= '9') {
    if (v > (INT64_MAX - 9) / 10) json_fail(j, "integer too large");
    v = v * 10 + (*j->s++ - '0');
  }
  return v;
}

static void json_skip(Json *j, int depth) {
  json_ws(j);
  if (j->s >= j->end) json_fail(j, "unexpected end");
  if (depth > 32) json_fail(j, "nesting too deep");
  char c = *j->s;
  if (c == '"') {
    char dummy[2];
    json_string(j, dummy, sizeof dummy);
  } else if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    j->s++;
    json_ws(j);
    if (j->s < j->end && *j->s == close) {
      j->s++;
      return;
    }
    for (;;) {
      if (c == '{') {
        char key[2];
        json_string(j, key, sizeof key);
        json_expect(j, ':');
      }
      json_skip(j, depth + 1);
      json_ws(j);
      if (j->s < j->end && *j->s == ',') {
        j->s++;
        continue;
      }
      json_expect(j, close);
      return;
    }
  } else {
    while (j->s < j->end && *j->s != ',' && *j->s != '}' && *j->s != ']') j->s++;
  }
}

/* An array of at most cap non-negative integers; returns the count. */
static int json_int_array(Json *j, int64_t *out, int cap) {
  int n = 0;
  json_expect(j, '[');
  json_ws(j);
  if (j->s < j->end && *j->s == ']') {
    j->s++;
    return 0;
  }
  for (;;) {
    int64_t v = json_int(j);
    if (n < cap) out[n] = v;
    n++;
    json_ws(j);
    if (j->s < j->end && *j->s == ',') {
      j->s++;
      continue;
    }
    json_expect(j, ']');
    return n;
  }
}

typedef struct {
  char dtype[16];
  int rank;
  int64_t shape[8];
  int64_t begin, end;
} TensorInfo;

static void json_tensor_info(Json *j, TensorInfo *t) {
  int have_offsets = 0;
  t->dtype[0] = 0;
  t->rank = -1;
  json_expect(j, '{');
  for (;;) {
    char field[32];
    json_string(j, field, sizeof field);
    json_expect(j, ':');
    if (!strcmp(field, "dtype")) {
      json_string(j, t->dtype, sizeof t->dtype);
    } else if (!strcmp(field, "shape")) {
      t->rank = json_int_array(j, t->shape, 8);
    } else if (!strcmp(field, "data_offsets")) {
      int64_t o[2];
      if (json_int_array(j, o, 2) != 2) json_fail(j, "data_offsets must hold 2 integers");
      t->begin = o[0];
      t->end = o[1];
      have_offsets = 1;
    } else {
      json_skip(j, 1);
    }
    json_ws(j);
    if (j->s < j->end && *j->s == ',') {
      j->s++;
      continue;
    }
    json_expect(j, '}');
    break;
  }
  if (!t->dtype[0] || t->rank < 0 || !have_offsets) json_fail(j, "a tensor needs dtype, shape and data_offsets");
}

/* Reads tensor `key` of `path`, which must be F32 [B,3,RES,RES]; returns the data and sets *batch. */
static float *read_input_tensor(const char *path, const char *key, int *batch) {
  FILE *f = fopen(path, "rb");
  if (!f) fail_input("cannot open %s: %s", path, strerror(errno));
  if (fseek(f, 0, SEEK_END) != 0) fail_input("cannot seek in %s", path);
  long size = ftell(f);
  rewind(f);
  unsigned char len_bytes[8];
  if (size < 8 || fread(len_bytes, 1, 8, f) != 8) fail_input("%s: not a safetensors file (shorter than 8 bytes)", path);
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; i--) header_len = header_len << 8 | len_bytes[i];
  if (header_len > (uint64_t)(size - 8) || header_len > 100u * 1024 * 1024)
    fail_input("%s: not a safetensors file (header length %llu, file size %ld)", path, (unsigned long long)header_len,
               size);
  char *header = xmalloc((size_t)header_len + 1);
  if (fread(header, 1, (size_t)header_len, f) != header_len) fail_input("%s: cannot read the header", path);
  header[header_len] = 0;

  Json j = {header, header, header + header_len, path};
  TensorInfo t;
  int found = 0;
  json_expect(&j, '{');
  json_ws(&j);
  if (j.s < j.end && *j.s == '}') json_fail(&j, "no tensors");
  for (;;) {
    char name[256];
    json_string(&j, name, sizeof name);
    json_expect(&j, ':');
    if (!strcmp(name, key)) {
      json_tensor_info(&j, &t);
      found = 1;
    } else {
      json_skip(&j, 1);
    }
    json_ws(&j);
    if (j.s < j.end && *j.s == ',') {
      j.s++;
      continue;
    }
    json_expect(&j, '}');
    break;
  }
  free(header);
  if (!found) fail_input("%s: no tensor '%s' (choose one with --key)", path, key);
  if (strcmp(t.dtype, "F32") != 0) fail_input("%s: tensor '%s' has dtype %s, expected F32", path, key, t.dtype);
  if (t.rank != 4 || t.shape[1] != 3 || t.shape[2] != RES || t.shape[3] != RES || t.shape[0] < 1 || t.shape[0] > 4096) {
    char got[256] = "[";
    for (int i = 0; i < t.rank && i < 8; i++)
      snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? "," : "", (long long)t.shape[i]);
    snprintf(got + strlen(got), sizeof got - strlen(got), "%s]", t.rank > 8 ? ",..." : "");
    fail_input("%s: tensor '%s' has shape %s, expected [B,3,%d,%d] with 1 <= B <= 4096", path, key, got, RES, RES);
  }
  size_t bytes = (size_t)t.shape[0] * SAMPLE * sizeof(float);
  int64_t data_size = size - 8 - (int64_t)header_len;
  if (t.begin > t.end || t.end - t.begin != (int64_t)bytes || t.end > data_size)
    fail_input("%s: tensor '%s' data_offsets [%lld,%lld] do not match its shape (%zu bytes) inside %lld data bytes",
               path, key, (long long)t.begin, (long long)t.end, bytes, (long long)data_size);
  float *data = xmalloc(bytes);
  if (fseek(f, (long)(8 + header_len + (uint64_t)t.begin), SEEK_SET) != 0 || fread(data, 1, bytes, f) != bytes)
    fail_input("%s: cannot read tensor '%s'", path, key);
  fclose(f);
  *batch = (int)t.shape[0];
  return data;
}

/* Writes `logits` [batch, CLASSES] as an F32 safetensors file. Returns 0 on success. */
static int write_logits(const char *path, const float *logits, int batch) {
  char header[256];
  size_t bytes = (size_t)batch * CLASSES * sizeof(float);
  int n = snprintf(header, sizeof header, "{\"logits\":{\"dtype\":\"F32\",\"shape\":[%d,%d],\"data_offsets\":[0,%zu]}}",
                   batch, CLASSES, bytes);
  while (n % 8) header[n++] = ' ';
  unsigned char len_bytes[8];
  for (int i = 0; i < 8; i++) len_bytes[i] = (unsigned char)((uint64_t)n >> (8 * i));
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  int ok = fwrite(len_bytes, 1, 8, f) == 8 && fwrite(header, 1, (size_t)n, f) == (size_t)n &&
           fwrite(logits, 1, bytes, f) == bytes;
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* ---- PPM (P6) images ---- */

/* Skips whitespace and '#' comments, then reads a decimal integer in [1, max]. */
static long ppm_number(FILE *f, const char *path, const char *what, long max) {
  int c = fgetc(f);
  while (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '#') {
    if (c == '#')
      while (c != '\n' && c != EOF) c = fgetc(f);
    c = fgetc(f);
  }
  if (c < '0' || c > '9') fail_input("%s: bad PPM header: expected the %s", path, what);
  long v = 0;
  while (c >= '0' && c <= '9') {
    v = v * 10 + (c - '0');
    if (v > max) fail_input("%s: PPM %s is larger than %ld", path, what, max);
    c = fgetc(f);
  }
  if (v < 1) fail_input("%s: PPM %s is 0", path, what);
  if (c != ' ' && c != '\t' && c != '\n' && c != '\r') fail_input("%s: bad PPM header after the %s", path, what);
  return v;
}

/* Reads a P6 image as planar float RGB in [0,1]: out[c][y][x]. */
static float *read_ppm(const char *path, int *width, int *height) {
  FILE *f = fopen(path, "rb");
  if (!f) fail_input("cannot open %s: %s", path, strerror(errno));
  unsigned char magic[2] = {0, 0};
  if (fread(magic, 1, 2, f) != 2 || magic[0] != 'P' || magic[1] != '6') {
    if (magic[0] == 0x89 && magic[1] == 'P')
      fail_input("%s: PNG is not supported; convert it to a binary PPM (e.g. `convert in.png out.ppm`)", path);
    fail_input("%s: not a binary PPM image (expected the magic 'P6')", path);
  }
  long w = ppm_number(f, path, "width", 16384), h = ppm_number(f, path, "height", 16384);
  long maxval = ppm_number(f, path, "maximum value", 65535);
  int bps = maxval > 255 ? 2 : 1;
  size_t n = (size_t)w * (size_t)h * 3, bytes = n * (size_t)bps;
  unsigned char *raw = xmalloc(bytes);
  size_t got = fread(raw, 1, bytes, f);
  fclose(f);
  if (got != bytes) fail_input("%s: PPM pixel data is short: %zu of %zu bytes (%ldx%ld)", path, got, bytes, w, h);
  float *img = xmalloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) {
    unsigned v = bps == 2 ? (unsigned)raw[2 * i] << 8 | raw[2 * i + 1] : raw[i];
    if (v > (unsigned)maxval) fail_input("%s: a PPM sample is %u, above the maximum value %ld", path, v, maxval);
    size_t c = i % 3, pixel = i / 3;
    img[c * (size_t)w * (size_t)h + pixel] = (float)v / (float)maxval;
  }
  free(raw);
  *width = (int)w;
  *height = (int)h;
  return img;
}

/* PyTorch's bilinear source index (align_corners=False): taps i0, i1 and the weight of i1. */
static void bilinear_tap(int dst, double scale, int in, int *i0, int *i1, float *w1) {
  double src = scale * (dst + 0.5) - 0.5;
  if (src < 0) src = 0;
  *i0 = (int)src;
  if (*i0 > in - 1) *i0 = in - 1;
  *i1 = *i0 + (*i0 < in - 1 ? 1 : 0);
  *w1 = (float)(src - *i0);
}

/* torchvision: Resize(shorter side -> resize, bilinear, no antialias) on a float tensor, CenterCrop(RES),
 * Normalize(ImageNet mean, std). Writes one NCHW sample. */
static void preprocess(const float *img, int w, int h, int resize, float *out) {
  static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
  int new_w, new_h;
  if (w <= h) {
    new_w = resize;
    new_h = (int)((double)resize * h / w);
  } else {
    new_h = resize;
    new_w = (int)((double)resize * w / h);
  }
  int top = (int)rint((new_h - RES) / 2.0), left = (int)rint((new_w - RES) / 2.0);
  double sy = (double)h / new_h, sx = (double)w / new_w;
  for (int y = 0; y < RES; y++) {
    int y0, y1;
    float wy;
    bilinear_tap(y + top, sy, h, &y0, &y1, &wy);
    for (int x = 0; x < RES; x++) {
      int x0, x1;
      float wx;
      bilinear_tap(x + left, sx, w, &x0, &x1, &wx);
      for (int c = 0; c < 3; c++) {
        const float *p = img + (size_t)c * w * h;
        float a = p[(size_t)y0 * w + x0] * (1 - wx) + p[(size_t)y0 * w + x1] * wx;
        float b = p[(size_t)y1 * w + x0] * (1 - wx) + p[(size_t)y1 * w + x1] * wx;
        out[((size_t)c * RES + y) * RES + x] = ((a * (1 - wy) + b * wy) - mean[c]) / std[c];
      }
    }
  }
}

/* ---- main ---- */

static const char *option_value(int argc, char **argv, int *i) {
  if (*i + 1 >= argc) fail_input("%s needs a value (see --help)", argv[*i]);
  return argv[++*i];
}

static void print_top(const float *row, const char *label, int sample) {
  int best[TOP];
  double max = row[0], sum = 0;
  for (int k = 1; k < CLASSES; k++)
    if (row[k] > max) max = row[k];
  for (int k = 0; k < CLASSES; k++) sum += exp((double)row[k] - max);
  int n = CLASSES < TOP ? CLASSES : TOP;
  for (int t = 0; t < n; t++) {
    best[t] = -1;
    for (int k = 0; k < CLASSES; k++) {
      int taken = 0;
      for (int u = 0; u < t; u++) taken |= best[u] == k;
      if (!taken && (best[t] < 0 || row[k] > row[best[t]])) best[t] = k;
    }
  }
  printf("sample %d (%s):\n", sample, label);
  for (int t = 0; t < n; t++)
    printf("  %d. class %4d  p=%.4f  logit=%.4f\n", t + 1, best[t], exp((double)row[best[t]] - max) / sum,
           row[best[t]]);
}

int main(int argc, char **argv) {
  const char *input = NULL, *key = "input", *output = NULL, *weights = NULL, *isa = NULL;
  int resize = RES, n_images = 0;
  const char **images = xmalloc(sizeof(char *) * (size_t)argc);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      printf("%s", usage_text);
      return 0;
    } else if (!strcmp(a, "--input")) {
      input = option_value(argc, argv, &i);
    } else if (!strcmp(a, "--key")) {
      key = option_value(argc, argv, &i);
    } else if (!strcmp(a, "--output")) {
      output = option_value(argc, argv, &i);
    } else if (!strcmp(a, "--weights")) {
      weights = option_value(argc, argv, &i);
    } else if (!strcmp(a, "--isa")) {
      isa = option_value(argc, argv, &i);
    } else if (!strcmp(a, "--resize")) {
      const char *v = option_value(argc, argv, &i);
      char *end;
      long r = strtol(v, &end, 10);
      if (*end || end == v || r < RES || r > 16384)
        fail_input("--resize '%s': expected an integer from %d (the crop size) to 16384", v, RES);
      resize = (int)r;
    } else if (a[0] == '-' && a[1]) {
      fail_input("unknown option '%s' (see --help)", a);
    } else {
      images[n_images++] = a;
    }
  }
  if (!input && !n_images) fail_input("give --input FILE or at least one PPM image (see --help)");
  if (input && n_images) fail_input("give --input FILE or PPM images, not both");

  int batch = n_images;
  float *x;
  if (input) {
    x = read_input_tensor(input, key, &batch);
  } else {
    x = xmalloc(SAMPLE * sizeof(float) * (size_t)batch);
    for (int b = 0; b < batch; b++) {
      int w, h;
      float *img = read_ppm(images[b], &w, &h);
      preprocess(img, w, h, resize, x + (size_t)b * SAMPLE);
      free(img);
    }
  }

  if (isa && EN_FN(force_isa)(isa) != 0) fail_input("--isa: %s", EN_FN(error)(NULL));
  en_model *m = NULL;
  double t0 = now_ms();
  int rc = EN_FN(create)(&m, weights);
  double t1 = now_ms();
  if (rc) {
    fprintf(stderr, "classify: create failed (code %d): %s\n", rc, EN_FN(error)(NULL));
    return 1;
  }
  float *logits = xmalloc(sizeof(float) * CLASSES * (size_t)batch);
  double t2 = now_ms();
  rc = EN_FN(run)(m, x, batch, logits);
  double t3 = now_ms();
  if (rc) {
    fprintf(stderr, "classify: run failed (code %d): %s\n", rc, EN_FN(error)(m));
    return 1;
  }
  for (int b = 0; b < batch; b++) {
    char label[300];
    if (input)
      snprintf(label, sizeof label, "%s[%d]", key, b);
    else
      snprintf(label, sizeof label, "%s", images[b]);
    print_top(logits + (size_t)b * CLASSES, label, b);
  }
  const char *isa_name = isa ? isa : getenv("EFFNETC_ISA");
  if (!isa_name || !*isa_name) isa_name = "auto";
  printf("%s: create %.1f ms; run of batch %d: %.2f ms (%.2f ms per sample), isa %s\n", EN_NAME, t1 - t0, batch,
         t3 - t2, (t3 - t2) / batch, isa_name);
  if (output) {
    if (write_logits(output, logits, batch) != 0) {
      fprintf(stderr, "classify: error: cannot write %s: %s\n", output, strerror(errno));
      return 2;
    }
    printf("wrote logits [%d,%d] to %s\n", batch, CLASSES, output);
  }
  EN_FN(destroy)(m);
  free(logits);
  free(x);
  free(images);
  return 0;
}
