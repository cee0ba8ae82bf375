// safetensors files (8-byte LE header length, JSON header, raw little-endian data), validated as
// the safetensors library does: header cap, known dtypes, no duplicate keys, shape products without
// overflow, offsets that cover the data section exactly, finite values. F16/BF16/F64 become float;
// I64 `*num_batches_tracked` counters are skipped. Every error is an ir::UserError naming the file and
// tensor. Pickled .pt files are never read.
#pragma once

#include <map>
#include <string>

#include "ir/tensor.h"

namespace frontend {

ir::WeightMap read_safetensors(const std::string& path);
// `bytes` is a whole file's contents; `source` names it in error messages.
ir::WeightMap parse_safetensors(const std::string& bytes, const std::string& source);
// Writes every tensor as F32, in name order; `metadata` becomes the header's __metadata__.
void write_safetensors(const std::string& path, const ir::WeightMap& weights,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace frontend
