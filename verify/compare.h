// Compares a result tensor with its reference under the project tolerance (DESIGN.md): every
// element within |y - ref| <= atol + rtol*|ref|, cosine similarity >= min_cosine for every
// sample, and for logits ([B, classes]) the same top-1 class per sample. Max abs / rel error
// and top-5 agreement are reported alongside. Leading dimension = batch.
#pragma once

#include <cstdint>
#include <string>

#include "ir/tensor.h"

namespace verify {

struct Tolerance {
  double atol = 1e-3, rtol = 1e-3, min_cosine = 0.99999;
};

struct Comparison {
  double max_abs = 0;   // max |y - ref|
  double max_rel = 0;   // max |y - ref| / max(|ref|, atol)
  double cosine = 1;    // the smallest per-sample cosine similarity
  int64_t outside = 0;  // elements outside atol + rtol*|ref|; NaN and Inf count as outside
  int64_t count = 0;    // elements compared
  bool logits = false;  // the top-k fields below are filled
  int64_t samples = 0;
  int64_t top1_agree = 0;  // samples whose top-1 class matches the reference's
  int64_t top5_agree = 0;  // samples whose top-5 classes match the reference's as a set
  bool ok = false;
};

// `name` labels errors: a shape mismatch (or logits that are not [B, classes]) throws
// ir::UserError naming it and both shapes.
Comparison compare(const std::string& name, const ir::Tensor& y, const ir::Tensor& ref, bool logits,
                   const Tolerance& tol = {});

}  // namespace verify
