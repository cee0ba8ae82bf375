#!/usr/bin/env python3
"""Where a generated library's time goes: each node's share of a run against its MAC bound.

    python3 tools/bench/profile_kernels.py b0 [--threads 1] [--batch 1] [--db FILE] [--caches host|L2,L3]
                                              [--out docs/PROFILE.md]

Compiles the variant as tools/bench/run_benchmarks.py does (cached in build/bench/), times it
with apps/bench, then samples the same runs with `perf record` (Debian: linux-perf) and
attributes each sample to a node by the symbol Halide gives the node's parallel loop
(`<lib>_k<kernel>_<isa>_par_for_n<node>_...`). Units that share a kernel sample only the first
unit's node ids, so nodes are grouped by what makes them share code (op, attributes, shapes,
never names) and a group's time is set against the MACs of all its nodes. Samples in a kernel
outside any node's loop (but the classifier's, which has no loop of its own: attribute_classifier),
and in the library's runtime (task pool, Halide runtime), are rows of their own; samples elsewhere
(loading weights, create(), the kernel's page faults) are left out, so the shares are of the
library's run time. A node's ms = the bench median x its share.
The bound is 2 * MACs / the FMA peak of tools/bench/fma_peak.c at the same thread count.
A "Headroom" section gives how much shorter the run would be with the 1x1 convs at their bound
(or at the best ratio one of them reaches): a ceiling for what tuning their schedules can win.
"""
import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_benchmarks as rb  # noqa: E402  (prepare_variant, fma_peak, run, json_lines, log, VARIANTS)

GROUP_IGNORED_ATTRS = ("name", "ref")


def describe_node(n, shapes):
    """(kind, description, MACs) of one node."""
    attrs, ins = n["attrs"], [shapes[i] for i in n["inputs"]]
    if n["op"] == "conv2d":
        k, g, cin = attrs["kernel"], attrs["groups"], ins[0][0]
        co, h, w = n["shape"]
        kind = (f"depthwise {k}x{k}" if g > 1 else "expand 1x1" if k == 1 and attrs.get("act") == "swish"
                else "project 1x1" if k == 1 else f"conv {k}x{k}")
        desc = f"{cin}x{ins[0][1]}x{ins[0][2]} -> {co}x{h}x{w}" + (f" s{attrs['stride']}" if attrs["stride"] > 1 else "")
        return kind, desc, co * h * w * k * k * cin // g
    if n["op"] == "dense":
        return n["op"], f"{ins[0][0]} -> {n['shape'][0]}", ins[0][0] * n["shape"][0]
    return n["op"], "x".join(str(d) for d in (ins[0] if ins else n["shape"])), 0


def node_groups(graph):
    """Nodes keyed by what kernels share (op, input shapes, attributes but names, shape), in graph order;
    each group: kind, description, MACs of all its nodes, node ids. A conv strip-fused into its
    depthwise consumer (sched.expand_rows > 0) runs inside the consumer's loop, so its samples are
    the consumer's: the pair is one row (kind "expand 1x1 + depthwise kxk"), with both nodes' MACs."""
    shapes = {n["id"]: n["shape"] for n in graph["nodes"]}
    fused_into = {}  # consumer id -> the strip-fused producer node
    for n in graph["nodes"]:
        if n["op"] == "conv2d" and n["attrs"].get("sched.expand_rows", 0) > 0:
            consumers = [c["id"] for c in graph["nodes"] if n["id"] in c["inputs"]]
            if len(consumers) == 1:
                fused_into[consumers[0]] = n
    fused = {p["id"] for p in fused_into.values()}
    groups = collections.OrderedDict()
    for n in graph["nodes"]:
        if n["id"] in fused:
            continue
        chain = ([fused_into[n["id"]]] if n["id"] in fused_into else []) + [n]
        key = json.dumps([[m["op"], [shapes[i] for i in m["inputs"]], m["shape"],
                           {k: v for k, v in m["attrs"].items() if k not in GROUP_IGNORED_ATTRS}] for m in chain],
                         sort_keys=True)
        described = [describe_node(m, shapes) for m in chain]
        kind = " + ".join(d[0] for d in described)
        desc = described[0][1] + "".join(" -> " + d[1].split(" -> ", 1)[1] for d in described[1:])
        g = groups.setdefault(key, {"kind": kind, "desc": desc, "macs": 0, "ids": []})
        g["macs"] += sum(d[2] for d in described)
        g["ids"].append(n["id"])
    return list(groups.values())


