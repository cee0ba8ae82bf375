#!/usr/bin/env python3
"""torchvision side of the CUDA checks (tools/gpu/run_gpu_checks.sh, tests/gpu).

  torch_reference.py logits --variant b3 --weights DIR/weights.safetensors --input DIR/input.bin
                            --batch 2 --out DIR/torch_logits.bin
      torchvision's efficientnet_<v> with the given weights (torchvision state_dict names, as
      tests/gpu/gpu_prepare writes them), in float64 on the CPU, on the float32 NCHW input; writes
      float32 logits [batch, 1000].
  torch_reference.py bench --variants b0,b1 --batches 1,64 --runs 20 --out results.json
      PyTorch eager and CUDA-graph latency (median ms) of the same models on the GPU, fp32 with TF32
      off; one JSON object per line on stdout and in --out.
  torch_reference.py compare GOT.bin REF.bin --classes 1000
      float32 logits files compared with the project tolerance: |got-ref| <= 1e-3 + 1e-3|ref| per
      element, the same top-1 and cosine >= 0.99999 per sample (needs no torch).
  torch_reference.py check
      exit 0 if torch and torchvision import (the scripts call this before relying on them).

Runs with any python3 that has torch and torchvision (Debian's /usr/bin/python3 here, the image's
python3 on the GPU machines). Exit codes: 0 ok, 1 failure, 2 usage.
"""
import argparse
import json
import struct
import sys
import time


def load_torch():
    import torch
    import torchvision
    return torch, torchvision


def build_model(torchvision, variant):
    return getattr(torchvision.models, "efficientnet_" + variant)(weights=None)


def read_safetensors(torch, path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = memoryview(data)[8 + n:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name} has dtype {info['dtype']}, expected F32")
        lo, hi = info["data_offsets"]
        t = torch.frombuffer(bytearray(body[lo:hi]), dtype=torch.float32)
        tensors[name] = t.reshape(info["shape"])
    return tensors


def cmd_logits(a):
    torch, torchvision = load_torch()
    model = build_model(torchvision, a.variant).eval()
    state = read_safetensors(torch, a.weights)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise SystemExit(f"{a.weights}: missing {missing[:5]}, unexpected {unexpected[:5]}")
    with open(a.input, "rb") as f:
        raw = f.read()
    pixels = len(raw) // 4 // (3 * a.batch)
    side = int(round(pixels ** 0.5))
    if side * side * 3 * a.batch * 4 != len(raw):
        raise SystemExit(f"{a.input}: {len(raw)} bytes is not {a.batch} x 3 x R x R float32")
    x = torch.frombuffer(bytearray(raw), dtype=torch.float32).reshape(a.batch, 3, side, side)
    with torch.no_grad():
        y = model.double()(x.double()).float()
    with open(a.out, "wb") as f:
        f.write(y.contiguous().numpy().tobytes())
    print(f"torch_reference {a.variant}: torch {torch.__version__}, torchvision {torchvision.__version__}, "
          f"input {tuple(x.shape)}, logits {tuple(y.shape)} -> {a.out}")


def median_ms(fn, torch, runs):
    times = []
    for _ in range(runs):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return times[len(times) // 2]


def bench_one(torch, torchvision, variant, batch, runs):
    res = {"b0": 224, "b1": 240, "b2": 260, "b3": 300, "b4": 380, "b5": 456, "b6": 528, "b7": 600}[variant]
    model = build_model(torchvision, variant).cuda().eval()
    x = torch.randn(batch, 3, res, res, device="cuda")
    row = {"variant": variant, "batch": batch, "resolution": res, "runs": runs}
    with torch.no_grad():
        for _ in range(3):
            model(x)
        row["eager_ms"] = median_ms(lambda: model(x), torch, runs)
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(3):
                model(x)
        torch.cuda.current_stream().wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            model(x)
        for _ in range(3):
            graph.replay()
        row["graph_ms"] = median_ms(graph.replay, torch, runs)
    del model, x
    torch.cuda.empty_cache()
    return row


def cmd_bench(a):
    torch, torchvision = load_torch()
    if not torch.cuda.is_available():
        raise SystemExit("torch sees no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    print(f"# torch {torch.__version__}, torchvision {torchvision.__version__}, cudnn "
          f"{torch.backends.cudnn.version()}, {torch.cuda.get_device_name(0)}, fp32, TF32 off", flush=True)
    rows, failed = [], 0
    for variant in a.variants.split(","):
        for batch in [int(b) for b in a.batches.split(",")]:
            try:
                row = bench_one(torch, torchvision, variant, batch, a.runs)
            except Exception as e:  # one configuration failing (memory, capture) must not stop the rest
                row, failed = {"variant": variant, "batch": batch, "error": str(e).splitlines()[0][:200]}, failed + 1
                torch.cuda.empty_cache()
            print(json.dumps(row), flush=True)
            rows.append(row)
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n".join(json.dumps(r) for r in rows) + "\n")
    return 1 if failed else 0


def cmd_compare(a):
    def floats(path):
        with open(path, "rb") as f:
            raw = f.read()
        return struct.unpack(f"<{len(raw) // 4}f", raw)
    got, ref = floats(a.got), floats(a.ref)
    if len(got) != len(ref) or len(ref) % a.classes:
        raise SystemExit(f"{a.got}: {len(got)} floats vs {len(ref)} in {a.ref} ({a.classes} classes per sample)")
    bad, max_abs = 0, 0.0
    for b in range(len(ref) // a.classes):
        g, r = got[b * a.classes:(b + 1) * a.classes], ref[b * a.classes:(b + 1) * a.classes]
        max_abs = max([max_abs] + [abs(x - y) for x, y in zip(g, r)])
        over = sum(1 for x, y in zip(g, r) if not abs(x - y) <= 1e-3 + 1e-3 * abs(y))
        cosine = sum(x * y for x, y in zip(g, r)) / (sum(x * x for x in g) * sum(y * y for y in r)) ** 0.5
        top_g, top_r = max(range(a.classes), key=g.__getitem__), max(range(a.classes), key=r.__getitem__)
        print(f"sample {b}: {over} element(s) out of tolerance, top-1 {top_g} vs {top_r}, cosine {cosine:.7f}")
        bad += over > 0 or top_g != top_r or not cosine >= 0.99999
    print(f"max-abs error {max_abs:.3g}: {'FAIL' if bad else 'ok'}")
    return 1 if bad else 0


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    lg = sub.add_parser("logits")
    lg.add_argument("--variant", required=True, choices=[f"b{i}" for i in range(8)])
    lg.add_argument("--weights", required=True)
    lg.add_argument("--input", required=True)
    lg.add_argument("--batch", type=int, required=True)
    lg.add_argument("--out", required=True)
    bn = sub.add_parser("bench")
    bn.add_argument("--variants", default="b0,b1,b2,b3,b4,b5,b6,b7")
    bn.add_argument("--batches", default="1,64")
    bn.add_argument("--runs", type=int, default=20)
    bn.add_argument("--out")
    cp = sub.add_parser("compare")
    cp.add_argument("got")
    cp.add_argument("ref")
    cp.add_argument("--classes", type=int, default=1000)
    sub.add_parser("check")
    a = p.parse_args(argv)
    try:
        if a.cmd == "check":
            torch, torchvision = load_torch()
            print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, "
                  f"cuda available: {torch.cuda.is_available()}")
            return 0
        if a.cmd == "compare":
            return cmd_compare(a)
        if a.cmd == "logits":
            cmd_logits(a)
            return 0
        return cmd_bench(a)
    except ImportError as e:
        print(f"torch_reference: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
