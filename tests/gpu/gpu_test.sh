#!/bin/bash
# One gpu-labelled check of a CUDA library against torchvision (and the oracle for b0/b1), used by
# ctest and by tools/gpu/run_gpu_checks.sh:
#   gpu_test.sh CUDA_CHECK GPU_PREPARE VARIANT WORK WEIGHTS|- PYTHON REPO
# Exits 77 ("[SKIP] no CUDA device") before any work where there is no device. Otherwise it makes
# the seed-1 weights and inputs (gpu_prepare), torchvision's float64 logits (tools/gpu/torch_reference.py,
# when PYTHON has torch), and runs `cuda_check check`. WEIGHTS "-" means the library's embedded ones,
# "auto" the file gpu_prepare writes.
set -u
[ $# -eq 7 ] || { echo "usage: gpu_test.sh CUDA_CHECK GPU_PREPARE VARIANT WORK WEIGHTS|-|auto PYTHON REPO" >&2; exit 2; }
check=$1 prepare=$2 variant=$3 work=$4 weights=$5 python=$6 repo=$7
batch=2
if [ ! -x "$check" ]; then
  # Without a device the missing binary does not matter; with one it is a build step left out.
  if [ -e /dev/nvidiactl ] || ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1'; then
    echo "missing $check: build it first (cmake --build <build> --target gpu_prebuild, docs/cuda.md)" >&2
    exit 1
  fi
  echo "[SKIP] no CUDA device (and $check is not built)"
  exit 77
fi
"$check" probe || exit $?
mkdir -p "$work"
oracle=
case $variant in b0|b1) oracle=--oracle ;; esac
have_torch=0
"$python" "$repo/tools/gpu/torch_reference.py" check && have_torch=1
[ $have_torch = 1 ] || oracle=--oracle   # no torch: the oracle is the only reference (slow for b5..b7)
"$prepare" "$variant" --seed 1 --batch $batch --out "$work" $oracle || exit 1
rm -f "$work/torch_logits.bin"
if [ $have_torch = 1 ]; then
  "$python" "$repo/tools/gpu/torch_reference.py" logits --variant "$variant" --weights "$work/weights.safetensors" \
    --input "$work/input.bin" --batch $batch --out "$work/torch_logits.bin" || exit 1
fi
[ "$weights" = auto ] && weights="$work/efficientnet_$variant.weights"
exec "$check" check "$weights" "$work" $batch
