#!/usr/bin/env bash
# The main job (README), for b0: set up and build; export a torchvision reference (cached in build/);
# compile b0 with those weights into a static library; link the C classify app with plain cc; run it on the
# reference input; compare its logits with torchvision's (effnetc verify); time batch 1 with the bench app.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }
show() {
  printf '$ %s\n' "$*"
  "$@"
}

effnetc=./build/cli/effnetc
ref=build/reference/b0_s1
out=build/main_job/b0
link=(-I "$out" -L "$out" -lefficientnet_b0 -lpthread -ldl -lm)

step "1. set up and build (tools/build.sh)"
bash tools/build.sh
show "$effnetc" list

step "2. torchvision reference for b0, seed 1 (tools/reference/export_reference.py, cached in $ref)"
show cmake -DPYTHON=/usr/bin/python3 -DSCRIPT=tools/reference/export_reference.py -DVARIANT=b0 -DSEED=1 \
  -DBATCH=2 -DOUT="$PWD/$ref" -P tests/reference/export_cached.cmake

step "3. compile b0 with the reference weights into a static library"
rm -rf "$out"
show "$effnetc" compile b0 --weights "$ref/weights.safetensors" --target x86-64-linux -o "$out"

step "4. link the C classify app with plain cc"
show cc -std=c99 -O2 apps/classify/classify.c "${link[@]}" -o build/main_job/classify_b0

step "5. classify the reference input"
show build/main_job/classify_b0 --input "$ref/reference.safetensors" --output build/main_job/b0_logits.safetensors

step "6. verify the app's logits against torchvision"
show "$effnetc" verify b0 --reference "$ref/reference.safetensors" --outputs build/main_job/b0_logits.safetensors

step "7. latency of b0 at batch 1 (bench app, plain cc)"
show cc -std=c99 -O2 apps/bench/bench.c "${link[@]}" -o build/main_job/bench_b0
show build/main_job/bench_b0 --batch 1 --runs 20 --warmup 3

printf '\nmain job done: b0 library in %s, logits match torchvision\n' "$out"
