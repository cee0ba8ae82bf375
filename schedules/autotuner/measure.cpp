#include "schedules/autotuner/measure.h"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>

#include "codegen/aot/task_pool.h"
#include "codegen/jit_unit.h"
#include "codegen/lower_to_halide.h"
#include "ir/passes/block_weights.h"
#include "schedules/autotuner/adams2019.h"

namespace autotuner {
namespace {

using Clock = std::chrono::steady_clock;

// Timing: runs are repeated in batches of at least kMinBatchMs, then batches are taken until
// there are kMinSamples of them and kMinTotalMs have passed (at most kMaxSamples); the result
// is the median batch divided by its runs. Paired with a baseline, pairs of batches instead.
constexpr double kMinBatchMs = 1.0, kMinTotalMs = 100.0, kPairedWarmupMs = 20.0;
constexpr int kMinSamples = 5, kMaxSamples = 25;
constexpr double kAtol = 1e-4, kRtol = 1e-4;

// Fixed pseudo-random floats in [-scale, scale): the same for every candidate of a key.
void fill_random(float* p, size_t n, uint64_t seed, float scale) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; i++) {
    x += 0x9E3779B97F4A7C15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    p[i] = scale * (float(z >> 40) / float(1 << 23) - 1.0f);
  }
}

// Halide buffer dims of a per-sample value shape in its layout, batch 1.
std::vector<halide_dimension_t> dims_of(const ir::Node& n) {
  const ir::Dims& s = n.shape;
  if (s.size() == 1) return {{0, int(s[0]), 1, 0}, {0, 1, int(s[0]), 0}};
  int c = int(s[0]), h = int(s[1]), w = int(s[2]);
  bool nchw = codegen::value_layout(n) == "nchw";
  return {{0, c, nchw ? h * w : 1, 0}, {0, w, nchw ? 1 : c, 0}, {0, h, nchw ? w : c * w, 0}, {0, 1, c * h * w, 0}};
}

// Fixed random weights for Param `p` of unit `u`, scaled by 1/sqrt(fan-in): the same logical
// tensor for every candidate, so 1x1 weights are drawn in hwio order [I, O] and then laid out as
// the candidate's graph `g` gives their conv (its blocks, zero-padded past O where its tile is).
Halide::Buffer<float> random_weight(const ir::Graph& g, const codegen::Unit& u, const ir::Param& p, uint64_t seed) {
  for (int id : u.nodes) {
    const ir::Node& n = g.node(id);
    const ir::Param* w = n.param("weight");
    if (!w || w->name != p.name || !ir::blockable(n)) continue;
    const int64_t out = n.get_int("out"), in = w->shape[w->shape.size() - 2];  // [..., I, O] or [..., I, B]
    std::vector<float> io(size_t(in * out));
    fill_random(io.data(), io.size(), seed, float(1.0 / std::sqrt(double(std::max<int64_t>(1, in)))));
    Halide::Buffer<float> b(int(ir::numel(w->shape)));
    if (n.has("weight_block"))
      ir::block_hwio(io.data(), b.data(), in, out, n.get_int("weight_block"));
    else
      std::copy(io.begin(), io.end(), b.data());
    return b;
  }
  const size_t count = size_t(ir::numel(p.shape));
  const float scale = float(1.0 / std::sqrt(double(std::max<int64_t>(1, int64_t(count) / p.shape.back()))));
  Halide::Buffer<float> b{int(count)};
  fill_random(b.data(), count, seed, scale);
  return b;
}

struct ChildResult {
  int32_t ok = 0;
  double ms = 0, baseline_ms = 0, ratio = 0, max_abs_error = 0;
  uint64_t floats = 0;
  uint32_t message_bytes = 0;
};

bool write_all(int fd, const void* data, size_t bytes) {
  const char* p = static_cast<const char*>(data);
  while (bytes) {
    ssize_t n = ::write(fd, p, bytes);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n, bytes -= size_t(n);
  }
  return true;
}

void report(int fd, ChildResult r, const std::string& message, const std::vector<float>* output) {
  r.message_bytes = uint32_t(message.size());
  r.floats = output ? output->size() : 0;
  write_all(fd, &r, sizeof r);
  write_all(fd, message.data(), message.size());
  if (output) write_all(fd, output->data(), output->size() * sizeof(float));
}

// One schedule of the unit in the child: lowered, JIT-compiled, and given fixed inputs and
// weights (laid out for this schedule's tiles) and its own output buffers.
struct Prepared {
  ir::Graph graph;
  std::unique_ptr<codegen::JitUnit> jit;
  int bands = 1;
  std::vector<Halide::Buffer<float>> inputs, weights;
  std::vector<std::vector<float>> out_data;
  std::vector<Halide::Buffer<float>> outs;

