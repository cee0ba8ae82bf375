#!/usr/bin/env python3
"""tools/bench/profile_kernels.py's attribution of the classifier, which runs without a parallel
loop and so has no symbol of its own: its kernel's samples outside node loops (kernel 5 here,
where the pool feeding it was sampled) become the dense node's; another kernel's stay outside.

    test_profile_classifier.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "bench"))
import profile_kernels  # noqa: E402


def main():
    graph = {"nodes": [{"id": 1, "op": "conv2d", "inputs": []},
                       {"id": 2, "op": "global_avg_pool", "inputs": [1]},
                       {"id": 3, "op": "flatten", "inputs": [2]},
                       {"id": 4, "op": "dense", "inputs": [3]}]}
    samples = {"lib_k4_avx512_par_for_n1_conv2d_s0_y_task": 50, "lib_k4_avx512": 7,
               "lib_k5_avx512_par_for_n2_sum_intm_s1_yv": 10, "lib_k5_avx512": 30, "pool_worker": 2}
    per_node, per_kernel, runtime, kernel_nodes = profile_kernels.attribute(samples, "lib")
    profile_kernels.attribute_classifier(per_node, per_kernel, kernel_nodes, graph)
    failures = []
    if per_node[4] != 30:
        failures.append(f"the classifier got {per_node[4]} samples, not kernel 5's 30")
    if dict(per_kernel) != {4: 7}:
        failures.append(f"outside node loops: {dict(per_kernel)}, not kernel 4's 7")
    if per_node[1] != 50 or per_node[2] != 10 or runtime != 2:
        failures.append(f"other samples moved: {dict(per_node)}, runtime {runtime}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
