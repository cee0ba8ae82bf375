#!/usr/bin/env bash
# The main job (README): set up, build, then inspect every built-in variant.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
./build/cli/effnetc list
for v in b0 b1 b2 b3 b4 b5 b6 b7; do
  echo
  ./build/cli/effnetc inspect "$v"
done
