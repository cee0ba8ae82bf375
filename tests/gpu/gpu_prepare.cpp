// gpu_prepare: the inputs of one CUDA check, made without Halide, torch or the network (so the binary
// can be carried to a GPU machine): for a built-in variant and seed it writes to DIR
//   <lib>.weights       the packed blob `effnetc compile <v> --random-weights SEED --target cuda` packs
//                       (create() verifies its size and checksum against the library)
//   weights.safetensors the same random weights under torchvision's names (tools/gpu/torch_reference.py)
//   input.bin           BATCH deterministic NCHW samples (float32, the formula of tests/codegen/app_smoke.c)
//   oracle_logits.bin   with --oracle: the oracle's logits for input.bin (float32 [BATCH, classes])
// usage: gpu_prepare <b0..b7> --seed S --batch B --out DIR [--oracle] [--threads T]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "frontend/build_graph.h"
#include "frontend/random_weights.h"
#include "frontend/safetensors.h"
#include "ir/diagnostics.h"
#include "ir/passes/pack_weights.h"
#include "ir/pipeline.h"
#include "oracle/executor.h"

namespace {

void write_floats(const std::string& path, const std::vector<float>& v) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(float)));
  if (!f) throw ir::UserError("cannot write '" + path + "'");
}

// app_smoke.c's input_value: a smooth pattern that differs per sample plus a little noise.
std::vector<float> make_input(int batch, int r) {
  std::vector<float> x(size_t(batch) * 3 * r * r);
  for (uint32_t i = 0; i < x.size(); i++) {
    uint32_t h = i * 2654435761u;
    h ^= h >> 16;
    uint32_t px = i % uint32_t(r), py = (i / r) % uint32_t(r), c = (i / r / r) % 3, b = i / r / r / 3;
    double noise = double(h % 2001u) / 1000.0 - 1.0;
    x[i] = float(0.25 * noise + std::sin(0.05 * double((b + 1) * px) + 0.03 * double(py * (c + 1)) + double(b)));
  }
  return x;
}

int usage() {
  std::fprintf(stderr, "usage: gpu_prepare <b0..b7> --seed S --batch B --out DIR [--oracle] [--threads T]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string variant = argv[1], out;
  long seed = -1, batch = 0, threads = long(std::max(1u, std::thread::hardware_concurrency()));
  bool oracle = false;
  for (int i = 2; i < argc; i++) {
    std::string a = argv[i];
    bool has_value = i + 1 < argc;
    if (a == "--seed" && has_value) {
      seed = std::atol(argv[++i]);
    } else if (a == "--batch" && has_value) {
      batch = std::atol(argv[++i]);
    } else if (a == "--threads" && has_value) {
      threads = std::atol(argv[++i]);
    } else if (a == "--out" && has_value) {
      out = argv[++i];
    } else if (a == "--oracle") {
      oracle = true;
    } else {
      return usage();
    }
  }
  if (seed < 0 || batch < 1 || threads < 1 || out.empty()) return usage();
  try {
    auto spec = frontend::builtin_spec(variant);
    if (!spec) throw ir::UserError("unknown variant '" + variant + "' (expected b0..b7)");
    std::filesystem::create_directories(out);
    ir::Graph g = frontend::build_graph(*spec);
    ir::WeightMap w = frontend::random_weights(g, uint64_t(seed));
    frontend::write_safetensors(out + "/weights.safetensors", w, {{"seed", std::to_string(seed)}});
    const int r = int(spec->resolution);
    std::vector<float> input = make_input(int(batch), r);
    write_floats(out + "/input.bin", input);
    if (oracle) {
      ir::Tensor x{{batch, 3, r, r}, input};
      write_floats(out + "/oracle_logits.bin", oracle::run_graph(g, w, x, int(threads)).at(0).data);
    }
    // Exactly what cli/cmd_compile.cpp packs for --target cuda (fused pipeline).
    ir::PipelineOptions po;
    po.target = "cuda";
    ir::PipelineResult pr = ir::run_pipeline(g, &w, po);
    std::vector<float> blob = pr.packed.empty() ? ir::pack_weights(g, w) : pr.packed;
    write_floats(out + "/efficientnet_" + variant + ".weights", blob);
    std::printf("gpu_prepare %s seed %ld: %s (%zu weight floats, batch %ld%s)\n", variant.c_str(), seed, out.c_str(),
                blob.size(), batch, oracle ? ", oracle logits" : "");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gpu_prepare: %s\n", e.what());
    return 2;
  }
  return 0;
}
