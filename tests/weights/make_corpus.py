#!/usr/bin/env python3
"""Generates the safetensors loader corpus (plain python3, no torch):

  bad/NAME.safetensors   files the loader must reject, each with bad/NAME.expect holding a
                         distinctive substring of the one-line error it must produce;
  good/NAME.safetensors  files it must accept; test_safetensors.cpp checks their decoded values.

Run from anywhere: python3 tests/weights/make_corpus.py. Output is deterministic; the files are
committed, so rerun and commit after changing this script.
"""

import json
import math
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def header_bytes(header, pad=True):
    text = header if isinstance(header, (bytes, str)) else json.dumps(header, separators=(",", ":"))
    if isinstance(text, str):
        text = text.encode()
    if pad:
        text += b" " * (-len(text) % 8)
    return text


def file_bytes(header, data=b"", length=None, pad=True):
    text = header_bytes(header, pad)
    n = len(text) if length is None else length
    return struct.pack("<Q", n) + text + data


def f32(*values):
    return struct.pack("<%df" % len(values), *values)


def f16(*values):
    return struct.pack("<%de" % len(values), *values)


def f64(*values):
    return struct.pack("<%dd" % len(values), *values)


def bf16(*values):
    # Truncation is exact for the values used here (they have at most 8 significant bits).
    return b"".join(struct.pack("<I", struct.unpack("<I", struct.pack("<f", v))[0])[2:] for v in values)


def entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


W4 = entry("F32", [2, 2], 0, 16)  # a valid 2x2 float tensor at the start of the data section

