#!/usr/bin/env bash
# The hostile corpus (tests/data/hostile/corpus.txt) end to end: every entry
# through `opscope run` and `opscope inspect` gives its exit code and a
# message naming the file, within a time limit (no hang) and without a
# signal (no crash); then bytes that are not UTF-8 (Latin-1 and random) in
# model paths, tensor and node names, tags and variants go through run,
# sweep, the store, runs/show/compare/gate/report, and every table of the
# store is read back by Python's sqlite3, which refuses text that is not
# UTF-8 (no entry poisons a store).
# Usage: hostile_input_test.sh BIN_DIR CORPUS_DIR
set -uo pipefail
BIN="$1"
CORPUS="$2"
OPSCOPE="$BIN/opscope"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

QUICK=(--runs 3 --warmup 0 --min-secs 0)
# A hang is exit 124, a crash 128 + the signal: neither is any entry's code.
T=(timeout 60)

# The entries made at run time (they cannot live in git).
mkdir dir.onnx dir.tflite
mkfifo fifo.onnx fifo.tflite
ln -s /dev/zero zero.onnx
ln -s /dev/zero zero.tflite

while read -r file code error pattern; do
  [[ -z "$file" || "$file" == \#* ]] && continue
  if [[ "$file" == \<* ]]; then path="$WORK/${file:1:-1}"; else path="$CORPUS/$file"; fi
  name="$(basename "$path")"
  [[ "$pattern" == "-" ]] && pattern=""
  [[ "$code" == 0 ]] && want="" || want="${name//./\\.}.*$pattern"
  expect "run $file" "$code" "$want" -- "${T[@]}" "$OPSCOPE" run "$path" "${QUICK[@]}" --db c.db
  expect "inspect $file" "$code" "$want" -- "${T[@]}" "$OPSCOPE" inspect "$path"
  expect "inspect --json $file" "$code" "$want" -- "${T[@]}" "$OPSCOPE" inspect "$path" --json
done <"$CORPUS/corpus.txt"
# Every case that ran was stored, failed ones included. The entries made at
# run time (a directory, a FIFO, a device) are refused on the command line
# before any runner starts, so they make no run.
entries=$(grep -v '^#' "$CORPUS/corpus.txt" | grep -cv '^<')
expect corpus_all_stored 0 "^$entries$" -- sql c.db "SELECT count(*) FROM runs"

# Tensor and node names in Latin-1: escaped in the JSON, never refused.
expect latin1_names_json 0 '"name": "y\\\\xFF"' -- \
  "${T[@]}" "$OPSCOPE" run "$CORPUS/latin1_names.onnx" "${QUICK[@]}" --no-store --json-stdout
expect latin1_names_inspect 0 'x\\\\xE9' -- "${T[@]}" "$OPSCOPE" inspect "$CORPUS/latin1_names.onnx" --json

# Paths, tags and variants in Latin-1.
L1="$(printf 'caf\xe9')"
cp "$CORPUS/latin1_names.onnx" "$WORK/m$L1.onnx"
expect latin1_path 0 "stored as run" -- "${T[@]}" "$OPSCOPE" run "$WORK/m$L1.onnx" "${QUICK[@]}" \
  --db s.db --tag "who=$L1" --tag "k$L1=v" --variant "$L1"
expect latin1_path_failed 3 "missing$L1\.onnx" -- "${T[@]}" "$OPSCOPE" run "$WORK/missing$L1.onnx" \
  --db s.db --tag "who=$L1" --variant "$L1"
expect latin1_failed_stored 0 "^1$" -- sql s.db "SELECT count(*) FROM runs WHERE status = 'error'"
expect latin1_path_again 0 "stored as run" -- "${T[@]}" "$OPSCOPE" run "$WORK/m$L1.onnx" "${QUICK[@]}" \
  --db s.db --tag "who=$L1" --variant "$L1"

# Random bytes (no NUL, which argv cannot carry; no '=' in keys).
for i in 1 2 3 4; do
  r="$(head -c 12 /dev/urandom | tr -d '\000=')"
  expect "random_tag_$i" 0 "stored as run" -- "${T[@]}" "$OPSCOPE" run "$CORPUS/relu.onnx" "${QUICK[@]}" \
    --db s.db --tag "r$r=$r" --variant "$r"
done

# Sweep: a labelled variant and a model whose names and path are not UTF-8,
# plus a corpus entry that fails.
expect sweep 0 "sweep" -- "${T[@]}" "$OPSCOPE" sweep --variant "v$L1=$WORK/m$L1.onnx" \
  --model "$CORPUS/latin1_names.onnx" "${QUICK[@]}" --db s.db --tag "who=$L1" --repeat 1
expect sweep_failing_case 1 "dim_int64_max\.onnx" -- "${T[@]}" "$OPSCOPE" sweep \
  --model "$CORPUS/dim_int64_max.onnx" --model "$WORK/m$L1.onnx" "${QUICK[@]}" --db s.db

# Reading back, from both stores: nothing throws, the bytes come back as \xNN.
for db in s.db c.db; do
  expect "runs_$db" 0 "" -- "${T[@]}" "$OPSCOPE" runs --db "$db"
  expect "runs_json_$db" 0 '"id"' -- "${T[@]}" "$OPSCOPE" runs --db "$db" --json
  expect "show_json_$db" 0 '"schema_version"' -- "${T[@]}" "$OPSCOPE" show latest --db "$db" --json
  expect "report_gbench_$db" 0 "" -- "${T[@]}" "$OPSCOPE" report 1,2,3 --format gbench-json \
    -o "$WORK/g_$db.json" --db "$db"
  expect "report_md_$db" 0 "" -- "${T[@]}" "$OPSCOPE" report 1,2,3 --format md -o "$WORK/r_$db.md" --db "$db"
  expect "report_trace_$db" 0 "" -- "${T[@]}" "$OPSCOPE" report 2 --format chrome-trace \
    -o "$WORK/t_$db.json" --db "$db"
done
expect runs_latin1_tag 0 'caf\\\\xE9' -- "${T[@]}" "$OPSCOPE" runs --db s.db --json
expect runs_select_latin1 0 '"id": 1' -- "${T[@]}" "$OPSCOPE" runs --db s.db --tag "who=$L1" --json
expect show_latin1 0 'mcaf\\\\xE9\.onnx' -- "${T[@]}" "$OPSCOPE" show 1 --db s.db --json
expect show_latin1_variant 0 "variant: caf\\\\xE9|variant caf\\\\xE9" -- "${T[@]}" "$OPSCOPE" show 1 --db s.db
expect compare_latin1 0 "" -- "${T[@]}" "$OPSCOPE" compare 1 3 --db s.db --json
# One run against one with no stored history: the gate is UNDECIDED (exit 2)
# and says so in JSON like any verdict. --min-abs-ms 1: this model runs in
# well under a microsecond, and noise of +180% between two such runs is a
# FAIL by the gate's rules (a change far beyond any between-run variation);
# the check is about the Latin-1 selectors, not that rule.
expect gate_latin1 2 '"verdict"' -- "${T[@]}" "$OPSCOPE" gate --baseline 1 --candidate 3 --db s.db \
  --json --min-samples 2 --min-abs-ms 1
expect gate_latin1_selector 2 '"verdict"' -- "${T[@]}" "$OPSCOPE" gate --baseline "variant:$L1" \
  --candidate latest --db s.db --json --min-samples 2 --min-abs-ms 1
expect report_gbench_names 0 'caf\\\\xE9' -- cat "$WORK/g_s.db.json"

# No store holds text that is not UTF-8: Python's sqlite3 decodes every
# TEXT value of every table (it raises on bytes that are not UTF-8).
utf8_only() {
  python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
for t in tables:
    db.execute(f'SELECT * FROM "{t}"').fetchall()
print(f"{len(tables)} tables, all UTF-8")
PY
}
expect store_utf8_s 0 "all UTF-8" -- utf8_only s.db
expect store_utf8_c 0 "all UTF-8" -- utf8_only c.db

echo "hostile input: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
