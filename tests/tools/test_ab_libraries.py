#!/usr/bin/env python3
"""tools/bench/ab_libraries.py: with two fake apps/bench scripts (each logs its name and prints a
fixed median), A and B alternate (A first in even rounds) and the summary is the median of B/A;
conflicting or out-of-range options, an unknown --a-rev and a failing compile fail with exit 2 or 1 and say what is
wrong; and with a real build (BUILD_DIR, the ctest's effnetc build) a small spec is compiled for
both sides, linked with apps/bench and timed, and --json keeps its rounds.

    test_ab_libraries.py BUILD_DIR
"""
import json
import os
import stat
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TOOL = os.path.join(ROOT, "tools", "bench", "ab_libraries.py")
SPEC = os.path.join(ROOT, "tests", "specs", "good", "odd_same.json")


def fake_bench(path, log, name, ms):
    with open(path, "w") as f:
        f.write(f"#!/bin/sh\necho {name} >> {log}\necho '{{\"median_ms\": {ms}}}'\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


def tool(*args):
    return subprocess.run([sys.executable, TOOL, *args], text=True, capture_output=True)


def main():
    build = os.path.abspath(sys.argv[1])
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "order")
        a, b = os.path.join(tmp, "a.sh"), os.path.join(tmp, "b.sh")
        fake_bench(a, log, "A", 2.0)
        fake_bench(b, log, "B", 3.0)
        out = os.path.join(tmp, "ab.json")
        r = tool("b0", "--a-bench", a, "--b-bench", b, "--rounds", "3", "--work", tmp, "--json", out)
        order = open(log).read().split() if os.path.exists(log) else []
        if r.returncode or order != ["A", "B", "B", "A", "A", "B"]:
            failures.append(f"fake apps: exit {r.returncode}, order {order}: {r.stderr[-300:]}")
        elif "B/A median 1.500" not in r.stdout or json.load(open(out))["median_ratio"] != 1.5:
            failures.append(f"fake apps: summary {r.stdout!r}")

        bad = [(["b0", "--a-bench", a, "--a-db", "x.json", "--b-bench", b], 2, "--a-bench is built already"),
               (["b0", "--a-rev", "HEAD", "--a-effnetc", "e"], 2, "not --a-effnetc and --a-rev"),
               (["b0", "--rounds", "0"], 2, "--rounds must be at least 1, got 0"),
               (["b0", "--a-rev", "no-such-rev", "--b-bench", b, "--work", tmp], 1, "'no-such-rev' is not a commit"),
               (["no-such-spec.json", "--build", build, "--work", tmp], 1, "failed (exit 2)")]
        for args, code, message in bad:
            r = tool(*args)
            if r.returncode != code or message not in r.stderr:
                failures.append(f"{args}: exit {r.returncode} (want {code}), stderr {r.stderr[-300:]!r}")

        out = os.path.join(tmp, "real.json")
        r = tool(SPEC, "--build", build, "--work", os.path.join(tmp, "work"), "--rounds", "2", "--runs", "2",
                 "--warmup", "0", "--threads", "1", "--json", out)
        if r.returncode:
            failures.append(f"real build: exit {r.returncode}: {r.stderr[-600:]}")
        else:
            rounds = json.load(open(out))["rounds"]
            if len(rounds) != 2 or not all(x["a_ms"] > 0 and x["b_ms"] > 0 for x in rounds):
                failures.append(f"real build: rounds {rounds}")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("ok: alternation, summary, option errors, a real A/B of a small spec")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
