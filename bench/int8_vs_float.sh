#!/usr/bin/env bash
# What int8 buys on this CPU: for each model, make its int8 variant from the
# photographs (opscope quantize, percentile ranges), run float and int8 on
# the same backend in one sweep (shuffled, interleaved, --repeat rounds),
# and print opscope compare: the int8/float median ratio with its 95%
# interval, memory, and the operators whose time changed most, matched by
# source index.
#
#   bench/int8_vs_float.sh [--backend native,xnnpack,cpu] [--threads 1] [--repeat 3]
#                          [--runs 30] [--top 10] [MODEL_NAME ...]
#
# Default models: selfie_segmentation face_detection_full_range
# hand_landmark_full. Needs build/release (opscope, opscope-runner), the
# models (datasets/fetch_models.sh) and the photos (datasets/fetch_photos.sh).
# Everything goes to a fresh store in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
OPSCOPE=build/release/cli/opscope
MODEL_DIR="${OPSCOPE_MODEL_DIR:-$HOME/.cache/opscope/models}"
PHOTO_DIR="${OPSCOPE_PHOTO_DIR:-$HOME/.cache/opscope/photos}"
backend=native,xnnpack,cpu threads=1 repeat=3 runs=30 top=10 models=()
while (($#)); do
  case "$1" in
    --backend) backend="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --top) top="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "int8_vs_float: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
((${#models[@]})) || models=(selfie_segmentation face_detection_full_range hand_landmark_full)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/bench.db"

for m in "${models[@]}"; do
  float="$MODEL_DIR/$m.tflite"
  int8="$work/${m}_int8.tflite"
  "$OPSCOPE" quantize "$float" --calibration "$PHOTO_DIR" --backend xnnpack,cpu \
    --out "$int8" >/dev/null
  "$OPSCOPE" sweep --variant float="$float" --variant int8="$int8" --backend "$backend" \
    --threads "$threads" --repeat "$repeat" --runs "$runs" --min-secs 1 --db "$db" \
    --tag bench="$m" >/dev/null
  echo
  "$OPSCOPE" compare "tag:bench=$m+variant:float" "tag:bench=$m+variant:int8" \
    --db "$db" --top "$top"
done
