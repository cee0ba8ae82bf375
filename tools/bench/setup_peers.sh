#!/usr/bin/env bash
# Installs the benchmark peers (ONNX Runtime, OpenVINO) from PyPI into their own venv.
# Benchmarks only: nothing the tests need comes from here.
set -euo pipefail
VENV=${EFFNETC_PEERS_VENV:-/opt/effnetc-peers}
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -c "import onnxruntime, openvino, numpy" 2>/dev/null ||
  "$VENV/bin/pip" install -q onnxruntime openvino numpy
echo "$VENV/bin/python"
