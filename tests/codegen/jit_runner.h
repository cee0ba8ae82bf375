// Test helper: runs a whole ir::Graph through codegen by JIT, unit by unit (lower_unit per
// compilation unit, weights as views of the packed blob), and returns the graph output in
// the oracle's NCHW [B, ...] form, so op tests compare codegen with oracle::run_graph.
#pragma once

#include "ir/graph.h"
#include "ir/tensor.h"
#include "schedules/target_facts.h"

namespace codegen_test {

// `input` is [B, C, H, W] NCHW like the oracle's; returns graph output 0 as [B, ...].
// `bands`: the band count of kernels that take one (strip fusion with expand_rows = 1).
// `lane_tail`: every unit lowered as a lane tail's kernel (several samples a call).
ir::Tensor run_jit(const ir::Graph& g, const ir::WeightMap& w, const ir::Tensor& input,
                   const schedules::TargetFacts& facts, int bands = 1, bool lane_tail = false);

// True when this CPU runs code for `facts` (AVX-512 / AVX2 checks through Halide's host target).
bool host_supports(const schedules::TargetFacts& facts);

struct Error {
  double max_abs = 0, max_ref = 0;
  bool within_tolerance = true;  // |y - ref| <= atol + rtol |ref| everywhere
};
Error compare(const ir::Tensor& got, const ir::Tensor& ref, double atol, double rtol);

}  // namespace codegen_test
