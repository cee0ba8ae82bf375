#!/usr/bin/env python3
"""Regenerates docs/BENCHMARKS.md: effnetc libraries vs ONNX Runtime and OpenVINO, side by side.

    python3 tools/bench/run_benchmarks.py [--variants b0 b1 ...] [--batches 1 8] [--threads 2]

For each variant, in one run on one machine: exports the torchvision reference weights (cached in
build/reference/, tools/reference/export_reference.py), compiles the effnetc library with those
weights (`effnetc compile ... --target`, x86-64-linux by default), links apps/bench with plain cc,
exports the same network to ONNX (tools/bench/export_onnx.py) and times effnetc (each ISA of
--target that the machine has, forced: AVX-512 and AVX2 on an AVX-512 machine), ONNX Runtime and
OpenVINO (tools/bench/peers.py, in their own venv: tools/bench/setup_peers.sh).
The run makes --rounds passes over the variants; in each pass a variant's systems are timed one
after the other, in alternating order from pass to pass: each round of a system is one process
that makes --warmup calls, then times --runs calls and reports their median. The VM has slow
phases (everything ~1.5x slower) that come and go within minutes, so a system's time is its
fastest round, the least disturbed one, and ratios are of those times; passes spread a variant's
rounds over the whole run, so that one slow phase is less likely to cover all of a system's
rounds (with a variant's rounds back to back, one did in each of two runs). (Ratios within a
pass were tried as the only figure: a phase that starts mid-pass skews them, and did for b4.
The report gives tuned / default both ways: of the fastest rounds, and "same pass", the median
over passes of the ratio within a pass; where the two disagree, neither is settled.) Every round's
median is written next to the report (--out with .json). A library byte-identical to the
default one (a tuned library that no database entry changed) is not timed again: it is reported
as identical. --report-only rewrites the report from that .json (every measured input of the
report is in it). The FMA peak (tools/bench/fma_peak.c) is measured before and after and at the start of
each variant's turn in a pass, and the compute bound is 2*MACs/(the highest of them: the VM's fast phases are
faster clocks, ~1.3x, so a fastest round is set against the fastest phase's peak); and
"bound, same pass" is the median over passes of the default's round / the bound at that pass's peak (a
slow phase that slows the FMAs too cancels out of it). "effnetc / (bound + swish)" adds to the
bound the swish values' arithmetic at the FMA slots per vector that tools/bench/swish_cost.c measures
for the default's ISA before and after the run: how much of the distance to the bound is swish.
Run nothing else meanwhile: a second job on the other core halves the numbers.

With --db (a tuning database from `effnetc tune`), each variant is also compiled with
`--db` and timed in the same run ("effnetc tuned", the first ISA of --target the machine has), the
report gains the tuned-vs-default columns and a summary of the database, and an SVG plot of tuned
latency vs ONNX Runtime vs the compute bound is written next to the report (--plot). With --db-avx2 (a
database of `effnetc tune --target x86-64-linux-avx2`), each variant is also compiled for AVX2 alone
(`--target x86-64-linux-avx2`), without and with that database, and both are timed in the same
passes: a multi-ISA library's AVX2 kernels read weights blocked for its AVX-512 tiles, so AVX2
tuning is compared between two AVX2-only libraries ("AVX2 only" table). On a machine without
AVX-512 the target defaults to x86-64-linux-avx2: libraries are compiled for AVX2 alone, the tuned
one with an AVX2 database in --db, and the FMA peak is AVX2's. With --caches (host, or L2,L3 sizes),
every effnetc library is compiled with `effnetc compile --caches`: schedules sized for those caches
instead of the target facts' (docs/codegen.md), cached apart from the others (<v>...-caches-<C>).
"""
import argparse
import datetime
import filecmp
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VARIANTS = ["b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7"]
DEFAULT_OUT, DEFAULT_PLOT = os.path.join(ROOT, "docs/BENCHMARKS.md"), os.path.join(ROOT, "docs/benchmarks.svg")
TIMING_DEFAULTS = {"batches": [1, 8], "threads": 2, "runs": 6, "warmup": 2, "rounds": 5}


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    log(" ".join(cmd))
    return subprocess.run(cmd, check=True, text=True, stdout=subprocess.PIPE, **kw).stdout


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def bench_tool(work, name, lib):
    """tools/bench/<name>.c built into <work>/<name> once, linked with `lib`."""
    exe = os.path.join(work, name)
    if not os.path.exists(exe):
        run(["cc", "-O2", "-o", exe, os.path.join(ROOT, f"tools/bench/{name}.c"), lib])
    return exe


