#!/usr/bin/python3
"""Exports a torchvision EfficientNet with seeded random weights and its reference outputs.

Run with Debian's /usr/bin/python3 (python3-torchvision 0.14; the pyenv python3 cannot see it):

    /usr/bin/python3 tools/reference/export_reference.py --variant b0 --seed 1 --out DIR [--batch 2]

Writes DIR/weights.safetensors (the model's state_dict, torchvision names, float32; the int64
num_batches_tracked counters kept as I64) and DIR/reference.safetensors (`input` [B,3,R,R],
`logits` [B,1000], and the NCHW outputs of `features.0`, every MBConv block `features.S.I` and
`features.8`). Every conv/linear weight and bias and every BatchNorm affine parameter and running
statistic is drawn from one torch.Generator seeded with --seed; calibrate() then rescales the
conv/linear weights so the input-dependent part of every activation keeps an O(1) spread through all
55 blocks of b7 (BN is not an identity, and the logits still depend on the input). The reference is
computed in float64 on the float32 weights and stored as float32. Same arguments, same bytes.
"""

import argparse
import json
import math
import os
import struct
import sys
import time

RESOLUTIONS = {"b0": 224, "b1": 240, "b2": 260, "b3": 300, "b4": 380, "b5": 456, "b6": 528, "b7": 600}
MAX_BATCH = 64

# Calibration targets (see calibrate()): the input-dependent std of each conv's output before its
# BatchNorm, the residual branch of a residual block kept smaller so b7's long stages grow slowly,
# the spread of the squeeze-excitation pre-activations, and the input-dependent std of the logits.
TARGET_CONV = 1.0
TARGET_PROJECTION_RESIDUAL = 0.5
TARGET_SE = 1.0
TARGET_LOGITS = 1.0
SCALE_STEPS_PER_OCTAVE = 8  # calibration scales are powers of 2^(1/8): robust to last-bit differences
MIN_TOP1_MARGIN = 2e-3  # relative lead of the top-1 logit; the comparison tolerance is 1e-3 + 1e-3*|ref|

_start = time.monotonic()


def progress(msg):
    print(f"[export_reference {time.monotonic() - _start:7.1f}s] {msg}", file=sys.stderr, flush=True)


def fail(msg):
    print(f"export_reference: error: {msg}", file=sys.stderr)
    sys.exit(2)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--variant", required=True, help="b0..b7")
    p.add_argument("--seed", required=True, help="non-negative integer seed for weights and input")
    p.add_argument("--out", required=True, help="output directory (created if missing)")
    p.add_argument("--batch", default="1", help=f"batch size 1..{MAX_BATCH} (default 1)")
    a = p.parse_args(argv)
    variant = a.variant.lower().replace("efficientnet_", "")
    if variant not in RESOLUTIONS:
        fail(f"--variant: expected one of {', '.join(RESOLUTIONS)}, got '{a.variant}'")
    try:
        seed = int(a.seed, 10)
    except ValueError:
        fail(f"--seed: expected a non-negative integer, got '{a.seed}'")
    if not 0 <= seed < 2**63:
        fail(f"--seed: expected 0 <= seed < 2^63, got {seed}")
    try:
        batch = int(a.batch, 10)
    except ValueError:
        fail(f"--batch: expected an integer 1..{MAX_BATCH}, got '{a.batch}'")
    if not 1 <= batch <= MAX_BATCH:
        fail(f"--batch: expected an integer 1..{MAX_BATCH}, got {batch}")
    if os.path.exists(a.out) and not os.path.isdir(a.out):
        fail(f"--out: '{a.out}' exists and is not a directory")
    return variant, seed, batch, a.out


