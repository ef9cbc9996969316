#!/usr/bin/env bash
# Installs ONNX Runtime for Node (onnxruntime-node, pinned in
# package-lock.json) into a cache outside git, for run_ort.mjs.
#
#   tools/ort/install.sh [--dir DIR]
#
# DIR defaults to $OPSCOPE_NODE_DIR/ort, else $HOME/.cache/opscope/node/ort
# (its own folder: LiteRT.js keeps the parent). Exactly the locked versions,
# no install script (tools/npm_locked_install.sh); with
# ONNXRUNTIME_NODE_INSTALL=skip as well, nothing tries to download a GPU
# provider (the CPU binaries ship in the npm package). Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ONNXRUNTIME_NODE_INSTALL=skip exec "$here/../npm_locked_install.sh" ort onnxruntime-node "$here" \
  "${OPSCOPE_NODE_DIR:-${HOME:-/root}/.cache/opscope/node}/ort" "${BASH_SOURCE[0]}" "$@"