def fma_peak(work, threads, isa):
    return float(run([bench_tool(work, "fma_peak", "-lpthread"), str(threads), isa]).strip())


SWISH_LINES = {"avx2": "prescaled swish (", "avx512": "swish (AVX-512 libraries) "}


def swish_slots(work, isa):
    """FMA slots per vector of the `isa` libraries' swish on this core, in FMAs of that vector width
    (tools/bench/swish_cost.c, which checks its swish against double precision first): the AVX2
    kernels' prescaled swish per 8 lanes, or the AVX-512 kernels' per 16."""
    out = run([bench_tool(work, "swish_cost", "-lm"), isa])
    line = next(l for l in out.splitlines() if l.startswith(SWISH_LINES[isa]))
    return float(line.split(",")[-1].split()[0])


def reference_weights(args, v):
    """The torchvision export's weights of a variant (seed 1), exported once into build/reference/."""
    ref = os.path.join(args.build, "reference", f"{v}_s1")
    weights = os.path.join(ref, "weights.safetensors")
    if not os.path.exists(weights):
        run(["/usr/bin/python3", os.path.join(ROOT, "tools/reference/export_reference.py"), "--variant", v,
             "--seed", "1", "--out", ref])
    return weights


def machine_isas():
    """The x86 ISAs of the generated libraries that this machine runs, best first."""
    flags = next((l.split(":", 1)[1].split() for l in open("/proc/cpuinfo") if l.startswith("flags")), [])
    return [isa for isa, flag in (("avx512", "avx512f"), ("avx2", "avx2")) if flag in flags]


def timed_isas(target):
    """The ISAs a run times (forced, best first): those of the target that the machine has."""
    return [isa for isa in machine_isas() if target == "x86-64-linux" or target.endswith("-" + isa)]


def prepare_variant(args, v, work, db=None, target=None):
    """Library and bench app of one variant on the reference weights (cached across runs), its
    compile time and the commit it was compiled at. The library is compiled for `target` (default
    args.target) into <work>/<v>, <v>-avx2 for x86-64-linux-avx2; with `db` it is compiled with that
    tuning database into the same name with -tuned; with args.caches, -caches-<C> follows."""
    weights = reference_weights(args, v)
    target = target or args.target
    lib = os.path.join(work, v + ("-avx2" if target == "x86-64-linux-avx2" else "") + ("-tuned" if db else "")
                       + ("-caches-" + args.caches.replace(",", "-") if args.caches else ""))
    if not os.path.exists(os.path.join(lib, f"libefficientnet_{v}.a")) or args.recompile:
        t0 = time.monotonic()
        subprocess.run([os.path.join(args.build, "cli/effnetc"), "compile", v, "--weights", weights, "--target",
                        target, "-o", lib] + (["--db", db] if db else [])
                       + (["--caches", args.caches] if args.caches else []), check=True,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(lib, "compile_seconds"), "w") as f:
            f.write(f"{time.monotonic() - t0:.1f}\n")
        with open(os.path.join(lib, "compiled_at"), "w") as f:
            f.write(git_describe() + "\n")
    bench = link_bench(lib, f"efficientnet_{v}")
    compiled_at = os.path.join(lib, "compiled_at")
    with open(os.path.join(lib, "compile_seconds")) as f:
        return (bench, float(f.read()),
                open(compiled_at).read().strip() if os.path.exists(compiled_at) else "unknown")


def link_bench(lib, name):
    """apps/bench linked with the generated library lib<name>.a in directory `lib`: <lib>/bench."""
    bench = os.path.join(lib, "bench")
    run(["cc", "-O2", "-std=c99", f"-DEFFNET_LIB={name}", f"-DEFFNET_LIB_UPPER={name.upper()}", "-I", lib,
         os.path.join(ROOT, "apps/bench/bench.c"), "-L", lib, f"-l{name}", "-lpthread", "-ldl", "-lm", "-o", bench])
    return bench