BAD = {
    "empty_file": (b"", "file is 0 bytes, too short for the 8-byte header length"),
    "truncated_header_length": (b"\x10\x00\x00", "file is 3 bytes, too short"),
    "header_length_past_end": (file_bytes({"w": W4}, f32(1, 2, 3, 4), length=10_000),
                               "header length 10000 runs past the end of the file"),
    "huge_header_length": (struct.pack("<Q", 2**64 - 1) + b"{}      ",
                           "header length 18446744073709551615 exceeds the 100000000-byte limit"),
    "header_not_json": (file_bytes(b"{not json}"), "header is not valid JSON"),
    "header_array": (file_bytes(b"[1,2,3]"), "header must be a JSON object, got array"),
    "duplicate_tensor": (file_bytes(b'{"w":' + json.dumps(W4).encode() + b',"w":'
                                    + json.dumps(entry("F32", [2, 2], 16, 32)).encode() + b"}",
                                    f32(*range(8))),
                         "duplicate key 'w' in header"),
    "duplicate_field": (file_bytes(b'{"w":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}',
                                   f32(1)),
                        "duplicate key 'dtype' in header/w"),
    "deep_nesting": (file_bytes(b'{"w":{"dtype":"F32","shape":[[[[1]]]],"data_offsets":[0,4]}}', f32(1)),
                     "header nests deeper than 4 levels"),
    "very_deep_nesting": (file_bytes(b"[" * 10_000 + b"]" * 10_000), "header nests deeper than 4 levels"),
    "metadata_not_strings": (file_bytes({"__metadata__": {"seed": 1}, "w": W4}, f32(1, 2, 3, 4)),
                             "__metadata__ 'seed' must be a string, got number"),
    "metadata_not_object": (file_bytes({"__metadata__": ["a"], "w": W4}, f32(1, 2, 3, 4)),
                            "__metadata__ must be an object of strings, got array"),
    "missing_dtype": (file_bytes({"w": {"shape": [2, 2], "data_offsets": [0, 16]}}, f32(1, 2, 3, 4)),
                      "tensor 'w': missing 'dtype'"),
    "missing_offsets": (file_bytes({"w": {"dtype": "F32", "shape": [2, 2]}}, f32(1, 2, 3, 4)),
                        "tensor 'w': missing 'data_offsets'"),
    "entry_not_object": (file_bytes({"w": [0, 16]}, f32(1, 2, 3, 4)),
                         "tensor 'w': expected an object with dtype, shape and data_offsets, got array"),
    "extra_key_in_entry": (file_bytes({"w": dict(W4, layout="nchw")}, f32(1, 2, 3, 4)),
                           "tensor 'w': unexpected key 'layout' (expected dtype, shape, data_offsets)"),
    "unknown_dtype": (file_bytes({"w": entry("F13", [1], 0, 4)}, f32(1)),
                      "tensor 'w': dtype 'F13' is not supported (expected F32, F16, BF16 or F64)"),
    "unsupported_dtype_i32": (file_bytes({"w": entry("I32", [1], 0, 4)}, f32(1)),
                              "tensor 'w': dtype 'I32' is not supported"),
    "dtype_wrong_type": (file_bytes({"w": entry(4, [1], 0, 4)}, f32(1)),
                         "tensor 'w': 'dtype' must be a string, got number"),
    "shape_not_list": (file_bytes({"w": entry("F32", 4, 0, 16)}, f32(1, 2, 3, 4)),
                       "tensor 'w': 'shape' must be a list of integers, got number"),
    "shape_float_dim": (file_bytes({"w": entry("F32", [2.5], 0, 8)}, f32(1, 2)),
                        "tensor 'w': 'shape' must hold integers, got 2.5"),
    "negative_dim": (file_bytes({"w": entry("F32", [-1, 4], 0, 16)}, f32(1, 2, 3, 4)),
                     "tensor 'w': shape dimension -1 is negative"),
    "shape_product_overflow": (file_bytes({"w": entry("F32", [2**32, 2**32], 0, 16)}, f32(1, 2, 3, 4)),
                               "tensor 'w': shape [4294967296,4294967296] is too large"),
    "shape_dim_too_large": (file_bytes({"w": entry("F32", [2**63], 0, 16)}, f32(1, 2, 3, 4)),
                            "tensor 'w': shape [9223372036854775808] is too large"),
    "offsets_reversed": (file_bytes({"w": entry("F32", [2, 2], 16, 0)}, f32(1, 2, 3, 4)),
                         "tensor 'w': data_offsets [16,0] are reversed"),
    "offsets_negative": (file_bytes({"w": entry("F32", [1], -4, 0)}, f32(1)),
                         "tensor 'w': 'data_offsets' must be [begin, end] with non-negative integers"),
    "offsets_three": (file_bytes({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]}}, f32(1)),
                      "tensor 'w': 'data_offsets' must be [begin, end]"),
    "offset_past_end": (file_bytes({"w": entry("F32", [2, 2], 4, 20)}, f32(1, 2, 3, 4)),
                        "tensor 'w': data_offsets [4,20] run past the end of the data section (16 bytes)"),
    "offset_wraparound": (file_bytes({"w": entry("F32", [2, 2], 2**64 - 8, 8)}, f32(1, 2, 3, 4)),
                          "tensor 'w': data_offsets [18446744073709551608,8] are reversed"),
    "offset_huge": (file_bytes({"w": entry("F32", [2, 2], 2**64 - 16, 2**64)}, f32(1, 2, 3, 4)),
                    "tensor 'w': 'data_offsets' must be [begin, end] with non-negative integers"),
    "offset_huge_in_range": (file_bytes({"w": entry("F32", [2, 2], 2**64 - 17, 2**64 - 1)}, f32(1, 2, 3, 4)),
                             "tensor 'w': data_offsets [18446744073709551599,18446744073709551615] run past the end"),
    "size_mismatch": (file_bytes({"w": entry("F32", [2, 3], 0, 16)}, f32(1, 2, 3, 4)),
                      "tensor 'w': data_offsets [0,16] hold 16 bytes, but shape [2,3] needs 24"),
    "overlapping_entries": (file_bytes({"a": entry("F32", [2], 0, 8), "b": entry("F32", [2], 4, 12)},
                                       f32(1, 2, 3)),
                            "tensor 'b': data_offsets [4,12] overlap tensor 'a'"),
    "same_offsets": (file_bytes({"a": entry("F32", [2], 0, 8), "b": entry("F32", [2], 0, 8)}, f32(1, 2)),
                     "tensor 'b': data_offsets [0,8] overlap tensor 'a'"),
    "gap_between_entries": (file_bytes({"a": entry("F32", [1], 0, 4), "b": entry("F32", [1], 8, 12)},
                                       f32(1, 2, 3)),
                            "bytes [4,8) of the data section belong to no tensor (gap before tensor 'b')"),
    "gap_at_start": (file_bytes({"a": entry("F32", [1], 4, 8)}, f32(1, 2)),
                     "bytes [0,4) of the data section belong to no tensor (gap before tensor 'a')"),
    "trailing_bytes": (file_bytes({"w": W4}, f32(1, 2, 3, 4) + b"\x00\x00"),
                       "2 trailing bytes after the last tensor"),
    "truncated_data": (file_bytes({"w": W4}, f32(1, 2, 3)),
                       "tensor 'w': data_offsets [0,16] run past the end of the data section (12 bytes)"),
    "nan_value": (file_bytes({"w": W4}, f32(1, 2, math.nan, 4)), "tensor 'w': value at index 2 is NaN"),
    "inf_value": (file_bytes({"w": W4}, f32(1, -math.inf, 3, 4)), "tensor 'w': value at index 1 is -Inf"),
    "f16_inf": (file_bytes({"h": entry("F16", [4], 0, 8)}, f16(1, 2, 3, math.inf)),
                "tensor 'h': value at index 3 is +Inf"),
    "bf16_nan": (file_bytes({"h": entry("BF16", [2], 0, 4)}, b"\x80\x3f\xc0\x7f"),
                 "tensor 'h': value at index 1 is NaN"),
    "f64_out_of_float_range": (file_bytes({"d": entry("F64", [2], 0, 16)}, f64(1.0, 1e300)),
                               "tensor 'd': value at index 1 (1e+300) is outside the float32 range"),
    "i64_not_counter": (file_bytes({"features.0.1.running_mean": entry("I64", [1], 0, 8)}, struct.pack("<q", 7)),
                        "tensor 'features.0.1.running_mean': dtype 'I64' is only accepted for num_batches_tracked"),
    "header_with_nul": (file_bytes(b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}\x00\x00', f32(1),
                                   pad=False),
                        "header is not valid JSON"),
}

