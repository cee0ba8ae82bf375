// What the generated C glue needs to know about a compiled network: the ISAs, the values
// passed between kernels (shape, layout, where they live), the weight views, and the kernel
// calls in order. Built by compile_library (codegen/aot/compile_library.h) from the units.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace codegen {

struct PlannedValue {
  ir::Dims shape;      // per sample
  std::string layout;  // "nchw" | "nhwc" (rank 3)
  enum class Home { UserInput, UserOutput, Workspace } home = Home::Workspace;
  int64_t offset = 0;  // in floats from the workspace start (Home::Workspace)
  // Made before the lane tail and read in it: tail_chunk samples' slots, alive all run long.
  bool gathered = false;
};

struct PlannedCall {
  int kernel = 0;
  std::vector<int> inputs, outputs;  // indices into LibraryPlan::values
  std::vector<int> weights;          // indices into LibraryPlan::weight_views
  bool bands = false;                // the kernel takes a band count after its weights (strip fusion)
  // A lane tail's call (lane_tail.h): the kernel for a call on one sample (`kernel` runs a
  // gathered chunk); -1 elsewhere. Same arguments, the single-sample unit's own schedule.
  int single_kernel = -1;
};

struct WeightView {
  int64_t offset, numel;  // floats in the packed blob
};

struct LibraryPlan {
  std::string lib;                // C identifier, e.g. "efficientnet_b0"
  std::vector<std::string> isas;  // ISA names in dispatch-table order, e.g. {"avx512", "avx2", "baseline"}
  bool cuda = false;               // isas == {"cuda"}: weights and workspace live on the GPU (glue_cuda.h)
  int kernels = 0;
  std::vector<PlannedValue> values;
  std::vector<WeightView> weight_views;
  std::vector<PlannedCall> calls;
  int input_value = -1, output_value = -1;
  int resolution = 0;
  int64_t input_numel = 0, output_numel = 0;  // per sample
  int batch_chunk = 1;                        // samples per pass through the workspace
  // The lane tail (x86): calls [tail_call, calls.size()) run once for up to tail_chunk samples
  // of a lane, gathered there one by one by the calls before (-1: none; lane_tail.h).
  int tail_call = -1;
  int tail_chunk = 1;
  int64_t workspace_floats = 0;               // for batch_chunk samples (tail values: tail_chunk)
  int64_t blob_floats = 0;
  uint64_t blob_checksum = 0;
  bool external_weights = false;
  std::string version;  // effnetc version, for the generated comments
};

}  // namespace codegen