def onnx_model(args, v, work):
    """The same network and weights as ONNX, for the peers (cached)."""
    onnx = os.path.join(work, f"{v}.onnx")
    if not os.path.exists(onnx):
        run(["/usr/bin/python3", os.path.join(ROOT, "tools/bench/export_onnx.py"), "--variant", v, "--weights",
             reference_weights(args, v), "--out", onnx])
    return onnx


def macs(args, v):
    out = run([os.path.join(args.build, "cli/effnetc"), "inspect", v, "--json"])
    return json.loads(out)["macs"], json.loads(out)["resolution"]


def swish_values(args, v):
    """Values that go through a swish per sample: the outputs of the frontend graph's swish nodes."""
    graph = json.loads(run([os.path.join(args.build, "cli/effnetc"), "inspect", v, "--emit=ir", "--json"]))
    return sum(math.prod(n["shape"]) for n in graph["nodes"]
               if n["op"] == "activation" and n["attrs"].get("kind") == "swish")


def fmt(x):
    return "—" if x is None else (f"{x:.2f}" if x < 100 else f"{x:.1f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variants", nargs="+", default=VARIANTS, choices=VARIANTS)
    ap.add_argument("--batches", nargs="+", type=int, default=TIMING_DEFAULTS["batches"])
    ap.add_argument("--threads", type=int, default=TIMING_DEFAULTS["threads"])
    ap.add_argument("--runs", type=int, default=TIMING_DEFAULTS["runs"], help="timed calls per system and round")
    ap.add_argument("--warmup", type=int, default=TIMING_DEFAULTS["warmup"], help="untimed calls before them")
    ap.add_argument("--rounds", type=int, default=TIMING_DEFAULTS["rounds"],
                    help="passes over the variants, each timing every system once; a time is the fastest round's")
    ap.add_argument("--target", choices=["x86-64-linux", "x86-64-linux-avx2"],
                    help="what the libraries are compiled for (default: x86-64-linux on an AVX-512 machine, "
                         "x86-64-linux-avx2 elsewhere)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--db", help="also time libraries compiled with this tuning database (effnetc compile --db)")
    ap.add_argument("--plot", default=DEFAULT_PLOT,
                    help="SVG written with --db: tuned vs ONNX Runtime vs bound")
    ap.add_argument("--tuning-minutes", type=float,
                    help="wall time of the effnetc tune runs that made --db, quoted in the report")
    ap.add_argument("--db-avx2", help="also time AVX2-only libraries without and with this AVX2 tuning database")
    ap.add_argument("--tuning-minutes-avx2", type=float, help="the same as --tuning-minutes, for --db-avx2")
    ap.add_argument("--caches", help="compile every effnetc library with `effnetc compile --caches C`: host, "
                    "or L2,L3 sizes such as 512K,8M")
    ap.add_argument("--recompile", action="store_true")
    ap.add_argument("--prepare-only", action="store_true", help="build libraries, apps and ONNX models; time nothing")
    ap.add_argument("--report-only", action="store_true",
                    help="time nothing: rewrite the report (and plot) from the .json next to it")
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    args.out, args.plot = os.path.abspath(args.out), os.path.abspath(args.plot)
    if args.report_only:
        write_report(args, *load_measurements(args))
        return 0
    args.target = args.target or ("x86-64-linux" if "avx512" in machine_isas() else "x86-64-linux-avx2")
    args.isas = isas = timed_isas(args.target)
    if not isas:
        ap.error(f"this machine runs none of the ISAs of --target {args.target}")
    if args.db_avx2 and args.target != "x86-64-linux":
        ap.error("--db-avx2 compares AVX2-only libraries beside multi-ISA ones: with --target "
                 f"{args.target}, give the AVX2 database as --db")
    work = os.path.join(args.build, "bench")
    os.makedirs(work, exist_ok=True)
    peers_python = run(["bash", os.path.join(ROOT, "tools/bench/setup_peers.sh")]).strip().splitlines()[-1]

    timing = ["--threads", str(args.threads), "--runs", str(args.runs), "--warmup", str(args.warmup)]
    for b in args.batches:
        timing += ["--batch", str(b)]
    common = timing + ["--json"]
    rows, commands = {}, {}
    for v in args.variants:
        bench, compile_s, compiled_at = prepare_variant(args, v, work)
        onnx = onnx_model(args, v, work)
        m, res = macs(args, v)
        rows[v] = {"macs": m, "swish_values": swish_values(args, v), "compile_s": compile_s,
                   "compiled_at": {"default": compiled_at}, "rounds": {}, "tuned_identical": False}
        tuned_bench = None
        if args.db:
            tuned_bench, _, rows[v]["compiled_at"]["tuned"] = prepare_variant(args, v, work, args.db)
        if tuned_bench and same_library(bench, tuned_bench, v):
            rows[v]["tuned_identical"], tuned_bench = True, None
        peer_cmd = [peers_python, os.path.join(ROOT, "tools/bench/peers.py"), "--model", onnx, "--resolution",
                    str(res)] + timing
        commands[v] = [(f"effnetc {isa}", [bench, "--isa", isa] + common) for isa in isas]
        if tuned_bench:
            commands[v].append(("effnetc tuned", [tuned_bench, "--isa", isas[0]] + common))
        if args.db_avx2:
            only, tuned = [prepare_variant(args, v, work, db, "x86-64-linux-avx2") for db in (None, args.db_avx2)]
            rows[v]["compiled_at"].update({"avx2 only": only[2], "avx2 tuned": tuned[2]})
            rows[v]["avx2_tuned_identical"] = same_library(only[0], tuned[0], v)
            commands[v].append(("effnetc avx2 only", [only[0]] + common))
            if not rows[v]["avx2_tuned_identical"]:
                commands[v].append(("effnetc avx2 tuned", [tuned[0]] + common))
        commands[v].append((None, peer_cmd))
    if args.prepare_only:
        return 0

    peak_before = {t: fma_peak(work, t, isas[0]) for t in (1, args.threads)}
    slots = [swish_slots(work, isas[0])]
    for k in range(args.rounds):
        for v in args.variants:
            r = rows[v]
            r.setdefault("peaks", []).append(fma_peak(work, args.threads, isas[0]))
            for system, cmd in (commands[v] if k % 2 == 0 else commands[v][::-1]):
                for row in json_lines(run(cmd)):
                    r["rounds"].setdefault((system or row["runtime"], row["batch"]), []).append(row["median_ms"])
                    if not system:
                        r.setdefault("versions", {})[row["runtime"]] = row["version"]
            log(f"pass {k + 1}/{args.rounds} {v}: " +
                ", ".join(f"{s} b{b} {t[-1]:.2f}" for (s, b), t in r["rounds"].items()))
    # A tuned library byte-identical to its default was timed once: its rounds are the default's.
    copies = (("tuned_identical", "effnetc tuned", f"effnetc {isas[0]}"),
              ("avx2_tuned_identical", "effnetc avx2 tuned", "effnetc avx2 only"))
    for r in rows.values():
        for identical, tuned, default in copies:
            if r.get(identical):
                r["rounds"].update({(tuned, b): r["rounds"][(default, b)] for b in args.batches})
    peak_after = {t: fma_peak(work, t, isas[0]) for t in (1, args.threads)}
    slots.append(swish_slots(work, isas[0]))
    write_report(args, rows, peak_before, peak_after, swish=slots)
    return 0