def randomise(model, gen, torch):
    """Draws every parameter and BN buffer from `gen`, in module order (weights std 1/sqrt(fan_in))."""
    nn = torch.nn

    def normal(shape, std):
        return torch.randn(shape, generator=gen, dtype=torch.float32) * std

    def uniform(shape, lo, hi):
        return torch.rand(shape, generator=gen, dtype=torch.float32) * (hi - lo) + lo

    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
                m.weight.copy_(normal(m.weight.shape, 1.0 / math.sqrt(fan_in)))
                if m.bias is not None:
                    m.bias.copy_(normal(m.bias.shape, 0.1))
            elif isinstance(m, nn.Linear):
                m.weight.copy_(normal(m.weight.shape, 1.0 / math.sqrt(m.in_features)))
                m.bias.copy_(normal(m.bias.shape, 0.1))
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(uniform((c,), 0.5, 1.5))
                m.bias.copy_(normal((c,), 0.1))
                m.running_mean.copy_(normal((c,), 0.1))
                m.running_var.copy_(uniform((c,), 0.5, 2.0))


def calibrate(model, calib_input, torch):
    """Rescales each conv/linear weight so its output keeps an O(1) input-dependent spread.

    Random BatchNorm statistics do not normalise, so with plain 1/sqrt(fan_in) weights the part of
    each activation that depends on the input shrinks ~4x per stage (swish and the SE gate halve small
    signals) until the logits are a constant. One float32 pass over a batch of two calibration inputs
    visits the layers in execution order; a forward hook measures the std of (y[0] - y[1]) / sqrt(2)
    (squeeze-excitation convs: the std of W.x over channels), multiplies the weight by the power of
    2^(1/8) nearest to target/std and returns the recomputed output, so later layers are calibrated on
    the calibrated earlier ones. The coarse scale steps make the result immune to last-bit differences.
    """
    nn, F = torch.nn, torch.nn.functional
    targets = {}
    for name, m in model.named_modules():
        if isinstance(m, nn.Linear):
            targets[m] = ("input", TARGET_LOGITS)
        elif isinstance(m, nn.Conv2d):
            targets[m] = ("channels", TARGET_SE) if name.endswith((".fc1", ".fc2")) else ("input", TARGET_CONV)
    for s in range(1, len(model.features) - 1):
        for block in model.features[s]:
            if block.use_res_connect:
                targets[block.block[-1][0]] = ("input", TARGET_PROJECTION_RESIDUAL)

    def hook(m, inputs, y):
        kind, target = targets[m]
        if m.bias is not None:
            y = y - m.bias.view(1, -1, *([1] * (y.dim() - 2)))
        if kind == "input":
            spread = float(((y[0] - y[1]) / math.sqrt(2)).pow(2).mean().sqrt())
        else:
            spread = float(y.std())
        if not spread > 0:
            raise SystemExit("export_reference: internal error: a layer's output does not depend on its input")
        scale = 2.0 ** (round(SCALE_STEPS_PER_OCTAVE * math.log2(target / spread)) / SCALE_STEPS_PER_OCTAVE)
        m.weight.mul_(scale)
        if isinstance(m, nn.Linear):
            return F.linear(inputs[0], m.weight, m.bias)
        return m._conv_forward(inputs[0], m.weight, m.bias)

    hooks = [m.register_forward_hook(hook) for m in targets]
    with torch.no_grad():
        model(calib_input)
    for h in hooks:
        h.remove()


def reference_modules(model):
    """(key, module) for features.0, every MBConv block features.S.I, and features.8."""
    mods = [("features.0", model.features[0])]
    for s in range(1, len(model.features) - 1):
        for i, block in enumerate(model.features[s]):
            mods.append((f"features.{s}.{i}", block))
    mods.append((f"features.{len(model.features) - 1}", model.features[-1]))
    return mods


