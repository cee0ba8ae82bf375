#!/usr/bin/env python3
"""A/B of two builds of one variant: alternating apps/bench runs, the median of B's time over A's.

    python3 tools/bench/ab_libraries.py b0 --a-rev 372527c            # that commit (A) vs this tree's effnetc (B)
    python3 tools/bench/ab_libraries.py b4 --b-db schedules/tuned      # defaults (A) vs the tuned database (B)
    python3 tools/bench/ab_libraries.py b0 --a-bench DIR/bench --b-bench OTHER/bench   # two built apps

Each side is a library compiled by an effnetc binary (this build's by default; --X-effnetc PATH, or
--X-rev REV: effnetc built from that commit, cached under <work>/effnetc-<commit>) with --X-db and
--X-caches passed to `effnetc compile`, on the same weights (random, --seed, unless --weights), for
--target (the machine's best single ISA by default), and apps/bench linked to it; or an apps/bench
already built (--X-bench). Each round times A and B in separate processes back to back, in
alternating order from round to round, each process --warmup calls then the median of --runs: the
VM's slow phases come and go within minutes, so a ratio of two runs in one round is steadier than
either time, and the median over rounds of B/A is the figure (docs/MEASURED.md's A/Bs). The noise
floor is the same build on both sides: b0 at batch 1 on 2 threads, 16 rounds of 200 runs, median
1.001x, single rounds 0.98-1.11x (Intel machine, forty-first session); rounds of 30 runs spread more.
Rounds go to stderr as they finish; the summary line to stdout; --json FILE keeps every round.
Run nothing else meanwhile.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile

import run_benchmarks as rb

SIDES = ("a", "b")


def parser():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("variant", help="b0..b7 or a spec.json, as `effnetc compile` takes it")
    for s in SIDES:
        S = s.upper()
        g = ap.add_argument_group(f"side {S}")
        g.add_argument(f"--{s}-bench", metavar="APP", help=f"an apps/bench already built: time it as {S}")
        g.add_argument(f"--{s}-effnetc", metavar="PATH", help="compile with this effnetc binary")
        g.add_argument(f"--{s}-rev", metavar="REV", help="compile with effnetc built from this commit")
        g.add_argument(f"--{s}-db", metavar="FILE", help="effnetc compile --db FILE")
        g.add_argument(f"--{s}-caches", metavar="C", help="effnetc compile --caches C")
    ap.add_argument("--target", help="effnetc compile --target (default: x86-64-linux-avx512 where the machine "
                    "has AVX-512, else x86-64-linux-avx2)")
    ap.add_argument("--weights", help="compile with these weights (safetensors) instead of random ones")
    ap.add_argument("--seed", type=int, default=1, help="effnetc compile --random-weights SEED (default 1)")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=30, help="timed calls per process")
    ap.add_argument("--warmup", type=int, default=2, help="untimed calls before them")
    ap.add_argument("--isa", help="apps/bench --isa (default: the library's best)")
    ap.add_argument("--build", default=os.path.join(rb.ROOT, "build"), help="this tree's build (for effnetc)")
    ap.add_argument("--work", help="where libraries and effnetc builds go (default: <build>/ab)")
    ap.add_argument("--json", metavar="FILE", help="write the sides, every round and the summary here")
    return ap


def check_args(ap, args):
    for s in SIDES:
        given = [o for o in ("bench", "effnetc", "rev") if getattr(args, f"{s}_{o}")]
        if len(given) > 1:
            ap.error(f"side {s.upper()}: give one of --{s}-bench, --{s}-effnetc, --{s}-rev, not "
                     + " and ".join(f"--{s}-{o}" for o in given))
        if getattr(args, f"{s}_bench") and (getattr(args, f"{s}_db") or getattr(args, f"{s}_caches")):
            ap.error(f"side {s.upper()}: --{s}-db and --{s}-caches change a compile; --{s}-bench is built already")
    for name, lo in (("rounds", 1), ("batch", 1), ("threads", 1), ("runs", 1), ("warmup", 0)):
        if getattr(args, name) < lo:
            ap.error(f"--{name} must be at least {lo}, got {getattr(args, name)}")


def commit_of(rev):
    """The full commit id of `rev` in this repository (an error naming it when there is none)."""
    r = subprocess.run(["git", "-C", rb.ROOT, "rev-parse", "--verify", "--quiet", rev + "^{commit}"],
                       text=True, stdout=subprocess.PIPE)
    if r.returncode:
        sys.exit(f"ab_libraries: error: --a-rev/--b-rev {rev!r} is not a commit of {rb.ROOT}")
    return r.stdout.strip()


def effnetc_at(rev, work):
    """effnetc built from commit `rev` (git archive, no worktree), once per commit under <work>."""
    commit = commit_of(rev)
    src = os.path.join(work, f"effnetc-{commit[:12]}")
    exe = os.path.join(src, "build", "cli", "effnetc")
    if not os.path.exists(exe):
        if not os.path.exists(os.path.join(src, "CMakeLists.txt")):
            with tempfile.TemporaryFile() as tar:
                subprocess.run(["git", "-C", rb.ROOT, "archive", commit], stdout=tar, check=True)
                tar.seek(0)
                with tarfile.open(fileobj=tar) as t:
                    t.extractall(src)
        rb.run(["cmake", "-S", src, "-B", os.path.join(src, "build"), "-DCMAKE_BUILD_TYPE=Release"])
        rb.run(["cmake", "--build", os.path.join(src, "build"), "--target", "effnetc", "-j", str(os.cpu_count())])
    return exe


def prepare_side(args, s, work):
    """(apps/bench of side `s`, what it is in words)."""
    get = lambda o: getattr(args, f"{s}_{o}")
    if get("bench"):
        return os.path.abspath(get("bench")), f"apps/bench {get('bench')}"
    if get("rev"):
        effnetc, what = effnetc_at(get("rev"), work), f"effnetc at {get('rev')}"
    else:
        effnetc = get("effnetc") or os.path.join(args.build, "cli", "effnetc")
        what = f"effnetc {effnetc}" if get("effnetc") else "this build's effnetc"
    compile_args = ["--target", args.target]
    compile_args += ["--weights", args.weights] if args.weights else ["--random-weights", str(args.seed)]
    for o in ("db", "caches"):
        if get(o):
            compile_args += [f"--{o}", get(o)]
            what += f" --{o} {get(o)}"
    name = os.path.splitext(os.path.basename(args.variant))[0]
    lib = os.path.join(work, f"{name}-{s}")
    rb.run([effnetc, "compile", args.variant, "-o", lib] + compile_args)
    lib_name = next((f[3:-2] for f in os.listdir(lib) if f.startswith("lib") and f.endswith(".a")), None)
    if not lib_name:
        sys.exit(f"ab_libraries: error: `effnetc compile` wrote no library into {lib}")
    return rb.link_bench(lib, lib_name), what


def timed(bench, args):
    """One process of `bench`: the median of its timed calls, in ms."""
    cmd = [bench, "--batch", str(args.batch), "--threads", str(args.threads), "--runs", str(args.runs),
           "--warmup", str(args.warmup), "--json"] + (["--isa", args.isa] if args.isa else [])
    rows = rb.json_lines(subprocess.run(cmd, check=True, text=True, stdout=subprocess.PIPE).stdout)
    if len(rows) != 1:
        sys.exit(f"ab_libraries: error: {bench} printed {len(rows)} JSON lines, expected 1")
    return rows[0]["median_ms"]


def alternate(bench_a, bench_b, args):
    """Rounds of (A ms, B ms), A first in even rounds and B first in odd ones."""
    rounds = []
    for k in range(args.rounds):
        benches = {"a": bench_a, "b": bench_b}
        ms = {side: timed(benches[side], args) for side in (SIDES if k % 2 == 0 else SIDES[::-1])}
        a, b = ms["a"], ms["b"]
        rounds.append((a, b))
        rb.log(f"round {k + 1}/{args.rounds}: A {a:.3f} ms, B {b:.3f} ms, B/A {b / a:.3f}")
    return rounds


def summary(rounds):
    ratios = [b / a for a, b in rounds]
    return {"median_ratio": statistics.median(ratios), "min_ratio": min(ratios), "max_ratio": max(ratios),
            "median_a_ms": statistics.median(a for a, _ in rounds),
            "median_b_ms": statistics.median(b for _, b in rounds)}


def main():
    ap = parser()
    args = ap.parse_args()
    check_args(ap, args)
    args.target = args.target or (
        "x86-64-linux-avx512" if "avx512" in rb.machine_isas() else "x86-64-linux-avx2")
    work = os.path.abspath(args.work or os.path.join(args.build, "ab"))
    os.makedirs(work, exist_ok=True)
    (bench_a, what_a), (bench_b, what_b) = (prepare_side(args, s, work) for s in SIDES)
    rb.log(f"A: {what_a}; B: {what_b}")
    rounds = alternate(bench_a, bench_b, args)
    s = summary(rounds)
    print(f"{args.variant} batch {args.batch}, {args.threads} thread(s), {args.rounds} rounds of {args.runs} runs: "
          f"B/A median {s['median_ratio']:.3f} (min {s['min_ratio']:.3f}, max {s['max_ratio']:.3f}); "
          f"A {s['median_a_ms']:.3f} ms, B {s['median_b_ms']:.3f} ms (medians of rounds)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"a": what_a, "b": what_b, "target": args.target, "batch": args.batch, "threads": args.threads,
                       "runs": args.runs, "rounds": [{"a_ms": a, "b_ms": b} for a, b in rounds], **s}, f, indent=1)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as e:  # the command's own message is on stderr above
        sys.exit(f"ab_libraries: error: {' '.join(e.cmd)} failed (exit {e.returncode})")