def same_library(bench, other_bench, v):
    """Whether two compiled libraries (next to their bench apps) are byte-identical."""
    a = [os.path.join(os.path.dirname(b), f"libefficientnet_{v}.a") for b in (bench, other_bench)]
    return filecmp.cmp(a[0], a[1], shallow=False)


def fastest(row, system, batch):
    """A system's time: the fastest round's median."""
    t = row["rounds"].get((system, batch))
    return min(t) if t else None


def per_pass(row, system, other, batch):
    """The median over passes of system / other timed in the same pass: a slow phase that spans the
    pass cancels out of it, one that hits only one of the two does not."""
    a, b = row["rounds"].get((system, batch)), row["rounds"].get((other, batch))
    return statistics.median(x / y for x, y in zip(a, b)) if a and b else None


def bound_per_pass(row, system, batch):
    """The median over passes of a system's round / the compute bound at the FMA peak measured in
    the same pass (None for runs saved before peaks were measured per pass)."""
    t, peaks = row["rounds"].get((system, batch)), row.get("peaks")
    return statistics.median(x / bound_ms(row, batch, p) for x, p in zip(t, peaks)) if t and peaks else None


def save_measurements(args, rows, before, after, meta, swish):
    """Everything the report is made of, to rounds_path(args)."""
    kept = ("macs", "swish_values", "compile_s", "compiled_at", "tuned_identical", "avx2_tuned_identical", "versions",
            "peaks")
    variants = {v: dict({k: r[k] for k in kept if k in r},
                        rounds=[{"system": s, "batch": b, "median_ms": t} for (s, b), t in r["rounds"].items()])
                for v, r in rows.items()}
    with open(rounds_path(args), "w") as f:
        json.dump({"measured": meta, "fma_peak_before": before, "fma_peak_after": after, "swish_slots": swish,
                   "variants": variants}, f, indent=1)
        f.write("\n")