DTYPES = {"float32": ("F32", 4), "int64": ("I64", 8)}


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, numpy array) little-endian F32 or I64; written in name order."""
    header = {"__metadata__": dict(sorted(metadata.items()))}
    chunks, offset = [], 0
    for name, arr in sorted(tensors, key=lambda t: t[0]):
        if arr.dtype.name not in DTYPES:
            raise SystemExit(f"export_reference: internal error: tensor '{name}' has dtype {arr.dtype}")
        dtype, size = DTYPES[arr.dtype.name]
        data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes(order="C")
        assert len(data) == arr.size * size
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)


def main(argv):
    variant, seed, batch, out = parse_args(argv)
    progress(f"importing torch and torchvision (variant {variant}, seed {seed}, batch {batch})")
    import numpy as np
    import torch
    import torchvision

    torch.set_num_threads(1)  # fixed reduction order: the same bytes on every machine and run
    torch.use_deterministic_algorithms(True)
    res = RESOLUTIONS[variant]

    progress(f"building torchvision.models.efficientnet_{variant}() and randomising weights")
    model = getattr(torchvision.models, f"efficientnet_{variant}")(weights=None)
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    randomise(model, gen, torch)
    calib_input = torch.randn((2, 3, res, res), generator=gen, dtype=torch.float32)
    x = torch.randn((batch, 3, res, res), generator=gen, dtype=torch.float32)
    progress("calibrating weight scales (one float32 pass over two calibration inputs)")
    calibrate(model, calib_input, torch)
    state = {k: v.clone() for k, v in model.state_dict().items()}  # float32 weights, exactly as written

    progress(f"running the float64 reference on input [{batch},3,{res},{res}]")
    captured = {}
    hooks = []
    for key, mod in reference_modules(model):
        hooks.append(mod.register_forward_hook(lambda _m, _i, y, key=key: captured.__setitem__(key, y.detach())))
    model.double()  # exact: float64 holds every float32 weight
    with torch.no_grad():
        logits = model(x.double())
    for h in hooks:
        h.remove()

    stats = []
    for key, _ in reference_modules(model):
        y = captured[key]
        stats.append((key, float(y.std()), float(y.abs().max())))
    for key, std, amax in stats:
        progress(f"  {key:14s} std {std:9.4f}  max|y| {amax:9.3f}")
    top2 = logits.topk(2, dim=1).values
    margins = ((top2[:, 0] - top2[:, 1]) / top2[:, 0].abs()).tolist()
    progress(f"  logits std {float(logits.std()):.4f}, top-1 relative margin per sample "
             + ", ".join(f"{m:.4f}" for m in margins))
    bad = [k for k, s, _ in stats if not 0.05 <= s <= 20.0]
    if bad:
        fail(f"block output std out of [0.05, 20] in {', '.join(bad)}; the weight calibration needs adjusting")
    if min(margins) < MIN_TOP1_MARGIN:
        fail(f"seed {seed}: a sample's top-1 logit leads the runner-up by only {min(margins):.2g} (relative), "
             f"below {MIN_TOP1_MARGIN}; top-1 comparisons would be fragile, choose another seed")

    progress(f"writing {out}/weights.safetensors and {out}/reference.safetensors")
    os.makedirs(out, exist_ok=True)
    metadata = {
        "variant": f"efficientnet_{variant}",
        "seed": str(seed),
        "batch": str(batch),
        "resolution": str(res),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "format": "pt",
    }
    weights = []
    for name, t in state.items():
        arr = t.detach().cpu().numpy()
        if arr.dtype == np.float32 or (arr.dtype == np.int64 and name.endswith("num_batches_tracked")):
            weights.append((name, arr))
        else:
            raise SystemExit(f"export_reference: internal error: state_dict entry '{name}' has dtype {arr.dtype}")
    write_safetensors(os.path.join(out, "weights.safetensors"), weights, metadata)
    ref = [("input", x.numpy()), ("logits", logits.float().numpy())]
    ref += [(k, captured[k].float().contiguous().numpy()) for k, _ in reference_modules(model)]
    write_safetensors(os.path.join(out, "reference.safetensors"), ref, metadata)
    progress("done")


if __name__ == "__main__":
    main(sys.argv[1:])
