#!/usr/bin/env bash
# End-to-end checks of `opscope quant-diff`: exit codes and messages for bad
# input (usage, missing file, swapped models, a float model as the int8 one,
# models with different inputs, an unknown or unfitting --task), then a real
# run on selfie_segmentation and its int8 variant made with `opscope
# quantize` from the photos: the table, --json, and the store (two timing
# runs with variants float/int8 and one quant_diffs row pointing at them).
# Usage: quant_diff_test.sh BIN_DIR MODEL_DIR [PHOTO_DIR]
set -uo pipefail
BIN="$1"
MODELS="$2"
PHOTOS="${3:-$HOME/.cache/opscope/photos}"
OPSCOPE="$BIN/opscope"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"


SELFIE="$MODELS/selfie_segmentation.tflite"
FACE="$MODELS/face_detection_full_range.tflite"

expect usage_one_model 2 "int8_model is required" -- "$OPSCOPE" quant-diff "$SELFIE"
expect missing_file 3 "missing\.tflite" -- "$OPSCOPE" quant-diff missing.tflite "$SELFIE" --no-store
echo "not a model" >junk.tflite
expect junk_model 4 "junk\.tflite" -- "$OPSCOPE" quant-diff junk.tflite "$SELFIE" --no-store

if [[ ! -f "$SELFIE" || ! -d "$PHOTOS" ]]; then
  echo "quant-diff cli: models or photos not fetched, $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
  exit
fi

"$OPSCOPE" quantize "$SELFIE" --calibration "$PHOTOS" --out selfie_int8.tflite 2>quantize.log ||
  { echo "FAIL quantize: $(tail -3 quantize.log)"; exit 1; }
INT8="$WORK/selfie_int8.tflite"
QUICK=(--runs 3 --inputs 2)

expect swapped 8 "selfie_int8\.tflite: not a float model" -- \
  "$OPSCOPE" quant-diff "$INT8" "$SELFIE" --no-store
expect not_quantized 8 "selfie_segmentation\.tflite: not a quantized model" -- \
  "$OPSCOPE" quant-diff "$SELFIE" "$SELFIE" --no-store
if [[ -f "$FACE" ]]; then
  expect inputs_differ 7 "have different inputs: input 0 .*1x192x192x3 .*1x256x256x3" -- \
    "$OPSCOPE" quant-diff "$FACE" "$INT8" --no-store
fi
expect bad_task 2 "--task 'sideways'" -- \
  "$OPSCOPE" quant-diff "$SELFIE" "$INT8" --task sideways --no-store
expect unfit_task 2 "--task detect: no output of the float model fits" -- \
  "$OPSCOPE" quant-diff "$SELFIE" "$INT8" --task detect --no-store
mkdir empty
expect empty_dataset 2 "empty" -- "$OPSCOPE" quant-diff "$SELFIE" "$INT8" --dataset empty --no-store
expect bad_store 13 "not a SQLite database" -- \
  "$OPSCOPE" quant-diff "$SELFIE" "$INT8" --db junk.tflite

# A real run: the table on stdout, stored in qd.db.
expect table 0 "mask IoU \(threshold 0\.50\): 0\.9[0-9]+" -- \
  "$OPSCOPE" quant-diff "$SELFIE" "$INT8" --dataset "$PHOTOS" --runs 3 --db qd.db
expect table_rows 0 "conv2d_1 +CONV_2D\+RELU +i8" -- \
  "$OPSCOPE" quant-diff "$SELFIE" "$INT8" "${QUICK[@]}" --no-store
expect_eq() {
  if [[ "$2" == "$3" ]]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL $1: got '$2', want '$3'"; fi
}
expect_eq stored_diffs "$(sql qd.db 'SELECT count(*) FROM quant_diffs')" 1
expect_eq stored_variants "$(sql qd.db "SELECT group_concat(variant) FROM (SELECT variant FROM runs ORDER BY id)")" "float,int8"
expect_eq diff_points_at_runs "$(sql qd.db "SELECT float_run_id || ',' || int8_run_id FROM quant_diffs")" "1,2"
expect_eq stored_ops "$(sql qd.db 'SELECT count(*) > 100 FROM quant_diff_ops')" 1
expect_eq stored_metric "$(sql qd.db "SELECT task_metric || ':' || (task_metric_value >= 0.9) FROM quant_diffs")" "mask_iou:1"

# --json: the whole record, one JSON document on stdout.
if "$OPSCOPE" quant-diff "$SELFIE" "$INT8" "${QUICK[@]}" --json --db qd.db >qd.json 2>qd.err; then
  if python3 - qd.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "opscope.quant_diff", d.get("schema")
assert d["id"] == 2, d["id"]
assert d["matching"]["by"] == "source_index"
assert not d["matching"]["unmatched_float"], d["matching"]["unmatched_float"][:3]
assert d["task"]["metric"] == "mask_iou"
assert d["timing"]["float_run_id"] == 3 and d["timing"]["int8_run_id"] == 4, d["timing"]
ops = d["ops"]
assert len(ops) > 100
assert all(o["float_us"] > 0 and o["int8_us"] > 0 for o in ops), "a row without times"
assert all(-200 <= o["snr_db"] <= 200 for o in ops)
assert d["elapsed_s"]["total"] < 10, d["elapsed_s"]
PY
  then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL json: see above"; fi
else
  failed=$((failed + 1)); echo "FAIL json run: $(tail -3 qd.err)"
fi
# --runs 0: accuracy only, nothing timed, no runs stored.
expect no_timing 0 "mask IoU" -- "$OPSCOPE" quant-diff "$SELFIE" "$INT8" --runs 0 --inputs 1 --db qd.db
expect_eq untimed_diff "$(sql qd.db 'SELECT float_run_id IS NULL FROM quant_diffs ORDER BY id DESC LIMIT 1')" 1

echo "quant-diff cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