def load_measurements(args):
    """The inverse of save_measurements: rows, FMA peaks before and after, where measured, swish's
    slots (args take the measured threads and batches)."""
    with open(rounds_path(args)) as f:
        saved = json.load(f)
    peaks = [{int(t): g for t, g in saved[k].items()} for k in ("fma_peak_before", "fma_peak_after")]
    rows = {}
    for v, r in saved["variants"].items():
        rows[v] = dict(r, rounds={(x["system"], x["batch"]): x["median_ms"] for x in r["rounds"]})
    args.variants = list(rows)
    args.threads, args.batches = saved["measured"]["threads"], saved["measured"]["batches"]
    # Runs before the target was recorded were x86-64-linux on an AVX-512 machine.
    args.target = saved["measured"].get("target", "x86-64-linux")
    saved["measured"].setdefault("isas", ["avx512", "avx2"])
    args.caches = saved["measured"].get("caches")
    return rows, peaks[0], peaks[1], saved["measured"], saved.get("swish_slots", [])


def rounds_path(args):
    """Where every round's median goes: the report's name with .json."""
    return os.path.splitext(args.out)[0] + ".json"


def bound_ms(row, batch, peak, extra_macs=0):
    """The compute bound of a variant's row: 2 * MACs * batch at `peak` GFLOP/s, in ms (with
    `extra_macs` per sample added: work counted in FMA slots)."""
    return 2 * (row["macs"] + extra_macs) * batch / (peak * 1e9) * 1e3


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "—"


def git_describe():
    return subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], text=True,
                          stdout=subprocess.PIPE).stdout.strip() or "unknown"


def measured_on(args):
    """Where and how the figures were measured: what the report's header says."""
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    return {"date": str(datetime.date.today()), "commit": git_describe(), "cpu": cpu, "cpus": os.cpu_count(),
            "platform": platform.platform(), "threads": args.threads, "runs": args.runs, "warmup": args.warmup,
            "rounds": args.rounds, "batches": args.batches, "target": args.target, "isas": args.isas,
            "caches": args.caches}


