// The plain-C side of a CUDA library: the public header (the x86 API plus <lib>_run_device on
// CUDA device pointers, <UPPER>_CUDA and the _EDEVICE code) and the glue, which loads libcuda at
// create() (a clean _EDEVICE error where there is no driver or device), uses the device's
// primary context (so callers' cudaMalloc pointers work), uploads the weights once, keeps the
// workspace on the device and calls the kernels with no host round trip between them.
#pragma once

#include <string>

#include "codegen/aot/library_plan.h"

namespace codegen {

std::string emit_cuda_public_header(const LibraryPlan& plan);
std::string emit_cuda_glue_c(const LibraryPlan& plan);

}  // namespace codegen
