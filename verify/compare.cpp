#include "verify/compare.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "ir/diagnostics.h"

namespace verify {
namespace {

// Indices of the k largest values of row[0, n), largest first; ties go to the lower index and
// NaN ranks lowest.
std::vector<int64_t> top_k(const float* row, int64_t n, int64_t k) {
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0);
  k = std::min(k, n);
  auto key = [&](int64_t i) { return std::isnan(row[i]) ? -INFINITY : row[i]; };
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                    [&](int64_t a, int64_t b) { return key(a) > key(b) || (key(a) == key(b) && a < b); });
  idx.resize(size_t(k));
  return idx;
}

}  // namespace

Comparison compare(const std::string& name, const ir::Tensor& y, const ir::Tensor& ref, bool logits,
                   const Tolerance& tol) {
  if (y.shape != ref.shape)
    throw ir::UserError(name + ": shape " + ir::dims_str(y.shape) + " differs from the reference's " +
                        ir::dims_str(ref.shape));
  if (int64_t(y.data.size()) != ir::numel(y.shape) || int64_t(ref.data.size()) != ir::numel(ref.shape))
    throw ir::InternalError(name + ": tensor data does not match its shape " + ir::dims_str(y.shape));
  if (logits && y.shape.size() != 2)
    throw ir::UserError(name + ": logits must be [batch, classes], got " + ir::dims_str(y.shape));

  Comparison c;
  c.count = int64_t(y.data.size());
  c.samples = y.shape.empty() ? 1 : y.shape[0];
  int64_t per_sample = c.samples ? c.count / c.samples : 0;
  for (int64_t s = 0; s < c.samples; s++) {
    double dot = 0, yy = 0, rr = 0;
    for (int64_t i = s * per_sample; i < (s + 1) * per_sample; i++) {
      double a = y.data[size_t(i)], r = ref.data[size_t(i)], diff = std::fabs(a - r);
      if (!std::isfinite(diff)) diff = INFINITY;
      c.max_abs = std::max(c.max_abs, diff);
      c.max_rel = std::max(c.max_rel, diff / std::max(std::fabs(r), tol.atol));
      if (!(diff <= tol.atol + tol.rtol * std::fabs(r))) c.outside++;
      dot += a * r;
      yy += a * a;
      rr += r * r;
    }
    double cosine = yy == 0 && rr == 0 ? 1.0 : (yy == 0 || rr == 0 ? 0.0 : dot / std::sqrt(yy * rr));
    if (std::isnan(cosine) || cosine < c.cosine) c.cosine = cosine;
  }

  c.logits = logits;
  if (logits) {
    int64_t classes = y.shape[1];
    for (int64_t s = 0; s < c.samples; s++) {
      const float* a = y.data.data() + s * classes;
      const float* r = ref.data.data() + s * classes;
      std::vector<int64_t> ya = top_k(a, classes, 5), ra = top_k(r, classes, 5);
      if (!ya.empty() && ya[0] == ra[0]) c.top1_agree++;
      std::sort(ya.begin(), ya.end());
      std::sort(ra.begin(), ra.end());
      if (ya == ra) c.top5_agree++;
    }
  }
  c.ok = c.outside == 0 && c.cosine >= tol.min_cosine && (!logits || c.top1_agree == c.samples);
  return c;
}

}  // namespace verify