def write_report(args, rows, before, after, meta=None, swish=()):
    # The peak the machine reached, before, after or in any pass: a slow phase must not lower the
    # bound, and the fastest rounds may come from the fastest phase.
    peak = max([before[args.threads], after[args.threads]] + [p for r in rows.values() for p in r.get("peaks", [])])
    m = meta if meta else measured_on(args)
    isa_names = {"avx512": "AVX-512", "avx2": "AVX2"}
    default = f"effnetc {m['isas'][0]}"
    tuned = ["effnetc tuned"] if args.db else []
    systems = [f"effnetc {isa}" for isa in m["isas"]] + tuned + ["onnxruntime", "openvino"]
    versions = next(iter(rows.values())).get("versions", {})
    options = [(f"--target {args.target}" if args.target != "x86-64-linux" else ""),
               (f"--caches {args.caches}" if args.caches else ""),
               (f"--out {os.path.relpath(args.out, ROOT)}" if args.out != DEFAULT_OUT else ""),
               (f"--plot {os.path.relpath(args.plot, ROOT)}" if args.db and args.plot != DEFAULT_PLOT else "")]
    # The timing options the figures were measured with (the metadata's, also under --report-only).
    options += [f"--{k} " + (" ".join(map(str, m[k])) if isinstance(m[k], list) else str(m[k]))
                for k, default in TIMING_DEFAULTS.items() if m.get(k, default) != default]
    lines = [
        "# Benchmarks",
        "",
        "Regenerate (nothing else running on the machine):",
        "",
        "    python3 tools/bench/run_benchmarks.py" + "".join(" " + o for o in options if o)
        + ("" if args.variants == VARIANTS else " --variants " +
                                                       " ".join(args.variants)) + (f" --db {args.db}" if args.db else "")
        + (f" --tuning-minutes {args.tuning_minutes:g}" if args.tuning_minutes else "")
        + (f" --db-avx2 {args.db_avx2}" if args.db_avx2 else "")
        + (f" --tuning-minutes-avx2 {args.tuning_minutes_avx2:g}" if args.tuning_minutes_avx2 else ""),
        "",
        f"Measured {m['date']} at commit {m['commit']} on {m['cpu']}, {m['cpus']} CPUs, {m['platform']}; "
        f"{m['threads']} threads, fp32, all systems in one run on the same weights (torchvision export, seed 1). "
        f"Each system is timed in {m['rounds']} rounds, one per pass over the variants (a variant's systems in "
        f"alternating order from pass to pass); a round of a system is "
        f"one process: {m['warmup']} warm-up calls, then the median of {m['runs']} timed calls. A time is the "
        f"fastest round's (this VM has slow phases, ~1.5x, that come and go within minutes; the passes spread a "
        f"variant's rounds over the run), and ratios are of "
        f"those times (\"same pass\": the median over passes of tuned / default within one pass, which a slow "
        f"phase spanning the pass does not sway); every round is in `{os.path.basename(rounds_path(args))}`. Peers: "
        + ", ".join(f"{versions.get(k, k)}" for k in ("onnxruntime", "openvino")) + ". "
        + " and ".join(f"\"effnetc {isa}\"" for isa in m["isas"])
        + f" run{'' if len(m['isas']) > 1 else 's'} the default schedules of a `--target {args.target}` library "
        "with that ISA forced"
        + (f"; \"effnetc tuned\" is {isa_names[m['isas'][0]]} compiled with `--db {args.db}`." if args.db else ".")
        + (f" Every effnetc library is compiled with `--caches {args.caches}`: schedules sized for those caches "
           "(docs/codegen.md, \"Cache sizes\")." if args.caches else ""),
        "",
        f"FMA peak (tools/bench/fma_peak.c, {isa_names[m['isas'][0]]}): {before[1]:.0f} → {after[1]:.0f} GFLOP/s on 1 thread, "
        f"{before[args.threads]:.0f} → {after[args.threads]:.0f} on {args.threads} (before → after). "
        f"Compute bound = 2·MACs / {peak:.0f} GFLOP/s, the highest peak measured in the run (also at the start "
        f"of each variant's turn in a pass). \"bound, same pass\": the median over passes of the default's round / "
        f"the bound at the FMA peak measured in that pass (where a slow phase slows the FMAs too, it cancels out).",
        "",
    ]
    # Swish's share: only where this run timed the default ISA's swish and counted every variant's values.
    # Slots per vector in FMAs of that width are MAC-equivalents per value.
    slots = min(swish) if swish and all("swish_values" in r for r in rows.values()) else None
    if slots:
        lines += [f"\"effnetc / (bound + swish)\": the default's time against 2·(MACs + {slots:.1f}·swish values) / "
                  f"{peak:.0f} GFLOP/s, the compute bound plus the swish values' arithmetic at what the "
                  f"{isa_names[m['isas'][0]]} libraries' swish costs on this core, {slots:.1f} FMA slots per "
                  f"{8 if m['isas'][0] == 'avx2' else 16}-lane vector "
                  f"(tools/bench/swish_cost.c, {swish[0]:.1f} → {swish[-1]:.1f} before → after; the lower is used). "
                  "It is not the compute bound, which counts MACs alone, and that cost is this implementation's, not "
                  "a floor: it shows how much of the distance to the bound is swish.", ""]
    extra = (["effnetc / ORT", "effnetc / bound", "bound, same pass"] + (["effnetc / (bound + swish)"] if slots else [])
             + (["tuned / ORT", "tuned / default", "same pass"] if args.db else []))
    for b in args.batches:
        lines += [f"## Batch {b}, ms", "",
                  "| variant | bound | " + " | ".join(systems + extra) + " |",
                  "|---|---|" + "---|" * (len(systems) + len(extra))]
        for v, r in rows.items():
            bound = bound_ms(r, b, peak)
            t = {s: fastest(r, s, b) for s in systems}
            cells = [fmt(t[s]) for s in systems]
            if r["tuned_identical"]:
                cells[systems.index("effnetc tuned")] = "= default †"
            cells += [ratio(t[default], t["onnxruntime"]), ratio(t[default], bound)]
            bp = bound_per_pass(r, default, b)
            cells.append(f"{bp:.2f}" if bp else "—")
            if slots:
                cells.append(ratio(t[default], bound_ms(r, b, peak, slots * r["swish_values"])))
            if args.db:
                cells += [ratio(t["effnetc tuned"], t["onnxruntime"]), ratio(t["effnetc tuned"], t[default])]
                pp = per_pass(r, "effnetc tuned", default, b)
                cells.append(f"{pp:.2f}" if pp else "—")
            lines.append(f"| {v} | {fmt(bound)} | " + " | ".join(cells) + " |")
        lines.append("")
    if any(r["tuned_identical"] for r in rows.values()):
        lines += ["† The tuned library is byte-identical to the default one (no database entry beat the default "
                  "on its units), so it was not timed again: its figures are the default's.", ""]
    if args.db_avx2:
        lines += avx2_table(args, rows)
    contents = "AVX-512 + AVX2 + baseline" if args.target == "x86-64-linux" else "AVX2 alone"
    lines += [f"## Compile time (effnetc compile, {args.target}: {contents}), s", "",
              "| " + " | ".join(rows) + " |", "|" + "---|" * len(rows),
              "| " + " | ".join(f"{r['compile_s']:.0f}" for r in rows.values()) + " |", ""]
    built = {}
    for r in rows.values():
        for kind, commit in r.get("compiled_at", {}).items():
            built.setdefault(kind, set()).add(commit)
    if built:
        lines += ["Libraries compiled at commit " + "; ".join(f"{', '.join(sorted(c))} ({kind})" for kind, c in built.items())
                  + ": a library is compiled once and reused by later runs until `--recompile`, and its compile "
                  "time is that compile's.", ""]
    if args.db:
        lines += tuning_summary(args.db, args.tuning_minutes)
    if args.db_avx2:
        lines += tuning_summary(args.db_avx2, args.tuning_minutes_avx2, "AVX2 tuning database")
    if args.db:
        write_plot(args, rows, peak, default)
        lines += [f"![tuned vs ONNX Runtime vs bound]({os.path.relpath(args.plot, os.path.dirname(args.out))})", ""]
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    save_measurements(args, rows, before, after, m, list(swish))
    log(f"wrote {args.out} and {rounds_path(args)}")


