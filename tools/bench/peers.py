#!/usr/bin/env python3
"""Times the benchmark peers (ONNX Runtime, OpenVINO) on an exported ONNX model.

Runs in the peers' own virtual environment (tools/bench/setup_peers.sh), never in the
tests. For each runtime and batch: warm up, then time `--runs` calls and report the
median and quartiles in milliseconds as one JSON object per line on stdout.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np


def time_calls(fn, runs, warmup):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    q = statistics.quantiles(samples, n=4)
    return {"median_ms": statistics.median(samples), "q1_ms": q[0], "q3_ms": q[2], "runs": runs}


def onnxruntime_runner(model, threads):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    return "onnxruntime " + ort.__version__, lambda x: sess.run(None, {name: x})[0]


def openvino_runner(model, threads):
    import openvino as ov

    core = ov.Core()
    compiled = core.compile_model(
        core.read_model(model), "CPU",
        {"INFERENCE_NUM_THREADS": threads, "INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY"})
    request = compiled.create_infer_request()

    def run(x):
        request.infer({0: x})
        return request.get_output_tensor(0).data

    return "openvino " + ov.__version__, run


RUNNERS = {"onnxruntime": onnxruntime_runner, "openvino": openvino_runner}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", required=True, help="ONNX file with a dynamic batch axis")
    ap.add_argument("--resolution", type=int, required=True)
    ap.add_argument("--batch", type=int, action="append", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--runtime", choices=sorted(RUNNERS), action="append")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    for runtime in args.runtime or sorted(RUNNERS):
        name, run = RUNNERS[runtime](args.model, args.threads)
        for batch in args.batch:
            x = rng.standard_normal((batch, 3, args.resolution, args.resolution), dtype=np.float32)
            result = time_calls(lambda: run(x), args.runs, args.warmup)
            result.update({"runtime": runtime, "version": name, "batch": batch, "threads": args.threads})
            print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