  // Wall time of `runs` calls, in ms.
  double run_ms(int runs) {
    std::vector<halide_buffer_t*> in, w, out;
    for (auto& b : inputs) in.push_back(b.raw_buffer());
    for (auto& b : weights) w.push_back(b.raw_buffer());
    for (auto& b : outs) out.push_back(b.raw_buffer());
    auto start = Clock::now();
    for (int i = 0; i < runs; i++) jit->run(in, w, bands, out);
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  }
  // Calls per timed batch: at least kMinBatchMs of them (the first call has run).
  int batch_runs() { return std::max(1, int(std::ceil(kMinBatchMs / std::max(run_ms(1), 1e-3)))); }
};

// `u` with its weights' shapes as candidate graph `g` lays them out (blocked, or padded, for the
// candidate's tiles): the kernel's weight arguments are checked against them.
codegen::Unit with_weights_of(const ir::Graph& g, codegen::Unit u) {
  for (auto& w : u.weights)
    for (int id : u.nodes)
      for (const auto& p : g.node(id).params)
        if (p.name == w.name) w = p;
  return u;
}

std::unique_ptr<Prepared> prepare(const MeasureRequest& rq, const codegen::UnitSchedule& schedule, bool adams) {
  auto p = std::make_unique<Prepared>();
  p->graph = adams ? *rq.graph : candidate_graph(*rq.graph, schedule);
  const ir::Graph& g = p->graph;
  const codegen::Unit u = with_weights_of(g, *rq.unit);
  codegen::LoweredUnit lu =
      adams ? adams2019_unit(g, u, *rq.facts, rq.threads) : codegen::lower_unit(g, u, schedule, *rq.facts);
  p->bands = rq.threads;  // a band per thread, as a library at batch 1
  // Halide allocates (64-B aligned, as the weights' host alignment requires); the child exits after.
  for (size_t i = 0; i < u.inputs.size(); i++) {
    const ir::Node& n = g.node(u.inputs[i]);
    auto d = dims_of(n);
    Halide::Buffer<float> b(nullptr, int(d.size()), d.data());
    b.allocate();
    fill_random(b.data(), size_t(b.number_of_elements()), 1000 + i, 1.0f);
    p->inputs.push_back(b);
  }
  for (size_t i = 0; i < u.weights.size(); i++) p->weights.push_back(random_weight(g, u, u.weights[i], 2000 + i));
  p->out_data.reserve(u.outputs.size());  // the buffers below point into these vectors
  for (int id : u.outputs) {
    const ir::Node& n = g.node(id);
    p->out_data.emplace_back(size_t(ir::numel(n.shape)), NAN);
    auto d = dims_of(n);
    p->outs.emplace_back(Halide::Buffer<float>(p->out_data.back().data(), int(d.size()), d.data()));
  }
  Halide::JITHandlers handlers;
  handlers.custom_do_par_for =
      reinterpret_cast<decltype(Halide::JITHandlers::custom_do_par_for)>(&effnetc_task_pool_par_for);
  p->jit = std::make_unique<codegen::JitUnit>(lu, Halide::Target(rq.facts->halide_target), handlers);
  return p;
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// Alone: batches until kMinSamples of them and kMinTotalMs (at most kMaxSamples); the median
// batch per call.
double time_alone(Prepared& p) {
  int batch = p.batch_runs();
  std::vector<double> samples;
  double total = 0;
  while (int(samples.size()) < kMaxSamples && (int(samples.size()) < kMinSamples || total < kMinTotalMs)) {
    double t = p.run_ms(batch);
    samples.push_back(t / batch);
    total += t;
  }
  return median(samples);
}

// Paired with the baseline: a batch of each in turn (ABBA order), after kPairedWarmupMs of
// both, as many pairs as time_alone takes batches. Both see the same moments of the machine, so
// their ratio holds through the VM's phases (a unit's default timed 0.37 and 0.63 ms in
// consecutive child processes at 2 threads, 2026-11-29).
void time_paired(Prepared& candidate, Prepared& baseline, ChildResult& r) {
  int cb = candidate.batch_runs(), bb = baseline.batch_runs();
  for (double warm = 0; warm < kPairedWarmupMs;) warm += candidate.run_ms(cb) + baseline.run_ms(bb);
  std::vector<double> c, b, ratio;
  double total = 0;
  while (int(ratio.size()) < kMaxSamples && (int(ratio.size()) < kMinSamples || total < kMinTotalMs)) {
    bool candidate_first = ratio.size() % 2 == 0;
    double tc = 0, tb = 0;
    if (candidate_first) tc = candidate.run_ms(cb);
    tb = baseline.run_ms(bb);
    if (!candidate_first) tc = candidate.run_ms(cb);
    c.push_back(tc / cb);
    b.push_back(tb / bb);
    ratio.push_back(c.back() / b.back());
    total += tc + tb;
  }
  r.ms = median(c);
  r.baseline_ms = median(b);
  r.ratio = median(ratio);
}

// The child: never returns.
[[noreturn]] void run_child(const MeasureRequest& rq, int fd) {
  ChildResult r;
  std::string message;
  std::vector<float> output;
  bool send_output = false;
  try {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // a killed tuner takes its candidate with it
    // Freed blocks stay in the heap (no mmap/munmap per run): page faults cost ~9 µs each on
    // the project VM (HALIDE14_NOTES), and the generated library's arena has none either.
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, -1);
    // One malloc arena for all threads: a pool thread's own arena grows in heaps of at most 64 MB
    // and maps anything larger afresh on every call, whatever the threshold. b6's and b7's stride-2
    // strips (104 and 118 MB per task before they were folded) timed 17.1 ms instead of 7.2 ms.
    mallopt(M_ARENA_MAX, 1);
    setenv("HL_NUM_THREADS", std::to_string(rq.threads).c_str(), 1);
    effnetc_task_pool_start();  // the generated libraries' pool, so candidates run as they will there
    if (rq.adams2019) {  // Adams2019 prints its search to stderr; failures come back through the pipe
      int null = ::open("/dev/null", O_WRONLY);
      if (null >= 0) ::dup2(null, 2), ::close(null);
    }
    std::unique_ptr<Prepared> candidate = prepare(rq, rq.schedule, rq.adams2019);
    if (rq.baseline) {
      std::unique_ptr<Prepared> baseline = prepare(rq, *rq.baseline, false);
      time_paired(*candidate, *baseline, r);
    } else {
      r.ms = time_alone(*candidate);
    }
    for (const auto& o : candidate->out_data) output.insert(output.end(), o.begin(), o.end());
    if (rq.hook) rq.hook(rq.schedule, output);
    r.ok = 1;
    if (rq.reference) {
      if (rq.reference->size() != output.size()) {
        r.ok = 0;
        message = "output has " + std::to_string(output.size()) + " values, the reference " +
                  std::to_string(rq.reference->size());
      }
      for (size_t i = 0; r.ok && i < output.size(); i++) {
        double ref = (*rq.reference)[i], d = std::fabs(double(output[i]) - ref);
        if (!(d <= r.max_abs_error)) r.max_abs_error = d;
        if (!(d <= kAtol + kRtol * std::fabs(ref))) {
          r.ok = 0;
          message = "output " + std::to_string(i) + " is " + std::to_string(output[i]) + ", the default schedule's " +
                    std::to_string(ref) + " (tolerance 1e-4 + 1e-4|ref|)";
        }
      }
    } else {
      send_output = true;
    }
  } catch (const std::exception& e) {
    r.ok = 0;
    message = e.what();
  } catch (...) {
    r.ok = 0;
    message = "unknown exception";
  }
  std::replace(message.begin(), message.end(), '\n', ' ');
  report(fd, r, message, send_output ? &output : nullptr);
  ::close(fd);
  ::_exit(0);
}