def avx2_table(args, rows):
    """AVX2-only libraries (x86-64-linux-avx2) without and with --db-avx2, per batch."""
    lines = ["## AVX2 only, ms", "",
             f"Libraries compiled for AVX2 alone (`--target x86-64-linux-avx2`), without (\"default\") and with "
             f"`--db {args.db_avx2}` (\"tuned\"), timed in the same passes as the tables above.", "",
             "| variant | "
             + " | ".join(f"default b{b} | tuned b{b} | tuned / default | same pass" for b in args.batches) + " |", "|---|" + "---|---|---|---|" * len(args.batches)]
    for v, r in rows.items():
        cells = []
        for b in args.batches:
            d, t = fastest(r, "effnetc avx2 only", b), fastest(r, "effnetc avx2 tuned", b)
            pp = per_pass(r, "effnetc avx2 tuned", "effnetc avx2 only", b)
            cells += [fmt(d), "= default †" if r.get("avx2_tuned_identical") else fmt(t), ratio(t, d),
                      f"{pp:.2f}" if pp else "—"]
        lines.append(f"| {v} | " + " | ".join(cells) + " |")
    if any(r.get("avx2_tuned_identical") for r in rows.values()):
        lines += ["", "† No entry of the AVX2 database applies to this variant (byte-identical libraries): "
                  "timed once."]
    return lines + [""]


