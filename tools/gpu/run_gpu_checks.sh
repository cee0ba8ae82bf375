#!/bin/bash
# The one prepared GPU session (docs/cuda.md): run from the repository root on a machine with an NVIDIA
# GPU, given the prebuilt carry folder (cmake --build <build> --target gpu_prebuild makes
# <build>/gpu_carry: cuda_check_b0..b7 and gpu_prepare; nothing is compiled here).
#   tools/gpu/run_gpu_checks.sh [CARRY_DIR]        (default build-cuda/gpu_carry)
# Steps (STEPS="tests bench torch" by default, each optional):
#   tests  the gpu tests of b0..b7 (tests/gpu/gpu_test.sh: torchvision float64 reference, oracle for b0/b1)
#   bench  effnetc CUDA run_device() latency, batch 1 and 64 (median of RUNS after 3 warm-ups)
#   torch  PyTorch eager and CUDA-graph latency of the same models, fp32, TF32 off (if torch imports)
# Writes $OUT/gpu_report.md (tables) and $OUT/gpu_checks.log; every step has a timeout and a failure
# never stops the later steps. Environment: OUT, WORK (scratch, default /tmp/effnetc_gpu), VARIANTS,
# BATCHES, RUNS, PYTHON, STEPS.
set -u
carry=${1:-build-cuda/gpu_carry}
out=${OUT:-/tmp/effnetc_gpu_out}
work=${WORK:-/tmp/effnetc_gpu}
variants=${VARIANTS:-b0 b1 b2 b3 b4 b5 b6 b7}
batches=${BATCHES:-1 64}
runs=${RUNS:-20}
python=${PYTHON:-python3}
steps=${STEPS:-tests bench torch}
repo=$(pwd)
mkdir -p "$out" "$work" || exit 1
exec > >(tee -a "$out/gpu_checks.log") 2>&1
results="$out/results.txt" # lines: test <v> <status> | bench <v> <batch> <median_ms> | torch <json>
: >"$results"
start=$(date +%s)

# step NAME SECONDS COMMAND...: runs it under a timeout, logs its exit code, never aborts the script.
step() {
  local name=$1 limit=$2
  shift 2
  echo "=== [$(($(date +%s) - start)) s] $name"
  timeout --kill-after=10 "$limit" "$@"
  local rc=$?
  [ $rc = 124 ] && echo "=== $name: TIMEOUT after $limit s"
  echo "=== $name: exit $rc"
  return $rc
}

has_step() { case " $steps " in *" $1 "*) return 0 ;; esac; return 1; }

echo "effnetc GPU checks: carry $carry, variants: $variants, batches: $batches, runs: $runs, steps: $steps"
step nvidia-smi 30 nvidia-smi
step gpu-query 30 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
ls -la "$carry" || echo "missing carry folder $carry (cmake --build <build> --target gpu_prebuild)"
have_torch=0
step torch-check 120 "$python" tools/gpu/torch_reference.py check && have_torch=1

if has_step tests; then
  for v in $variants; do
    step "gpu test $v" 300 tests/gpu/gpu_test.sh "$carry/cuda_check_$v" "$carry/gpu_prepare" "$v" "$work/$v" auto \
      "$python" "$repo"
    case $? in 0) s=PASS ;; 77) s=SKIP ;; 124 | 137) s=TIMEOUT ;; *) s=FAIL ;; esac
    echo "test $v $s" >>"$results"
  done
fi

if has_step bench; then
  for v in $variants; do
    weights="$work/$v/efficientnet_$v.weights"
    [ -f "$weights" ] || step "prepare $v" 120 "$carry/gpu_prepare" "$v" --seed 1 --batch 1 --out "$work/$v"
    for b in $batches; do
      line=$(step "bench $v batch $b" 240 "$carry/cuda_check_$v" bench "$weights" "$b" "$runs" | tee /dev/stderr |
        grep '^RESULT ')
      ms=$(echo "$line" | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p')
      echo "bench $v $b ${ms:-n/a}" >>"$results"
    done
  done
fi

if has_step torch && [ $have_torch = 1 ]; then
  for v in $variants; do
    step "torch bench $v" 300 "$python" tools/gpu/torch_reference.py bench --variants "$v" \
      --batches "$(echo $batches | tr ' ' ,)" --runs "$runs" --out "$work/torch_$v.jsonl"
    [ -f "$work/torch_$v.jsonl" ] && sed 's/^/torch /' "$work/torch_$v.jsonl" >>"$results"
  done
fi

# The report: one table of test results and latencies (ms, median), from results.txt.
"$python" - "$results" "$out/gpu_report.md" "$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null)" <<'EOF'
import json, sys
results, report, gpu = sys.argv[1], sys.argv[2], sys.argv[3] or "unknown GPU"
tests, bench, torch = {}, {}, {}
for line in open(results):
    kind, _, rest = line.strip().partition(" ")
    if kind == "test":
        v, s = rest.split()
        tests[v] = s
    elif kind == "bench":
        v, b, ms = rest.split()
        bench[(v, int(b))] = ms
    elif kind == "torch":
        r = json.loads(rest)
        torch[(r["variant"], r["batch"])] = r
variants = sorted({k[0] for k in bench} | {k[0] for k in torch} | set(tests))
batches = sorted({k[1] for k in bench} | {k[1] for k in torch})
fmt = lambda x: "n/a" if x is None else (f"{x:.3f}" if isinstance(x, float) else str(x))
lines = [f"# effnetc CUDA checks on {gpu}", "",
         "Latency in ms, median of the runs after warm-up; effnetc: run_device() on device pointers;",
         "PyTorch: fp32, TF32 off, cudnn.benchmark on, eager and CUDA graph replay.", "",
         "| " + " | ".join(["variant", "gpu test"] + [f"b{b} {what}" for b in batches
                                                      for what in ("effnetc", "torch eager", "torch graph")]) + " |",
         "|---|---|" + "---|---|---|" * len(batches)]
for v in variants:
    cells = [v, tests.get(v, "not run")]
    for b in batches:
        t = torch.get((v, b), {})
        cells += [bench.get((v, b), "n/a"), fmt(t.get("eager_ms", t.get("error"))), fmt(t.get("graph_ms"))]
    lines.append("| " + " | ".join(cells) + " |")
open(report, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
echo "=== done in $(($(date +%s) - start)) s; report: $out/gpu_report.md"
grep -q '^test .* \(FAIL\|TIMEOUT\)' "$results" && exit 1
exit 0