// Reads everything the child writes until EOF or the deadline; false on timeout.
bool read_until(int fd, std::vector<char>& bytes, Clock::time_point deadline) {
  char buf[1 << 16];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int rc = ::poll(&p, 1, int(std::min<long long>(left, 1000)));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    bytes.insert(bytes.end(), buf, buf + n);
  }
}

}  // namespace

ir::Graph candidate_graph(const ir::Graph& graph, const codegen::UnitSchedule& schedule) {
  ir::Graph g = graph;
  for (const auto& [id, s] : schedule)
    if (ir::blockable(g.node(id))) ir::set_weight_block(g.node(id), s);
  return g;
}

Measurement measure(const MeasureRequest& rq) {
  Measurement m;
  int fds[2];
  if (::pipe(fds) != 0) {
    m.error = std::string("pipe failed: ") + std::strerror(errno);
    return m;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    m.error = std::string("fork failed: ") + std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return m;
  }
  if (pid == 0) {
    ::close(fds[0]);
    run_child(rq, fds[1]);
  }
  ::close(fds[1]);
  std::vector<char> bytes;
  bool finished = read_until(fds[0], bytes, rq.deadline);
  ::close(fds[0]);
  if (!finished) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!finished) {
    m.timed_out = true;
    m.error = "timed out";
    return m;
  }
  ChildResult r;
  if (bytes.size() < sizeof r) {
    m.error = WIFSIGNALED(status)
                  ? "crashed (signal " + std::to_string(WTERMSIG(status)) + ", " + strsignal(WTERMSIG(status)) + ")"
                  : "exited without a result (status " + std::to_string(WEXITSTATUS(status)) + ")";
    return m;
  }
  std::memcpy(&r, bytes.data(), sizeof r);
  size_t expected = sizeof r + r.message_bytes + r.floats * sizeof(float);
  if (bytes.size() != expected) {
    m.error = "truncated result from the child";
    return m;
  }
  m.ok = r.ok != 0;
  m.ms = r.ms;
  m.baseline_ms = r.baseline_ms;
  m.ratio = r.ratio;
  m.max_abs_error = r.max_abs_error;
  m.error.assign(bytes.data() + sizeof r, r.message_bytes);
  m.output.resize(r.floats);
  if (r.floats) std::memcpy(m.output.data(), bytes.data() + sizeof r + r.message_bytes, r.floats * sizeof(float));
  return m;
}

}  // namespace autotuner