def tuning_summary(path, minutes, title="Tuning database"):
    """What the database holds: keys, how many beat their default, Adams2019 where it was timed."""
    with open(path) as f:
        db = json.load(f)
    entries = list(db.get("entries", {}).values())
    timed = [e for e in entries if e.get("default_ms") and e.get("best_ms")]
    won = [e for e in timed if e["best_ms"] < 0.99 * e["default_ms"]]
    adams = [e for e in timed if e.get("adams2019_ms")]
    geo = lambda xs: math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")
    lines = [f"## {title}", "",
             f"`{path}`: {len(entries)} tuning keys for {db.get('target', '?')} on {db.get('cpu', '?')}, "
             f"{db.get('threads', '?')} threads; {sum(1 for e in entries if e.get('complete'))} searched to the end "
             f"(the rest stopped at their share of the budget)."
             + (f" Tuning took {minutes:.0f} min of wall time." if minutes else ""),
             "",
             f"- Tuning beat the default (by more than the 1 % noise margin) on {len(won)} of {len(timed)} keys "
             f"({100.0 * len(won) / max(1, len(timed)):.0f} %); per key, tuned / default: geometric mean "
             f"{geo([e['best_ms'] / e['default_ms'] for e in timed]):.3f}, best "
             f"{min((e['best_ms'] / e['default_ms'] for e in timed), default=float('nan')):.3f}.",
             ]
    if adams:
        lines.append(f"- Halide's Adams2019 autoscheduler on the same units ({len(adams)} keys, "
                     f"`effnetc tune --adams2019`): Adams2019 / default geometric mean "
                     f"{geo([e['adams2019_ms'] / e['default_ms'] for e in adams]):.2f}, faster than the default on "
                     f"{sum(1 for e in adams if e['adams2019_ms'] < e['default_ms'])} of {len(adams)}.")
    return lines + [""]


def write_plot(args, rows, peak, default):
    """Grouped bars (log scale), one group per variant and one panel per batch: bound, default (the system
    named `default`), tuned, ORT."""
    series = [("compute bound", None, "#bbbbbb"), ("effnetc default", default, "#6baed6"),
              ("effnetc tuned", "effnetc tuned", "#08519c"), ("ONNX Runtime", "onnxruntime", "#fd8d3c")]
    panel_w, panel_h, left, top, bottom = 640, 300, 60, 40, 40
    vals = []
    for r in rows.values():
        for b in args.batches:
            vals.append(bound_ms(r, b, peak))
            vals += [fastest(r, k, b) for _, k, _ in series if k and fastest(r, k, b)]
    lo, hi = 10 ** math.floor(math.log10(min(vals))), 10 ** math.ceil(math.log10(max(vals)))
    y = lambda ms: top + panel_h * (1 - (math.log10(ms) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + panel_w + 20}" '
           f'height="{len(args.batches) * (panel_h + top + bottom) + 30}" font-family="sans-serif" font-size="11">']
    for i, b in enumerate(args.batches):
        oy = i * (panel_h + top + bottom)
        out.append(f'<text x="{left}" y="{oy + 20}" font-size="13">Batch {b}: latency, ms (log scale), '
                   f'{args.threads} threads</text>')
        d = lo
        while d <= hi:
            out.append(f'<line x1="{left}" x2="{left + panel_w}" y1="{oy + y(d):.1f}" y2="{oy + y(d):.1f}" '
                       f'stroke="#eeeeee"/><text x="{left - 6}" y="{oy + y(d) + 4:.1f}" text-anchor="end">{d:g}</text>')
            d *= 10
        group = panel_w / len(rows)
        bar = group * 0.8 / len(series)
        for j, (v, r) in enumerate(rows.items()):
            for k, (_, key, color) in enumerate(series):
                ms = bound_ms(r, b, peak) if key is None else fastest(r, key, b)
                if not ms:
                    continue
                x = left + j * group + group * 0.1 + k * bar
                out.append(f'<rect x="{x:.1f}" y="{oy + y(ms):.1f}" width="{bar:.1f}" '
                           f'height="{oy + top + panel_h - (oy + y(ms)):.1f}" fill="{color}"><title>{v} '
                           f'{series[k][0]}: {ms:.2f} ms</title></rect>')
            out.append(f'<text x="{left + j * group + group / 2:.1f}" y="{oy + top + panel_h + 15}" '
                       f'text-anchor="middle">{v}</text>')
    ly = len(args.batches) * (panel_h + top + bottom) + 10
    for k, (name, _, color) in enumerate(series):
        out.append(f'<rect x="{left + k * 150}" y="{ly}" width="12" height="12" fill="{color}"/>'
                   f'<text x="{left + k * 150 + 16}" y="{ly + 10}">{name}</text>')
    out.append("</svg>")
    with open(args.plot, "w") as f:
        f.write("\n".join(out) + "\n")
    log(f"wrote {args.plot}")


if __name__ == "__main__":
    sys.exit(main())
