#!/usr/bin/env bash
# Does the int8 variant still do the float model's job? For each model, make
# its int8 variant from the photographs (opscope quantize, percentile ranges),
# run opscope quant-diff on the same photos, and print one line per model:
# the task metric (mask IoU for selfie_segmentation, detection score
# agreement for face_detection, landmark RMSE in input pixels for
# hand_landmark), the output SNR, the float and int8 medians, the matched ops
# and how long quant-diff took (numerics, timing runs, total).
#
#   bench/quant_diff_models.sh [--opscope PATH] [--backend xnnpack,cpu]
#                              [--threads 1] [--runs 20] [MODEL_NAME ...]
#
# Default models: selfie_segmentation face_detection_full_range
# hand_landmark_full. Needs an opscope build (default build/release; opscope
# and opscope-runner), the models (datasets/fetch_models.sh) and the photos
# (datasets/fetch_photos.sh). The photos are also the calibration set, so the
# figures are in-sample. Nothing is stored (--no-store).
set -euo pipefail
cd "$(dirname "$0")/.."
OPSCOPE=build/release/cli/opscope
MODEL_DIR="${OPSCOPE_MODEL_DIR:-$HOME/.cache/opscope/models}"
PHOTO_DIR="${OPSCOPE_PHOTO_DIR:-$HOME/.cache/opscope/photos}"
backend=xnnpack,cpu threads=1 runs=20 models=()
while (($#)); do
  case "$1" in
    --opscope) OPSCOPE="$2"; shift 2 ;;
    --backend) backend="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "quant_diff_models: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
((${#models[@]})) || models=(selfie_segmentation face_detection_full_range hand_landmark_full)
[[ -x "$OPSCOPE" ]] || { echo "quant_diff_models: no $OPSCOPE (build it, or --opscope PATH)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "quant-diff on $(ls "$PHOTO_DIR" | wc -l) photos of $PHOTO_DIR; backend $backend, $threads thread(s), $runs timed runs each"
printf '%-26s %-16s %9s %9s %9s %9s %7s %6s %8s %8s\n' model metric value out_SNR_dB float_ms int8_ms matched nodes numer_s total_s
for m in "${models[@]}"; do
  float="$MODEL_DIR/$m.tflite"
  int8="$work/${m}_int8.tflite"
  "$OPSCOPE" quantize "$float" --calibration "$PHOTO_DIR" --backend "$backend" \
    --out "$int8" 2>"$work/quantize.log" || { cat "$work/quantize.log" >&2; exit 1; }
  "$OPSCOPE" quant-diff "$float" "$int8" --dataset "$PHOTO_DIR" --backend "$backend" \
    --threads "$threads" --runs "$runs" --no-store --json >"$work/$m.json" 2>"$work/qd.log" ||
    { cat "$work/qd.log" >&2; exit 1; }
  python3 - "$work/$m.json" "$m" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t, m, e, tm = d["task"], d["matching"], d["elapsed_s"], d["timing"]
print("%-26s %-16s %9.4f %9.2f %9.3f %9.3f %7d %6d %8.2f %8.2f" % (
    sys.argv[2], t["metric"], t["value"], d["output_snr_db"], tm["float_median_ms"],
    tm["int8_median_ms"], m["matched_ops"], m["float_nodes"], e["numerics"], e["total"]))
det = t["details"]
if t["task"] == "detect":
    print("%-26s anchors >= %.2f: float %d, int8 %d, both %d; max score diff %.4f" % (
        "", det["threshold"], det["float_detections"], det["int8_detections"],
        det["anchors_in_both"], det["max_score_diff"]))
elif t["task"] == "segment":
    print("%-26s mask pixels: float %d, int8 %d, intersection %d, union %d" % (
        "", det["float_pixels"], det["int8_pixels"], det["intersection_pixels"], det["union_pixels"]))
elif t["task"] == "landmarks":
    print("%-26s %d points (x, y) in pixels of the model input" % ("", det["points"]))
PY
done
