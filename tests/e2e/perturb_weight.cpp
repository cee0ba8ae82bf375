// perturb_weight IN OUT KEY FACTOR: copies a safetensors weights file with tensor KEY
// multiplied by FACTOR, so the negative end-to-end test can show verify catching it.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "frontend/safetensors.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: perturb_weight IN OUT KEY FACTOR\n");
    return 2;
  }
  try {
    ir::WeightMap w = frontend::read_safetensors(argv[1]);
    auto it = w.find(argv[3]);
    if (it == w.end()) {
      std::fprintf(stderr, "perturb_weight: %s has no tensor '%s'\n", argv[1], argv[3]);
      return 2;
    }
    float factor = std::strtof(argv[4], nullptr);
    for (float& v : it->second.data) v *= factor;
    frontend::write_safetensors(argv[2], w);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "perturb_weight: %s\n", e.what());
    return 2;
  }
  return 0;
}
