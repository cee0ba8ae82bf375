#!/usr/bin/env python3
"""tools/bench/profile_kernels.py's command line gives run_benchmarks.prepare_variant (and the
reference_weights it calls) every `args.<name>` they read, so a new run_benchmarks option cannot
break the profiler unseen (it once did: --caches). Also checks that --caches reaches the namespace.

    test_profile_args.py
"""
import inspect
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "bench"))
import profile_kernels  # noqa: E402
import run_benchmarks  # noqa: E402


def main():
    read = set()
    for fn in (run_benchmarks.prepare_variant, run_benchmarks.reference_weights):
        read |= set(re.findall(r"\bargs\.(\w+)", inspect.getsource(fn)))
    if not {"build", "caches"} <= read:
        print(f"FAIL: expected prepare_variant to read args.build and args.caches, found {sorted(read)}")
        return 1
    args = profile_kernels.parser().parse_args(["b0", "--caches", "host"])
    missing = sorted(name for name in read if not hasattr(args, name))
    if missing:
        print(f"FAIL: profile_kernels' arguments lack {missing}, which prepare_variant reads")
        return 1
    if args.caches != "host" or args.target != "x86-64-linux":
        print(f"FAIL: caches {args.caches!r}, target {args.target!r}")
        return 1
    print(f"ok: {len(read)} attributes read, all given")
    return 0


if __name__ == "__main__":
    sys.exit(main())