# name -> bytes; the values are checked in test_safetensors.cpp
GOOD = {
    "f32": file_bytes({"__metadata__": {"format": "pt"}, "a.weight": entry("F32", [2, 3], 0, 24),
                       "b": entry("F32", [], 24, 28)},
                      f32(1.5, -2.0, 0.0, 3.25, 1e-30, -7.0) + f32(42.0)),
    "f16": file_bytes({"h": entry("F16", [6], 0, 12)}, f16(1.0, -2.0, 0.5, 65504.0, 2.0**-24, -0.0)),
    "bf16": file_bytes({"h": entry("BF16", [2, 2], 0, 8)}, bf16(1.0, -2.5, 2.0**127, 2.0**-126)),
    "f64": file_bytes({"d": entry("F64", [3], 0, 24)}, f64(0.1, -1e-3, 3.0e38)),
    "counter": file_bytes({"bn.num_batches_tracked": entry("I64", [], 0, 8), "bn.weight": entry("F32", [2], 8, 16),
                           "empty": entry("F32", [0, 3], 16, 16)},
                          struct.pack("<q", 123) + f32(0.25, 4.0)),
}


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    for folder in ("bad", "good"):
        os.makedirs(os.path.join(HERE, folder), exist_ok=True)
        for old in os.listdir(os.path.join(HERE, folder)):
            if old.endswith((".safetensors", ".expect")):
                os.remove(os.path.join(HERE, folder, old))
    for name, (data, expect) in sorted(BAD.items()):
        write(os.path.join(HERE, "bad", name + ".safetensors"), data)
        write(os.path.join(HERE, "bad", name + ".expect"), (expect + "\n").encode())
    for name, data in sorted(GOOD.items()):
        write(os.path.join(HERE, "good", name + ".safetensors"), data)
    print(f"make_corpus: {len(BAD)} bad and {len(GOOD)} good files under {HERE}")


if __name__ == "__main__":
    main()
