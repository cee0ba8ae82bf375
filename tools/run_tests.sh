#!/usr/bin/env bash
# The test command (README, .ci/run): set up, build, run every test except the labels
# `full` (all variants x targets, slow) and `gpu` (needs a CUDA device).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" -LE '^(full|gpu)$' "$@"
