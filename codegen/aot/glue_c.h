// Writes the plain-C side of a generated library: the public header (<lib>.h, the API of
// docs/DESIGN.md "Generated library") and the glue (<lib>_glue.c) that owns the workspace,
// the Halide arena and error handlers, picks the ISA by cpuid and calls the kernels in order.
// The glue is compiled with `cc`; it needs only HalideRuntime.h and the kernel headers.
#pragma once

#include <string>

#include "codegen/aot/library_plan.h"

namespace codegen {

std::string emit_public_header(const LibraryPlan& plan);
std::string emit_glue_c(const LibraryPlan& plan);

// FNV-1a over the blob's 32-bit words: the checksum create() verifies for a weights file.
uint64_t blob_checksum(const float* data, size_t count);

}  // namespace codegen
