#!/usr/bin/env bash
# End-to-end checks of the results store from the CLI: run --db/--tag/
# --variant, runs, show, sweep (a failing case, a timeout, a plan file), a
# runner killed with SIGKILL mid-run, and refused store files.
# Usage: store_cli_test.sh BIN_DIR MODEL_DIR
set -uo pipefail
BIN="$1"
MODELS="$2"
OPSCOPE="$BIN/opscope"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"


SELFIE="$MODELS/selfie_segmentation.tflite"
HAND="$MODELS/hand_landmark_lite.tflite"
QUICK=(--runs 2 --warmup 0 --min-secs 0)

echo "not a database" >"$WORK/notes.db"
expect not_sqlite 13 "not a SQLite database" -- "$OPSCOPE" runs --db "$WORK/notes.db"
expect missing_store 13 "no results store at" -- "$OPSCOPE" runs --db "$WORK/none.db"
expect bad_tag 2 "not KEY=VALUE" -- "$OPSCOPE" run x.tflite --tag nokey --db t.db

if [[ ! -f "$SELFIE" ]]; then
  echo "store cli: models not fetched, $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
  exit
fi

# run stores into ./opscope.db by default, and into --db FILE.
expect default_store 0 "stored as run 1 in opscope.db" -- "$OPSCOPE" run "$SELFIE" "${QUICK[@]}"
expect no_store 0 "" -- "$OPSCOPE" run "$SELFIE" "${QUICK[@]}" --no-store
expect default_store_count 0 "^1$" -- sql opscope.db "SELECT count(*) FROM runs"
expect run_db 0 "stored as run 1 in r.db" -- "$OPSCOPE" run "$SELFIE" "${QUICK[@]}" --db r.db \
  --tag branch=main --tag commit=abc123 --variant float --json run1.json
expect run_db2 0 "stored as run 2" -- "$OPSCOPE" run "$HAND" "${QUICK[@]}" --db r.db \
  --backend xnnpack,cpu --threads 2 --tag branch=dev
expect run_failed 3 "cannot open" -- "$OPSCOPE" run "$WORK/missing.tflite" --db r.db --tag branch=dev
expect runs_table 0 "selfie_segmentation.tflite +float +native,xnnpack,cpu +1 .* ok +branch=main commit=abc123" -- \
  "$OPSCOPE" runs --db r.db
expect runs_failed_row 0 "missing.tflite .* error +branch=dev" -- "$OPSCOPE" runs --db r.db --status error
expect runs_tag 0 '"id": 1' -- "$OPSCOPE" runs --db r.db --tag branch=main --json
# Both branch=dev runs use xnnpack: run 2 by --backend, the failed one by the default list.
expect runs_tag_only 0 "^2$" -- bash -c "'$OPSCOPE' runs --db r.db --tag branch=dev --backend xnnpack --json | grep -c '\"id\"'"
expect runs_model 0 "hand_landmark_lite" -- "$OPSCOPE" runs --db r.db --model hand_landmark_lite
expect runs_none 0 "no stored runs match" -- "$OPSCOPE" runs --db r.db --since 2999-01-01
expect runs_bad_date 2 "is not a date" -- "$OPSCOPE" runs --db r.db --since yesterday

# show prints the stored run as run did, and its document as written.
expect show_report 0 "== operators, run order ==" -- "$OPSCOPE" show 1 --db r.db
expect show_header 0 "variant float, tags branch=main commit=abc123" -- "$OPSCOPE" show 1 --db r.db
"$OPSCOPE" show tag:commit=abc123 --db r.db --json >show1.json 2>/dev/null
expect show_json_same 0 "" -- cmp run1.json show1.json
expect show_error_run 0 "status  error \(io_error\)" -- "$OPSCOPE" show status:error --db r.db
expect show_bad_selector 2 "bad run selector" -- "$OPSCOPE" show nope:1 --db r.db
expect show_no_match 2 "no stored run matches" -- "$OPSCOPE" show 99 --db r.db

# A runner killed with SIGKILL mid-run: opscope exits 12 and stores the case as failed.
"$OPSCOPE" run "$SELFIE" --runs 100000 --min-secs 60 --db k.db >/dev/null 2>kill.err &
host=$!
runner=""
for _ in $(seq 1 100); do
  runner="$(pgrep -P "$host" opscope-runner)" && break
  sleep 0.1
done
sleep 1
[[ -n "$runner" ]] && kill -KILL "$runner"
wait "$host"
rc=$?
expect killed_exit 0 "^12$" -- echo "$rc"
expect killed_message 0 "crashed \(signal 9\)" -- cat kill.err
expect killed_stored 0 "status  error \(runner_crashed\)" -- "$OPSCOPE" show latest --db k.db
expect killed_integrity 0 "^ok$" -- sql k.db "PRAGMA integrity_check"

expect run_timeout 14 "killed after .* \(time limit 0.5 s\)" -- "$OPSCOPE" run "$SELFIE" \
  --runs 100000 --min-secs 60 --timeout 0.5 --db k.db
expect run_timeout_stored 0 "status  error \(timeout\)" -- "$OPSCOPE" show latest --db k.db

# A sweep with a failing case and a timed-out case goes on, stores all, exits 1.
expect sweep 1 "sweep sw-[0-9-]+[0-9a-f]+: 8 cases, 4 ok, 4 failed" -- "$OPSCOPE" sweep \
  --variant float="$SELFIE" --model "$WORK/missing.tflite" --threads 1,2 --backend cpu \
  "${QUICK[@]}" --no-op-profile --db s.db --tag ci=1 --repeat 2 --shuffle-seed 3
expect sweep_failed_rows 0 "^4$" -- sql s.db "SELECT count(*) FROM runs WHERE status = 'error'"
expect sweep_one_id 0 "^1$" -- sql s.db "SELECT count(DISTINCT sweep_id) FROM runs"
expect sweep_variant 0 "^4$" -- sql s.db "SELECT count(*) FROM runs WHERE variant = 'float'"
expect sweep_timeout 1 "1 cases, 0 ok, 1 failed" -- "$OPSCOPE" sweep --model "$SELFIE" \
  --runs 100000 --min-secs 60 --timeout 0.5 --db s.db
expect sweep_timeout_stored 0 "status  error \(timeout\)" -- "$OPSCOPE" show sweep:latest --db s.db
expect sweep_integrity 0 "^ok$" -- sql s.db "PRAGMA integrity_check"

cat >plan.json <<JSON
{"variants": {"float": "$SELFIE"}, "models": ["$HAND"], "backends": ["cpu"],
 "threads": [1], "repeat": 2, "run": {"runs": 1, "warmup": 0, "min_secs": 0},
 "tags": {"plan": "yes"}}
JSON
expect sweep_plan 0 "4 cases, 4 ok, 0 failed" -- "$OPSCOPE" sweep --plan plan.json --db p.db \
  --no-op-profile
expect sweep_plan_tags 0 "^4$" -- sql p.db "SELECT count(*) FROM tags WHERE key = 'plan'"
echo '{"modles": []}' >bad_plan.json
expect sweep_bad_plan 2 "unknown field 'modles'" -- "$OPSCOPE" sweep --plan bad_plan.json --db p.db

# A store written by a newer opscope is refused, naming both versions.
cp r.db future.db
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("PRAGMA user_version = 99"); c.commit()' future.db
expect newer_schema 13 "schema version 99, newer than this opscope reads \(7\)" -- \
  "$OPSCOPE" runs --db future.db

echo "store cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
