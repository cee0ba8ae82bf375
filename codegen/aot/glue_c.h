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

// Pieces the CUDA glue (codegen/aot/glue_cuda.h) shares: the plan's sizes and tables (VALUES,
// WEIGHT_VIEWS, ...); the Halide hooks, arena, weights loading and _error(), which expect a
// `struct <lib>` with the x86 handle's common fields; run_kernels(), calling each unit's kernel
// through the ISA dispatch tables or (dispatch = false) directly for the plan's only ISA.
std::string glue_fill(const std::string& text, const LibraryPlan& plan);  // @LIB@, @UPPER@, @VERSION@
std::string glue_replace_all(const std::string& text, const std::string& from, const std::string& to);
std::string glue_plan_tables(const LibraryPlan& plan);
std::string glue_shared_c(const LibraryPlan& plan);
std::string glue_run_kernels(const LibraryPlan& plan, bool dispatch);

// FNV-1a over the blob's 32-bit words: the checksum create() verifies for a weights file.
uint64_t blob_checksum(const float* data, size_t count);

}  // namespace codegen
