#!/usr/bin/env bash
# The README's first command: install, build, fetch the real models and
# benchmark one on XNNPACK with reference fallback, printing its per-operator
# table.
#   scripts/demo.sh [MODEL_NAME]     (default: selfie_segmentation)
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:-selfie_segmentation}"
MODEL_DIR="${OPSCOPE_MODEL_DIR:-$HOME/.cache/opscope/models}"

scripts/install_deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target opscope opscope-runner
datasets/fetch_models.sh --dir "$MODEL_DIR"
echo
build/release/harness/opscope run "$MODEL_DIR/$MODEL.tflite" --backend xnnpack,cpu --runs 50 --min-secs 2
