#!/usr/bin/env python3
"""tools/bench/profile_kernels.py's headroom lines on hand-made rows (ms, bound ms, group) of a
10 ms run: the 1x1 groups' ceiling at the best ratio among those with 1 % of the run or more,
at their bound, and every node with MACs at its bound; groups under their bound save nothing,
and the best ratio is never under 1.

    test_profile_headroom.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "bench"))
import profile_kernels  # noqa: E402


def main():
    rows = [(3.0, 2.0, {"kind": "expand 1x1"}),     # 1.50
            (2.4, 2.0, {"kind": "project 1x1"}),    # 1.20: the best ratio
            (0.05, 0.06, {"kind": "project 1x1"}),  # under its bound, and under 1 % of the run
            (2.0, 0.5, {"kind": "depthwise 3x3"}),
            (1.0, 0.0, {"kind": "squeeze_excite"})]
    text = " ".join(profile_kernels.headroom(rows, 10.0))
    # 1x1: 5.45 of 10 ms; at 1.20: 3.0 - 2.4 = 0.6 ms; at the bound 1.0 + 0.4 = 1.4; all: + 1.5 = 2.9
    want = ["take 54.5 % of the run", "reaches here (1.20)", "take 6.0 % less time", "bound, 14.0 % less",
            "at its bound, 29.0 % less"]
    failures = [f"missing {w!r}" for w in want if w not in text]
    if profile_kernels.headroom([r for r in rows if not r[2]["kind"].endswith("1x1")], 10.0):
        failures.append("headroom lines for a run without 1x1 convs")
    # a group measured under its bound holds the best ratio at 1.00, so "at the best" <= "at the bound"
    under = " ".join(profile_kernels.headroom([(1.8, 2.0, {"kind": "expand 1x1"}),
                                               (3.0, 2.0, {"kind": "project 1x1"})], 10.0))
    if "reaches here (1.00), the run would take 10.0 % less" not in under:
        failures.append("a group under its bound: " + under)
    # only groups under 1 % of the run: the best ratio is the bound
    tiny = " ".join(profile_kernels.headroom([(0.05, 0.04, {"kind": "expand 1x1"})], 10.0))
    if "reaches here (1.00)" not in tiny:
        failures.append("1x1 groups all under 1 %: " + tiny)
    for f in failures:
        print("FAIL:", f)
    print(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
