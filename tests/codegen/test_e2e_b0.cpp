// End to end: `effnetc compile b0 --random-weights 1`, then a plain C program (app_smoke.c)
// linked with `cc app.c -L DIR -lefficientnet_b0 -lpthread -ldl -lm` runs it with
// EFFNETC_ISA=avx512 and =avx2, each with HL_NUM_THREADS=1 and 2 (2: the batch runs as one
// lane per thread), and at 2 threads again with EFFNETC_ARENA_WORST_CASE=1; its logits must
// match the oracle on the unfused graph within |y-ref| <= 1e-3 + 1e-3|ref| with the same top-1.
// The app also checks API misuse, batch chunking and two threads. A second build covers
// --no-fusion with --external-weights, a third strip fusion in every block (expand_rows = 1
// from a tuned database: kernels that take the band count, one band per sample in lanes and
// one per thread for batch 1, which the app compares).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "frontend/build_graph.h"
#include "frontend/random_weights.h"
#include "ir/passes/choose_tiling.h"
#include "ir/pipeline.h"
#include "oracle/executor.h"
#include "schedules/autotuner/host_info.h"
#include "schedules/autotuner/tuning_db.h"
#include "schedules/target_facts.h"
#include "tests/codegen/jit_runner.h"

namespace {

const std::string kWork = EFFNETC_E2E_DIR;
constexpr int kBatch = 2;

int sh(const std::string& cmd) {
  std::printf("$ %s\n", cmd.c_str());
  std::fflush(stdout);
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// app_smoke.c's input_value, in C++.
ir::Tensor input_batch(int batch, int r) {
  ir::Tensor t{{batch, 3, r, r}, std::vector<float>(size_t(batch) * 3 * r * r)};
  for (uint32_t i = 0; i < t.data.size(); i++) {
    uint32_t h = i * 2654435761u;
    h ^= h >> 16;
    uint32_t x = i % uint32_t(r), y = (i / r) % uint32_t(r), c = (i / r / r) % 3, b = i / r / r / 3;
    double noise = double(h % 2001u) / 1000.0 - 1.0;
    t.data[i] = float(0.25 * noise + std::sin(0.05 * double((b + 1) * x) + 0.03 * double(y * (c + 1)) + double(b)));
  }
  return t;
}

const ir::Tensor& oracle_logits() {
  static const ir::Tensor logits = [] {
    ir::Graph g = frontend::build_graph(*frontend::builtin_spec("b0"));
    return oracle::run_graph(g, frontend::random_weights(g, 1), input_batch(kBatch, 224), 2).at(0);
  }();
  return logits;
}

int top1(const float* row, int n) {
  int best = 0;
  for (int i = 1; i < n; i++)
    if (row[i] > row[best]) best = i;
  return best;
}

// Builds the app against DIR and checks its logits on each ISA the CPU has.
void run_app_and_compare(const std::string& dir, const std::vector<std::string>& isas, const std::string& weights) {
  std::string app = dir + "/app_smoke";
  REQUIRE(sh("cc -O2 -Wall -o " + app + " " + EFFNETC_APP_SMOKE + " -I " + dir + " -L " + dir +
             " -lefficientnet_b0 -lpthread -ldl -lm") == 0);
  const ir::Tensor& ref = oracle_logits();
  const int classes = int(ref.shape[1]);
  for (const auto& isa : isas) {
    if (!codegen_test::host_supports(schedules::target_facts("x86-" + isa))) {
      std::printf("[SKIP] %s: this CPU lacks %s\n", dir.c_str(), isa.c_str());
      continue;
    }
    // threads, and whether the arena's bump pointer may reset inside a kernel (0) or only at its
    // end (1: EFFNETC_ARENA_WORST_CASE, the most any overlap of parallel tasks can need)
    for (auto [threads, worst] : {std::pair{1, 0}, std::pair{2, 0}, std::pair{2, 1}}) {
      std::string out = dir + "/logits_" + isa + "_t" + std::to_string(threads) + "_w" + std::to_string(worst) + ".bin";
      REQUIRE(sh("cd " + dir + " && EFFNETC_ARENA_WORST_CASE=" + std::to_string(worst) + " EFFNETC_ISA=" + isa +
                 " HL_NUM_THREADS=" + std::to_string(threads) + " " + app + " " + out + " " + std::to_string(kBatch) +
                 " " + weights) == 0);
      std::vector<float> got(ref.data.size());
      std::ifstream f(out, std::ios::binary);
      f.read(reinterpret_cast<char*>(got.data()), std::streamsize(got.size() * sizeof(float)));
      REQUIRE(f.gcount() == std::streamsize(got.size() * sizeof(float)));
      ir::Tensor got_t{ref.shape, got};
      codegen_test::Error e = codegen_test::compare(got_t, ref, 1e-3, 1e-3);
      std::printf("%s isa %s, %d thread(s)%s: logits max-abs error %.3g (normalised %.3g)\n", dir.c_str(), isa.c_str(),
                  threads, worst ? ", worst-case arena" : "", e.max_abs, e.max_abs / e.max_ref);
      INFO(dir << " " << isa << " " << threads << " thread(s), worst-case arena " << worst << ": max-abs " << e.max_abs);
      CHECK(e.within_tolerance);
      // Tighter than the project tolerance: float vs the oracle's double measured ~5e-7, while a
      // sample mix-up moves these random-weight logits by ~2e-3.
      CHECK(e.max_abs <= 1e-4);
      for (int b = 0; b < kBatch; b++)
        CHECK(top1(got.data() + b * classes, classes) == top1(ref.data.data() + b * classes, classes));
    }
  }
}

}  // namespace

TEST_CASE("b0 fused, x86-64-linux (AVX-512, AVX2, baseline), embedded weights") {
  std::string dir = kWork + "/b0";
  REQUIRE(sh(std::string("rm -rf ") + dir + " && " + EFFNETC_BIN +
             " compile b0 --random-weights 1 --target x86-64-linux -o " + dir) == 0);
  run_app_and_compare(dir, {"avx512", "avx2"}, "");
  // The same app with every heap allocation counted: run() must make none.
  std::string counting = dir + "/app_smoke_counting";
  REQUIRE(sh("cc -O2 -DCOUNT_ALLOCS -o " + counting + " " + EFFNETC_APP_SMOKE + " -I " + dir + " -L " + dir +
             " -lefficientnet_b0 -lpthread -ldl -lm "
             "-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=posix_memalign") == 0);
  CHECK(sh("cd " + dir + " && HL_NUM_THREADS=2 " + counting + " " + dir + "/counted.bin 2") == 0);
}

TEST_CASE("b0 --no-fusion, AVX2 only, external weights") {
  std::string dir = kWork + "/b0_unfused";
  REQUIRE(sh(std::string("rm -rf ") + dir + " && " + EFFNETC_BIN +
             " compile b0 --random-weights 1 --target x86-64-linux-avx2 --no-fusion --external-weights -o " + dir) ==
          0);
  run_app_and_compare(dir, {"avx2"}, dir + "/efficientnet_b0.weights");
  // Without the file the library refuses to start; a file of other weights fails the checksum.
  CHECK(sh(dir + "/app_smoke " + dir + "/unused.bin 1") != 0);
  REQUIRE(sh("cp " + dir + "/efficientnet_b0.weights " + dir + "/other.weights && printf 'XXXX' | dd of=" + dir +
             "/other.weights bs=1 seek=64 conv=notrunc status=none") == 0);
  CHECK(sh(dir + "/app_smoke " + dir + "/unused.bin 1 " + dir + "/other.weights") != 0);
}

TEST_CASE("b0 with strip fusion in every block (a database of expand_rows = 1), AVX-512") {
  const auto& facts = schedules::target_facts("x86-avx512");
  if (!codegen_test::host_supports(facts)) {
    std::printf("[SKIP] strip fusion build: this CPU lacks avx512\n");
    return;
  }
  ir::Graph g = frontend::build_graph(*frontend::builtin_spec("b0"));
  ir::PipelineOptions o;
  o.disabled = {"choose_tiling"};
  ir::run_pipeline(g, nullptr, o);
  autotuner::TuningDb db;
  db.id = {facts.name, autotuner::cpu_model(), 2};
  for (const auto& n : g.nodes) {
    std::vector<int> consumers = g.consumers(n.id);
    if (n.op != "conv2d" || n.get_int("groups") != 1 || n.has("ref") || consumers.size() != 1 ||
        g.node(consumers[0]).get_int("groups", 1) == 1)
      continue;
    autotuner::DbEntry e;
    e.knobs = {{"expand_rows", 1}};
    e.best_ms = 0.5;  // below default_ms, so compile applies it (ir::tuned_knobs_apply)
    e.default_ms = 1.0;
    db.entries[ir::tuning_key(g, n)] = e;
  }
  REQUIRE(db.entries.size() >= 5);  // distinct expand keys of b0's 15 expand convs
  std::string dir = kWork + "/b0_strips";
  REQUIRE(sh("rm -rf " + dir + " && mkdir -p " + dir) == 0);
  autotuner::write_db_atomic(dir + "/strips.json", db);
  REQUIRE(sh(std::string(EFFNETC_BIN) + " compile b0 --random-weights 1 --target x86-64-linux-avx512 --db " + dir +
             "/strips.json -o " + dir + "/lib") == 0);
  std::ifstream manifest(dir + "/lib/manifest.json");
  std::string text((std::istreambuf_iterator<char>(manifest)), std::istreambuf_iterator<char>());
  REQUIRE(text.find("\"used\": true") != std::string::npos);
  run_app_and_compare(dir + "/lib", {"avx512"}, "");
}

