#!/usr/bin/python3
"""Exports torchvision's EfficientNet with given weights to ONNX, for the benchmark peers.

Run with Debian's /usr/bin/python3 (python3-torchvision 0.14):

    /usr/bin/python3 tools/bench/export_onnx.py --variant b0 --weights W.safetensors --out b0.onnx

The weights are a torchvision state_dict in safetensors form (tools/reference/export_reference.py
writes one), so the peers run the very network effnetc compiled. Batch is a dynamic axis.
"""
import argparse
import json
import struct
import sys

RESOLUTIONS = {"b0": 224, "b1": 240, "b2": 260, "b3": 300, "b4": 380, "b5": 456, "b6": 528, "b7": 600}
DTYPES = {"F32": "float32", "I64": "int64"}


def read_safetensors(path, torch):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        if e["dtype"] not in DTYPES:
            sys.exit(f"export_onnx: {path}: tensor '{name}' has dtype {e['dtype']}; expected F32 or I64")
        begin, end = e["data_offsets"]
        dtype = getattr(torch, DTYPES[e["dtype"]])
        t = torch.frombuffer(bytearray(data[base + begin:base + end]), dtype=dtype)
        out[name] = t.reshape(e["shape"]) if e["shape"] else t.reshape(())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variant", required=True, choices=sorted(RESOLUTIONS))
    ap.add_argument("--weights", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    import torch
    import torchvision

    model = getattr(torchvision.models, "efficientnet_" + a.variant)().eval()
    model.load_state_dict(read_safetensors(a.weights, torch), strict=True)
    r = RESOLUTIONS[a.variant]
    with torch.no_grad():
        torch.onnx.export(model, torch.zeros(1, 3, r, r), a.out, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    print(f"wrote {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
