#!/usr/bin/env bash
# End-to-end checks of the two executables: exit codes and messages on bad
# input, --help, run and inspect on a real model (when the models are
# fetched). Usage: cli_test.sh BIN_DIR MODEL_DIR
set -uo pipefail
BIN="$1"
MODELS="$2"
OPSCOPE="$BIN/opscope"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# `opscope run` stores into ./opscope.db by default: keep that out of the build tree.
cd "$WORK" || exit 1
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

expect help 0 "inspect" -- "$OPSCOPE" --help
expect run_help 0 "--no-op-profile" -- "$OPSCOPE" run --help
expect no_subcommand 2 "subcommand" -- "$OPSCOPE"

# device-peaks: JSON with every figure; measured once into the cache, then
# read from it (keyed by CPU, cores and build); --quick never caches.
expect peaks_help 0 "docs/roofline.md" -- "$OPSCOPE" device-peaks --help
expect peaks_quick_json 0 '"gmacs_one_core"' -- "$OPSCOPE" device-peaks --quick --json \
  --cache "$WORK/peaks.json"
expect peaks_quick_not_cached 2 "No such file" -- ls "$WORK/peaks.json"
expect peaks_measured 0 "measured in .* cached in" -- "$OPSCOPE" device-peaks \
  --cache "$WORK/peaks.json"
expect peaks_cached 0 "cached in .*--fresh measures again" -- "$OPSCOPE" device-peaks \
  --cache "$WORK/peaks.json"
expect peaks_json_valid 0 "ok" -- python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
p = j["peaks"]
assert p["f32"]["gmacs_one_core"] > 0 and p["int8"]["gmacs_all_cores"] > 0, p
assert [b["level"] for b in p["bandwidth"]][0] == "L1", p
print("ok")' "$WORK/peaks.json"
expect missing_file 3 "no_such\.tflite" -- "$OPSCOPE" run "$WORK/no_such.tflite"
expect wrong_extension 2 "unknown model format" -- "$OPSCOPE" inspect "$WORK/model.bin"

head -c 4096 /dev/urandom >"$WORK/random.tflite"
expect random_bytes 4 "random\.tflite" -- "$OPSCOPE" run "$WORK/random.tflite"
expect random_bytes_inspect 4 "random\.tflite" -- "$OPSCOPE" inspect "$WORK/random.tflite"
: >"$WORK/empty.tflite"
expect empty_file 4 "empty\.tflite" -- "$OPSCOPE" inspect "$WORK/empty.tflite"

SELFIE="$MODELS/selfie_segmentation.tflite"
if [[ -f "$SELFIE" ]]; then
  head -c 100000 "$SELFIE" >"$WORK/truncated.tflite"
  expect truncated 4 "truncated\.tflite" -- "$OPSCOPE" run "$WORK/truncated.tflite"
  # A wrong file identifier: bytes 4..7 are "TFL3".
  cp "$SELFIE" "$WORK/badid.tflite"
  printf 'XXXX' | dd of="$WORK/badid.tflite" bs=1 seek=4 conv=notrunc status=none
  expect bad_identifier 4 "identifier" -- "$OPSCOPE" inspect "$WORK/badid.tflite"

  expect run_table 0 "== operators, run order ==" -- \
    "$OPSCOPE" run "$SELFIE" --runs 2 --warmup 0 --min-secs 0 --json "$WORK/r.json"
  expect run_json_written 0 '"schema_version": 1' -- cat "$WORK/r.json"
  expect run_memory_filled 0 '"live_bytes": [1-9]' -- cat "$WORK/r.json"
  expect run_summary 0 "summary by op type" -- \
    "$OPSCOPE" run "$SELFIE" --runs 1 --warmup 0 --min-secs 0 --no-run-order
  expect inspect_text 0 "unsupported ops: none" -- "$OPSCOPE" inspect "$SELFIE"
  expect inspect_json 0 '"op_histogram"' -- "$OPSCOPE" inspect "$SELFIE" --json
  expect bad_backend 2 "unknown backend 'nope'" -- "$OPSCOPE" run "$SELFIE" --backend nope
  expect bad_input_name 2 "no input named 'nope'" -- \
    "$OPSCOPE" run "$SELFIE" --input nope=x.npy --runs 1 --min-secs 0
  expect save_outputs 0 "" -- "$OPSCOPE" run "$SELFIE" --runs 1 --warmup 0 \
    --min-secs 0 --save-outputs "$WORK/out"
  expect saved_npy 0 "output_0.npy" -- ls "$WORK/out"
  # The mask (1 channel) is no valid image input (3 channels).
  expect input_shape_mismatch 2 "needs f32 1x256x256x3" -- "$OPSCOPE" run "$SELFIE" \
    --runs 1 --min-secs 0 --input "$WORK/out/output_0.npy"
fi

echo "cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
