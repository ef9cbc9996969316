#!/usr/bin/env bash
# `opscope report` end to end: two real runs stored in a fresh database, a
# report of each format written from them, and the errors (unknown format,
# no match, missing store, unwritable file) with their exit codes.
# Usage: report_cli_test.sh BIN_DIR MODEL_DIR. Skips (77) without the model.
set -uo pipefail
OPSCOPE="$(realpath "$1")/opscope"
SELFIE="$(realpath -m "$2")/selfie_segmentation.tflite"
[[ -f "$SELFIE" ]] || { echo "models not fetched: skipped"; exit 77; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
source "$(dirname "${BASH_SOURCE[0]}")/../cli/expect.sh"

run() { "$OPSCOPE" run "$SELFIE" --runs 5 --warmup 1 --min-secs 0 --db r.db "$@" >/dev/null 2>&1; }
run --backend xnnpack,cpu --tag branch=main || { echo "FAIL: opscope run"; exit 1; }
run --backend cpu --tag branch=feature --trace-invokes 1 || { echo "FAIL: opscope run"; exit 1; }

for f in md html csv junit chrome-trace gbench-json; do
  expect "report_$f" 0 "wrote $f report of 2 run\(s\)" -- \
    "$OPSCOPE" report 1 tag:branch=feature --db r.db --format "$f" -o "out.$f"
done
expect md_has_comparison 0 "## Comparison against #1" -- cat out.md
expect csv_rows 0 "^273$" -- bash -c "wc -l <out.csv"  # header + 2 x 136 ops
expect trace_ops 0 "^544$" -- bash -c "grep -o '\"cat\":\"op,' out.chrome-trace | wc -l"  # 3x136 + 1x136
expect junit_counts 0 'tests="2" failures="0"' -- cat out.junit
expect gbench_aggregates 0 '"aggregate_name": "median"' -- cat out.gbench-json
expect html_offline 1 "" -- grep -Eq "https?://|<script" out.html
expect aggregates_only 0 "" -- "$OPSCOPE" report latest --db r.db --format gbench-json \
  --aggregates-only -o agg.json
expect aggregates_only_rows 0 "^4$" -- bash -c "grep -c '\"run_type\": \"aggregate\"' agg.json"

expect unknown_format 2 "unknown report format 'pdf'" -- \
  "$OPSCOPE" report 1 --db r.db --format pdf -o x
expect no_match 2 "no stored run matches '99'" -- "$OPSCOPE" report 99 --db r.db --format md -o x
expect bad_selector 2 "" -- "$OPSCOPE" report "nope:x" --db r.db --format md -o x
expect no_store 13 "missing\.db" -- "$OPSCOPE" report 1 --db missing.db --format md -o x
expect unwritable 3 "no/such/dir/x\.md" -- "$OPSCOPE" report 1 --db r.db --format md \
  -o no/such/dir/x.md
expect missing_output 2 "output" -- "$OPSCOPE" report 1 --db r.db --format md

echo "report cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
