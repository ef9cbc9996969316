#!/usr/bin/env bash
# The README's first command: install, build, fetch the real models and the
# photographs, then the main job on one model:
#   1. benchmark it on the default backends (native int8 kernels, XNNPACK,
#      reference fallback): the per-operator table;
#   2. make its int8 variant, calibrated on the photographs;
#   3. sweep float and int8 on native,xnnpack,cpu and on the reference backend,
#      interleaved, every case stored in the results database;
#   4. quant-diff: per operator, the int8 error against float (SNR, cosine,
#      RMSE/scale) beside the float and int8 times, on the photographs;
#   5. compare float and int8 on native,xnnpack,cpu with statistics, per operator;
#   6. write the HTML report of the sweep and say where it is, and how to
#      open the store in the dashboard.
#   scripts/demo.sh [MODEL_NAME]     (default: selfie_segmentation)
# Runs go to the default results store, ./opscope.db; the int8 model and
# report.html to ./results (OPSCOPE_DEMO_DIR overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:-selfie_segmentation}"
MODEL_DIR="${OPSCOPE_MODEL_DIR:-$HOME/.cache/opscope/models}"
PHOTO_DIR="${OPSCOPE_PHOTO_DIR:-$HOME/.cache/opscope/photos}"
OUT="${OPSCOPE_DEMO_DIR:-results}"
OPSCOPE=build/release/cli/opscope

scripts/install_deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target opscope opscope-runner opscope-dashboard
datasets/fetch_models.sh --dir "$MODEL_DIR"
datasets/fetch_photos.sh --dir "$PHOTO_DIR"
mkdir -p "$OUT"
FLOAT="$MODEL_DIR/$MODEL.tflite"
INT8="$OUT/${MODEL}_int8.tflite"

echo
echo "== 1. $MODEL on native,xnnpack,cpu: where the time goes"
"$OPSCOPE" run "$FLOAT" --backend native,xnnpack,cpu --runs 50 --min-secs 2 --no-run-order \
  --variant float --tag demo=run

echo
echo "== 2. its int8 variant, calibrated on the photographs in $PHOTO_DIR"
"$OPSCOPE" quantize "$FLOAT" --calibration "$PHOTO_DIR" --out "$INT8"

echo
echo "== 3. float and int8 on native,xnnpack,cpu and cpu, in shuffled interleaved order"
"$OPSCOPE" sweep --variant float="$FLOAT" --variant int8="$INT8" \
  --backend native,xnnpack,cpu --backend cpu --repeat 2 --runs 30 --min-secs 1 \
  --tag demo=sweep

echo
echo "== 4. float vs int8 per operator: what int8 costs in accuracy, what it gains in time"
"$OPSCOPE" quant-diff "$FLOAT" "$INT8" --dataset "$PHOTO_DIR" --tag demo=quant-diff

echo
echo "== 5. float vs int8 on native,xnnpack,cpu: the latency difference with its confidence interval"
"$OPSCOPE" compare sweep:latest+variant:float+backends:native,xnnpack,cpu \
  sweep:latest+variant:int8+backends:native,xnnpack,cpu --top 15

echo
echo "== 6. the report"
"$OPSCOPE" report sweep:latest --format html -o "$OUT/report.html" \
  --title "$MODEL: float vs int8, native,xnnpack vs reference"
echo "HTML report: $(realpath "$OUT/report.html")  (one self-contained file: open it in a browser)"
echo "Stored runs (./opscope.db): $OPSCOPE runs"
echo "Open them in the dashboard: build/release/dashboard/opscope-dashboard opscope.db"
echo "  (Runs: select the float and int8 rows of one backend -> Operators shows their per-op diff with quant-diff's SNR)"
