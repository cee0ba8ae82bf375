#!/usr/bin/env python3
"""tools/bench/run_benchmarks.py on a machine without AVX-512: which ISAs a run times for each
--target, and the report --report-only writes from hand-made rounds of an AVX2 run with --caches
(default and tuned both AVX2; ratios against the AVX2 default; the default against the bound plus
swish at the slots the run measured; its command names the timing options
that differ from the defaults), of a run saved before the target
and the caches were recorded (AVX-512 and AVX2 columns, as those runs had), and of an AVX-512
run with swish's slots (the column counts them per 16-lane vector).

    test_bench_report.py
"""
import json
import os
import subprocess
import sys
import tempfile

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "bench")
sys.path.insert(0, BENCH)
import run_benchmarks  # noqa: E402


def isa_failures():
    failures = []
    cases = [(["avx2"], "x86-64-linux", ["avx2"]), (["avx2"], "x86-64-linux-avx2", ["avx2"]),
             (["avx512", "avx2"], "x86-64-linux", ["avx512", "avx2"]),
             (["avx512", "avx2"], "x86-64-linux-avx2", ["avx2"]), ([], "x86-64-linux", [])]
    real = run_benchmarks.machine_isas
    try:
        for machine, target, want in cases:
            run_benchmarks.machine_isas = lambda m=machine: m
            got = run_benchmarks.timed_isas(target)
            if got != want:
                failures.append(f"timed_isas({target}) on {machine}: {got}, want {want}")
    finally:
        run_benchmarks.machine_isas = real
    return failures


def measured(target, caches=None):
    m = {"date": "2026-12-06", "commit": "abc1234", "cpu": "AMD EPYC", "cpus": 2, "platform": "Linux",
         "threads": 2, "runs": 6, "warmup": 2, "rounds": 2, "batches": [1]}
    if target:
        m.update(target=target, isas=["avx2"], caches=caches)
    return m


def report(tmp, name, measured_meta, systems, db, peaks=None, swish_slots=None):
    """Writes <name>.json with b0 rounds of `systems` ({system: [ms per round]}), the FMA peaks of
    its passes and swish's slots before and after with b0's 5e6 swish values, if given, runs --report-only."""
    rounds = [{"system": s, "batch": 1, "median_ms": t} for s, t in systems.items()]
    saved = {"measured": measured_meta, "fma_peak_before": {"1": 40.0, "2": 80.0},
             "fma_peak_after": {"1": 40.0, "2": 80.0},
             "variants": {"b0": {"macs": 400000000, "compile_s": 30.0, "compiled_at": {"default": "abc1234"},
                                 "tuned_identical": False, "rounds": rounds}}}
    if peaks:
        saved["variants"]["b0"]["peaks"] = peaks
    if swish_slots:
        saved["swish_slots"] = swish_slots
        saved["variants"]["b0"]["swish_values"] = 5000000
    with open(os.path.join(tmp, name + ".json"), "w") as f:
        json.dump(saved, f)
    out = os.path.join(tmp, name + ".md")
    subprocess.run([sys.executable, os.path.join(BENCH, "run_benchmarks.py"), "--report-only", "--db", db,
                    "--out", out, "--plot", os.path.join(tmp, name + ".svg")], check=True, stderr=subprocess.DEVNULL)
    with open(out) as f:
        return f.read()


def report_failures(tmp):
    db = os.path.join(tmp, "db.json")
    with open(db, "w") as f:
        json.dump({"target": "x86-avx2", "cpu": "AMD EPYC", "threads": 2, "entries": {}}, f)
    peers = {"onnxruntime": [12.0, 11.0], "openvino": [13.0, 14.0]}
    failures = []
    text = report(tmp, "avx2", measured("x86-64-linux-avx2", "host"),
                  dict(peers, **{"effnetc avx2": [10.0, 11.0], "effnetc tuned": [9.0, 9.5]}), db, [100.0, 70.0],
                  [20.0, 18.0])
    # bound = 2 * 4e8 / 100 GFLOP/s (the passes' highest peak, above before and after) = 8 ms; at the
    # passes' peaks 8 and 11.43 ms, so the bound's same-pass ratio is median(1.25, 0.9625); with swish
    # at the lower 18 slots, 2 * (4e8 + 18 * 5e6) / 100 GFLOP/s = 9.8 ms, 10 / 9.8 = 1.02;
    # tuned / default = 9 / 10, same pass median(0.9, 0.864)
    want = ["run_benchmarks.py --target x86-64-linux-avx2 --caches host", "--batches 1 --rounds 2 --variants b0",
            "compiled with `--caches host`",
            "| variant | bound | effnetc avx2 | effnetc tuned | onnxruntime |",
            "| b0 | 8.00 | 10.00 | 9.00 | 11.00 | 13.00 | 0.91 | 1.25 | 1.11 | 1.02 | 0.82 | 0.90 | 0.88 |",
            "2·(MACs + 18.0·swish values) / 100 GFLOP/s", "(tools/bench/swish_cost.c, 20.0 → 18.0 before → after",
            "\"effnetc tuned\" is AVX2 compiled with", "FMA peak (tools/bench/fma_peak.c, AVX2)",
            "x86-64-linux-avx2: AVX2 alone"]
    failures += [f"AVX2 report lacks {w!r}" for w in want if w not in text]
    if "avx512" in text or "AVX-512" in text:
        failures.append("AVX2 report names AVX-512")
    old = report(tmp, "old", measured(None), dict(peers, **{"effnetc avx512": [5.0, 6.0], "effnetc avx2": [8.0, 8.0],
                                                            "effnetc tuned": [4.5, 6.0]}), db)
    want = ["| variant | bound | effnetc avx512 | effnetc avx2 | effnetc tuned |", "x86-64-linux: AVX-512 + AVX2",
            "| 0.45 | 0.50 | — | 0.41 |",
            "FMA peak (tools/bench/fma_peak.c, AVX-512)"]
    failures += [f"report of a run without a target lacks {w!r}" for w in want if w not in old]
    if "bound + swish" in old:
        failures.append("report of a run without swish's slots has a swish column")
    if "run_benchmarks.py --target" in old or "--caches" in old:
        failures.append("report of an x86-64-linux run without caches names --target or --caches")
    meta = measured("x86-64-linux")
    meta["isas"] = ["avx512", "avx2"]
    avx512 = report(tmp, "avx512", meta, dict(peers, **{"effnetc avx512": [10.0, 11.0], "effnetc avx2": [15.0, 15.0],
                                                        "effnetc tuned": [9.0, 9.5]}), db, None, [12.0, 11.0])
    # with swish at the lower 11 slots (per 16-lane vector: MAC-equivalents per value, as per 8 lanes),
    # 2 * (4e8 + 11 * 5e6) / 80 GFLOP/s = 11.375 ms, 10 / 11.375 = 0.88
    want = ["2·(MACs + 11.0·swish values) / 80 GFLOP/s", "AVX-512 libraries' swish", "11.0 FMA slots per 16-lane vector",
            "| variant | bound | effnetc avx512 | effnetc avx2 | effnetc tuned |", "| 0.88 |"]
    failures += [f"AVX-512 report with swish lacks {w!r}" for w in want if w not in avx512]
    return failures, text


def main():
    with tempfile.TemporaryDirectory() as tmp:
        failures, text = report_failures(tmp)
    failures += isa_failures()
    for f in failures:
        print("FAIL:", f)
    if failures:
        print(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
