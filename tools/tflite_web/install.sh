#!/usr/bin/env bash
# Installs @tensorflow/tfjs-tflite (pinned in package-lock.json), whose
# wasm/ folder holds TensorFlow Lite's interpreter built to WebAssembly, into
# a cache outside git, for run_tflite_web.mjs.
#
#   tools/tflite_web/install.sh [--dir DIR]
#
# DIR defaults to $OPSCOPE_NODE_DIR/tflite_web, else
# $HOME/.cache/opscope/node/tflite_web. Exactly the locked versions, no
# install script, nothing downloaded when already up to date
# (tools/npm_locked_install.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/../npm_locked_install.sh" tflite_web @tensorflow/tfjs-tflite "$here" \
  "${OPSCOPE_NODE_DIR:-${HOME:-/root}/.cache/opscope/node}/tflite_web" "${BASH_SOURCE[0]}" "$@"