def perf_samples(cmd, data):
    """Samples per symbol of `cmd`, from perf record / perf report."""
    subprocess.run(["perf", "record", "-q", "-F", "4000", "-o", data, "--"] + cmd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = subprocess.run(["perf", "report", "-i", data, "--sort", "sym", "--stdio", "-F", "sample,sym"], check=True,
                         text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    samples = collections.Counter()
    for line in out.splitlines():
        m = re.match(r"\s*(\d+)\s+\[.\]\s+(\S+)", line)
        if m:
            samples[m.group(2)] += int(m.group(1))
    return samples


def attribute(samples, lib):
    """Samples per node id, per kernel outside node loops, and in the runtime; and the node ids
    sampled in each kernel."""
    per_node, per_kernel, runtime = collections.Counter(), collections.Counter(), 0
    kernel_nodes = collections.defaultdict(set)
    for sym, n in samples.items():
        m = re.match(rf"{lib}_k(\d+)_\w*?(?:_par_for_n(\d+)_\w*)?$", sym)
        if m and m.group(2):
            per_node[int(m.group(2))] += n
            kernel_nodes[int(m.group(1))].add(int(m.group(2)))
        elif m:
            per_kernel[int(m.group(1))] += n
        elif sym.startswith(("pool_", "halide_", lib)):
            runtime += n
    return per_node, per_kernel, runtime, kernel_nodes


def attribute_classifier(per_node, per_kernel, kernel_nodes, graph):
    """The classifier (dense) runs without a parallel loop (its samples inside its reduction), so
    it has no symbol of its own: its kernel's samples outside node loops are its. Its kernel is
    the one where its nearest sampled input, three nodes up at most (the pool), was sampled."""
    nodes = {n["id"]: n for n in graph["nodes"]}
    for n in graph["nodes"]:
        if n["op"] != "dense" or per_node[n["id"]]:
            continue
        frontier = [n["id"]]
        for _ in range(3):
            frontier = [i for f in frontier for i in nodes[f]["inputs"]]
            kernels = [k for k, sampled in kernel_nodes.items() if sampled & set(frontier)]
            if kernels:
                if len(kernels) == 1 and per_kernel[kernels[0]]:
                    per_node[n["id"]] += per_kernel.pop(kernels[0])
                break


def headroom(rows, median):
    """Report lines: how much shorter the run would be with the 1x1 convs at their bound, or at the
    best ratio to its bound that one of this run's 1x1 groups (1 % of the run or more) reaches:
    a ceiling for what their schedules (the tuner's main search space) can still win."""
    pw = [(t, b) for t, b, g in rows if g["kind"] in ("expand 1x1", "project 1x1")]
    if not pw:
        return []
    # perf's attribution can put a group under its bound; none of 1 % of the run: the bound
    best = max(1.0, min((t / b for t, b in pw if t >= 0.01 * median), default=1.0))
    at_bound = sum(max(0.0, t - b) for t, b in pw)
    at_best = sum(max(0.0, t - best * b) for t, b in pw)
    everything = sum(max(0.0, t - b) for t, b, _ in rows if b)
    share = sum(t for t, _ in pw) / median
    return ["", "## Headroom", "",
            f"The 1x1 convs take {100 * share:.1f} % of the run. With every 1x1 group at the best ratio one of them "
            f"reaches here ({best:.2f}), the run would take {100 * at_best / median:.1f} % less time; at their "
            f"bound, {100 * at_bound / median:.1f} % less; with every node that has MACs at its bound, "
            f"{100 * everything / median:.1f} % less."]


def parser():
    """The command line; its namespace is also what rb.prepare_variant reads (args.build, .caches...)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("variant", choices=rb.VARIANTS)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--runs", type=int, default=300, help="timed calls, for the median and for perf")
    ap.add_argument("--isa", default=next(iter(rb.machine_isas()), "avx2"), choices=["avx512", "avx2"],
                    help="the ISA forced on the x86-64-linux library (default: the machine's best)")
    ap.add_argument("--db", help="compile with this tuning database (effnetc compile --db)")
    ap.add_argument("--caches", help="size the schedules for these caches (effnetc compile --caches host|L2,L3)")
    ap.add_argument("--top", type=int, default=25, help="node groups listed, the slowest first")
    ap.add_argument("--build", default=os.path.join(rb.ROOT, "build"))
    ap.add_argument("--recompile", action="store_true")
    ap.add_argument("--out", help="write the report here (markdown) instead of stdout")
    ap.set_defaults(target="x86-64-linux")  # every ISA in one library; --isa forces one
    return ap


def main():
    ap = parser()
    args = ap.parse_args()
    if not shutil.which("perf"):
        sys.exit("profile_kernels: error: `perf` not found (Debian: apt-get install linux-perf)")
    work = os.path.join(args.build, "bench")
    os.makedirs(work, exist_ok=True)
    bench = rb.prepare_variant(args, args.variant, work, args.db)[0]
    lib = f"efficientnet_{args.variant}"
    graph = json.loads(rb.run([os.path.join(args.build, "cli/effnetc"), "inspect", args.variant, "--emit=final",
                               "--json"] + (["--tuned-db", args.db] if args.db else [])
                               + (["--caches", args.caches] if args.caches else [])))
    cmd = [bench, "--isa", args.isa, "--threads", str(args.threads), "--batch", str(args.batch), "--runs",
           str(args.runs), "--warmup", "5", "--json"]
    median = rb.json_lines(rb.run(cmd))[0]["median_ms"]
    peak = rb.fma_peak(work, args.threads, args.isa)
    with tempfile.TemporaryDirectory() as tmp:
        rb.log("perf record " + " ".join(cmd))
        samples = perf_samples(cmd, os.path.join(tmp, "perf.data"))
    per_node, per_kernel, runtime, kernel_nodes = attribute(samples, lib)
    attribute_classifier(per_node, per_kernel, kernel_nodes, graph)
    total = sum(per_node.values()) + sum(per_kernel.values()) + runtime
    if not total:
        sys.exit(f"profile_kernels: error: perf saw no samples in {lib}'s kernels (is perf allowed? "
                 "see /proc/sys/kernel/perf_event_paranoid)")
    ms = lambda n: median * n / total
    bound = lambda macs: 2 * macs * args.batch / (peak * 1e9) * 1e3

    rows = []
    for g in node_groups(graph):
        s = sum(per_node[i] for i in g["ids"])
        if s or g["macs"]:
            rows.append((ms(s), bound(g["macs"]), g))
    kinds = collections.OrderedDict()
    for t, b, g in rows:
        k = kinds.setdefault(g["kind"], [0.0, 0.0])
        k[0] += t
        k[1] += b
    kinds["kernel code outside node loops"] = [ms(sum(per_kernel.values())), 0.0]
    kinds["runtime (task pool, Halide)"] = [ms(runtime), 0.0]
    ratio = lambda t, b: f"{t / b:.2f}" if b else "—"
    # the command that regenerates this report: the options given, defaults left out
    opts = "".join(f" --{k} {getattr(args, k)}" for k in ("runs", "isa", "top") if getattr(args, k) != ap.get_default(k))
    db = (opts + (f" --db {args.db}" if args.db else "") + (f" --caches {args.caches}" if args.caches else "")
          + (f" --out {os.path.relpath(args.out, rb.ROOT)}" if args.out else ""))
    lines = [f"# Where {lib}'s time goes", "",
             f"    python3 tools/bench/profile_kernels.py {args.variant} --threads {args.threads} --batch {args.batch}{db}",
             "", f"{args.isa}, {args.threads} thread(s), batch {args.batch}: median {median:.2f} ms over {args.runs} runs "
             f"(bound {sum(b for _, b, _ in rows):.2f} ms at {peak:.0f} GFLOP/s, tools/bench/fma_peak.c); "
             f"{total} perf samples in the library. Bound = 2·MACs / peak; ratio = ms / bound.", "",
             "## By kind", "", "| kind | ms | share | bound ms | ratio |", "|---|---|---|---|---|"]
    for k, (t, b) in sorted(kinds.items(), key=lambda kv: -kv[1][0]):
        lines.append(f"| {k} | {t:.3f} | {100 * t / median:.1f} % | {b:.3f} | {ratio(t, b)} |")
    lines += headroom(rows, median)
    lines += ["", f"## Node groups, the slowest {args.top}", "",
              "Nodes that share a kernel are one row (`n` = how many, `first` = the first node's id).", "",
              "| first | n | kind | shape | ms | share | bound ms | ratio |", "|---|---|---|---|---|---|---|---|"]
    for t, b, g in sorted(rows, key=lambda r: -r[0])[:args.top]:
        lines.append(f"| %{g['ids'][0]} | {len(g['ids'])} | {g['kind']} | {g['desc']} | {t:.3f} | "
                     f"{100 * t / median:.1f} % | {b:.3f} | {ratio(t, b)} |")
    text = "\n".join(lines) + "\n"
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
        rb.log(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
