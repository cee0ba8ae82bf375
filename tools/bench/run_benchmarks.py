#!/usr/bin/env python3
"""Regenerates docs/BENCHMARKS.md: effnetc libraries vs ONNX Runtime and OpenVINO, side by side.

    python3 tools/bench/run_benchmarks.py [--variants b0 b1 ...] [--batches 1 8] [--threads 2]

For each variant, in one run on one machine: exports the torchvision reference weights (cached in
build/reference/, tools/reference/export_reference.py), compiles the effnetc library with those
weights (`effnetc compile ... --target x86-64-linux`), links apps/bench with plain cc, exports the
same network to ONNX (tools/bench/export_onnx.py) and times effnetc (AVX-512 and AVX2 forced),
ONNX Runtime and OpenVINO (tools/bench/peers.py, in their own venv: tools/bench/setup_peers.sh).
Every figure is the median of --runs timed calls after --warmup calls. The FMA peak
(tools/bench/fma_peak.c) is measured before and after, and the compute bound is 2*MACs/peak.
Run nothing else meanwhile: a second job on the other core halves the numbers.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VARIANTS = ["b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7"]


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    log(" ".join(cmd))
    return subprocess.run(cmd, check=True, text=True, stdout=subprocess.PIPE, **kw).stdout


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def fma_peak(work, threads, isa):
    exe = os.path.join(work, "fma_peak")
    if not os.path.exists(exe):
        run(["cc", "-O2", "-o", exe, os.path.join(ROOT, "tools/bench/fma_peak.c"), "-lpthread"])
    return float(run([exe, str(threads), isa]).strip())


def prepare_variant(args, v, work):
    """Weights, library, bench app and ONNX model of one variant (cached across runs)."""
    ref = os.path.join(args.build, "reference", f"{v}_s1")
    weights = os.path.join(ref, "weights.safetensors")
    if not os.path.exists(weights):
        run(["/usr/bin/python3", os.path.join(ROOT, "tools/reference/export_reference.py"), "--variant", v,
             "--seed", "1", "--out", ref])
    lib = os.path.join(work, v)
    if not os.path.exists(os.path.join(lib, f"libefficientnet_{v}.a")) or args.recompile:
        t0 = time.monotonic()
        subprocess.run([os.path.join(args.build, "cli/effnetc"), "compile", v, "--weights", weights, "--target",
                        "x86-64-linux", "-o", lib] + (["--db", args.db] if args.db else []), check=True,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(lib, "compile_seconds"), "w") as f:
            f.write(f"{time.monotonic() - t0:.1f}\n")
    bench = os.path.join(lib, "bench")
    run(["cc", "-O2", "-std=c99", f"-DEFFNET_LIB=efficientnet_{v}", f"-DEFFNET_LIB_UPPER=EFFICIENTNET_{v.upper()}",
         "-I", lib, os.path.join(ROOT, "apps/bench/bench.c"), "-L", lib, f"-lefficientnet_{v}", "-lpthread", "-ldl",
         "-lm", "-o", bench])
    onnx = os.path.join(work, f"{v}.onnx")
    if not os.path.exists(onnx):
        run(["/usr/bin/python3", os.path.join(ROOT, "tools/bench/export_onnx.py"), "--variant", v, "--weights",
             weights, "--out", onnx])
    with open(os.path.join(lib, "compile_seconds")) as f:
        compile_s = float(f.read())
    return bench, onnx, compile_s


def macs(args, v):
    out = run([os.path.join(args.build, "cli/effnetc"), "inspect", v, "--json"])
    return json.loads(out)["macs"], json.loads(out)["resolution"]


def fmt(x):
    return "—" if x is None else (f"{x:.2f}" if x < 100 else f"{x:.1f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variants", nargs="+", default=VARIANTS, choices=VARIANTS)
    ap.add_argument("--batches", nargs="+", type=int, default=[1, 8])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--db", help="tuning database passed to effnetc compile --db")
    ap.add_argument("--recompile", action="store_true")
    ap.add_argument("--prepare-only", action="store_true", help="build libraries, apps and ONNX models; time nothing")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs/BENCHMARKS.md"))
    args = ap.parse_args()
    work = os.path.join(args.build, "bench" + ("_tuned" if args.db else ""))
    os.makedirs(work, exist_ok=True)
    peers_python = run(["bash", os.path.join(ROOT, "tools/bench/setup_peers.sh")]).strip().splitlines()[-1]

    if args.prepare_only:
        for v in args.variants:
            prepare_variant(args, v, work)
        return 0
    peak_before = {t: fma_peak(work, t, "avx512") for t in (1, args.threads)}
    rows = {}
    for v in args.variants:
        bench, onnx, compile_s = prepare_variant(args, v, work)
        m, res = macs(args, v)
        r = {"macs": m, "compile_s": compile_s, "times": {}}
        common = ["--threads", str(args.threads), "--runs", str(args.runs), "--warmup", str(args.warmup), "--json"]
        for b in args.batches:
            common += ["--batch", str(b)]
        for isa in ("avx512", "avx2"):
            for row in json_lines(run([bench, "--isa", isa] + common)):
                r["times"][(f"effnetc {isa}", row["batch"])] = row["median_ms"]
        peer_cmd = [peers_python, os.path.join(ROOT, "tools/bench/peers.py"), "--model", onnx, "--resolution",
                    str(res), "--threads", str(args.threads), "--runs", str(args.runs), "--warmup",
                    str(args.warmup)]
        for b in args.batches:
            peer_cmd += ["--batch", str(b)]
        for row in json_lines(run(peer_cmd)):
            r["times"][(row["runtime"], row["batch"])] = row["median_ms"]
            r.setdefault("versions", {})[row["runtime"]] = row["version"]
        rows[v] = r
        log(f"{v}: {r['times']}")
    peak_after = {t: fma_peak(work, t, "avx512") for t in (1, args.threads)}
    write_report(args, rows, peak_before, peak_after)
    return 0


def write_report(args, rows, before, after):
    peak = min(before[args.threads], after[args.threads])
    systems = ["effnetc avx512", "effnetc avx2", "onnxruntime", "openvino"]
    versions = next(iter(rows.values())).get("versions", {})
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    commit = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], text=True,
                            stdout=subprocess.PIPE).stdout.strip() or "unknown"
    lines = [
        "# Benchmarks",
        "",
        "Regenerate (nothing else running on the machine):",
        "",
        "    python3 tools/bench/run_benchmarks.py" + ("" if args.variants == VARIANTS else " --variants " +
                                                       " ".join(args.variants)) + (f" --db {args.db}" if args.db else ""),
        "",
        f"Measured {datetime.date.today()} at commit {commit} on {cpu}, {os.cpu_count()} CPUs, {platform.platform()}; "
        f"{args.threads} threads, fp32, median of {args.runs} runs after {args.warmup} warm-up runs, all systems "
        f"in one run on the same weights (torchvision export, seed 1). Peers: "
        + ", ".join(f"{versions.get(k, k)}" for k in ("onnxruntime", "openvino")) + ".",
        "",
        f"FMA peak (tools/bench/fma_peak.c, AVX-512): {before[1]:.0f} → {after[1]:.0f} GFLOP/s on 1 thread, "
        f"{before[args.threads]:.0f} → {after[args.threads]:.0f} on {args.threads} (before → after). "
        f"Compute bound = 2·MACs / {peak:.0f} GFLOP/s.",
        "",
    ]
    for b in args.batches:
        lines += [f"## Batch {b}, ms", "",
                  "| variant | bound | " + " | ".join(systems) + " | effnetc / ORT | effnetc / bound |",
                  "|---|---|" + "---|" * len(systems) + "---|---|"]
        for v, r in rows.items():
            bound = 2 * r["macs"] * b / (peak * 1e9) * 1e3
            t = [r["times"].get((s, b)) for s in systems]
            ours, ort = t[0], t[2]
            ratio = f"{ours / ort:.2f}" if ours and ort else "—"
            lines.append(f"| {v} | {fmt(bound)} | " + " | ".join(fmt(x) for x in t) +
                         f" | {ratio} | {ours / bound:.2f} |")
        lines.append("")
    lines += ["## Compile time (effnetc compile, x86-64-linux: AVX-512 + AVX2 + baseline), s", "",
              "| " + " | ".join(rows) + " |", "|" + "---|" * len(rows),
              "| " + " | ".join(f"{r['compile_s']:.0f}" for r in rows.values()) + " |", ""]
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    log(f"wrote {args.out}")


if __name__ == "__main__":
    sys.exit(main())
