#!/usr/bin/env bash
# Installs the Debian 12 packages effnetc needs to build and test. Idempotent: does
# nothing (and needs no network) when everything is already installed.
set -euo pipefail
packages=(cmake g++ make libhalide14-0-dev llvm-14-dev llvm-14-tools nlohmann-json3-dev catch2 python3-torchvision)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "setup: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
