#!/usr/bin/env python3
"""tools/bench/profile_kernels.py's node groups on b7's final graph (effnetc inspect): a
strip-fused expand (sched.expand_rows > 0) is reported with its depthwise consumer, whose loop
holds its samples, and every conv and dense node's MACs are counted exactly once.

    test_profile_groups.py EFFNETC
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "bench"))
import profile_kernels  # noqa: E402


def main():
    effnetc = sys.argv[1]
    graph = json.loads(subprocess.run([effnetc, "inspect", "b7", "--emit=final", "--json"], check=True,
                                      capture_output=True, text=True).stdout)
    shapes = {n["id"]: n["shape"] for n in graph["nodes"]}
    macs = {n["id"]: profile_kernels.describe_node(n, shapes)[2] for n in graph["nodes"]}
    fused = [n for n in graph["nodes"] if n["attrs"].get("sched.expand_rows", 0) > 0]
    groups = profile_kernels.node_groups(graph)
    grouped = [i for g in groups for i in g["ids"]]
    failures = []
    if not fused:
        failures.append("b7's graph has no strip-fused expand (the default rule changed?): nothing tested")
    for p in fused:
        consumer = next(n for n in graph["nodes"] if p["id"] in n["inputs"])
        row = next((g for g in groups if consumer["id"] in g["ids"]), None)
        if p["id"] in grouped:
            failures.append(f"fused expand %{p['id']} has a row of its own")
        if row is None or not row["kind"].startswith("expand 1x1 + depthwise"):
            failures.append(f"%{consumer['id']}'s row is {row and row['kind']!r}, not the fused pair")
    if sum(g["macs"] for g in groups) != sum(macs.values()):
        failures.append(f"MACs over the rows {sum(g['macs'] for g in groups)} != over the nodes {sum(macs.values())}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(fused)} fused expands, {len(groups)} rows")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
