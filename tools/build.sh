#!/usr/bin/env bash
# Configures and builds effnetc into build/ (Release). Used by both README commands.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_debian.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
