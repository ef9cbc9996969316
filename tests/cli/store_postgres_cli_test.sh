#!/usr/bin/env bash
# Every command that reads or writes the results store, on a PostgreSQL URL
# (--db URL and OPSCOPE_DB), against a real server this test starts
# (opscope-test-postgres); `opscope store init/push/pull` between it and a
# SQLite file; a URL's password never printed; clear refusals.
# Usage: store_postgres_cli_test.sh BIN_DIR MODEL_DIR PG_HELPER
set -uo pipefail
BIN="$1"
MODELS="$2"
PG_HELPER="$3"
OPSCOPE="$BIN/opscope"
WORK="$(mktemp -d)"
cd "$WORK" || exit 1
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

SELFIE="$MODELS/selfie_segmentation.tflite"
HAND="$MODELS/hand_landmark_lite.tflite"
if [[ ! -f "$SELFIE" ]]; then
  echo "store postgres cli: models not fetched"
  rm -rf "$WORK"
  exit 0
fi

# The server: its URL on the helper's first line; it stops when we close its stdin.
coproc PG { "$PG_HELPER" 2>"$WORK/pg.err"; }
PG_PID=$PG_PID
stop_server() {
  exec {PG[1]}>&- 2>/dev/null
  wait "$PG_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap stop_server EXIT
if ! read -r -t 60 URL <&"${PG[0]}"; then
  wait "$PG_PID"
  rc=$?
  [[ $rc -eq 77 ]] && { cat "$WORK/pg.err"; exit 77; }
  echo "FAIL server: $(cat "$WORK/pg.err")"
  exit 1
fi
# The same URL with a password (the test server trusts the socket, so any
# password connects): no output may show it.
SECRET_URL="${URL/opscope@/opscope:s3cret-word@}"
QUICK=(--runs 3 --warmup 0 --min-secs 0)

expect init 0 "is at schema version [0-9]+ and holds 0 runs" -- "$OPSCOPE" store init "$URL"
expect init_again 0 "\"runs\": 0" -- "$OPSCOPE" store init "$URL" --json
expect run_url 0 "stored as run 1 in postgresql://opscope@/" -- "$OPSCOPE" run "$SELFIE" \
  "${QUICK[@]}" --db "$SECRET_URL" --tag branch=main --variant float
expect run_env 0 "stored as run 2 in postgresql://" -- env OPSCOPE_DB="$URL" "$OPSCOPE" run \
  "$HAND" "${QUICK[@]}" --tag branch=dev
expect run_env_3 0 "stored as run 3" -- env OPSCOPE_DB="$URL" "$OPSCOPE" run "$SELFIE" \
  "${QUICK[@]}" --tag branch=dev --variant float
expect runs 0 "selfie_segmentation.tflite +float .* ok +branch=main" -- "$OPSCOPE" runs --db "$URL"
expect runs_env 0 "hand_landmark_lite" -- env OPSCOPE_DB="$URL" "$OPSCOPE" runs --tag branch=dev
expect show 0 "== operators, run order ==" -- "$OPSCOPE" show 1 --db "$URL"
expect show_selector 0 "variant float, tags branch=dev" -- "$OPSCOPE" show \
  "tag:branch=dev+variant:float" --db "$URL"
expect compare 0 "base +run 1: median" -- "$OPSCOPE" compare 1 3 --db "$URL"
# Three samples a side: the gate cannot decide (exit 2), but it reads the URL.
expect gate 2 '"verdict"' -- "$OPSCOPE" gate --baseline 1 --candidate 3 --db "$URL" --json
expect report 0 "" -- "$OPSCOPE" report 1,3 --format md -o report.md --db "$URL"
expect report_file 0 "selfie_segmentation" -- cat report.md
expect sweep 0 "2 cases, 2 ok, 0 failed" -- "$OPSCOPE" sweep --model "$HAND" --threads 1,2 \
  --backend cpu "${QUICK[@]}" --no-op-profile --db "$URL"
expect sweep_runs 0 "^2$" -- bash -c "'$OPSCOPE' runs --db '$URL' --sweep \$('$OPSCOPE' runs --db '$URL' --json --limit 1 | grep -o 'sw-[0-9a-f-]*' | head -1) --json | grep -c '\"id\"'"

# push/pull with a SQLite file: the same runs, each once.
expect pull 0 "5 runs from postgresql://.*: 5 added to local.db, 0 there already" -- \
  "$OPSCOPE" store pull "$URL" local.db
expect pull_again 0 "5 runs from .*: 0 added to local.db, 5 there already" -- \
  "$OPSCOPE" store pull "$SECRET_URL" local.db
expect pulled_count 0 "^5$" -- sql local.db "SELECT count(*) FROM runs"
expect pulled_samples 0 "^[1-9][0-9]*$" -- sql local.db "SELECT count(*) FROM samples"
"$OPSCOPE" run "$HAND" "${QUICK[@]}" --db local.db --tag offline=yes >/dev/null 2>&1
expect push 0 "6 runs from local.db: 1 added to postgresql://.*, 5 there already" -- \
  "$OPSCOPE" store push local.db "$URL"
expect push_select 0 "\"added\": 0" -- "$OPSCOPE" store push local.db "$URL" \
  --select tag:offline=yes --json
expect pushed 0 "offline=yes" -- "$OPSCOPE" runs --db "$URL" --tag offline=yes
# The same run on both sides: its document and created_at are the same.
"$OPSCOPE" show 1 --db "$URL" --json >pg1.json 2>/dev/null
"$OPSCOPE" show 1 --db local.db --json >local1.json 2>/dev/null
expect same_document 0 "" -- cmp pg1.json local1.json
expect same_created 0 "$("$OPSCOPE" runs --db "$URL" --json | grep -o '"created_at": "[^"]*"' | tail -1)" -- \
  "$OPSCOPE" runs --db local.db --json

# Refusals: an empty database for a reader, a server that is not there, bad selectors.
EMPTY_URL="${URL%%\?*}_none?${URL#*\?}"
expect no_database 13 "cannot connect" -- "$OPSCOPE" runs --db "$EMPTY_URL"
expect no_server 13 "cannot connect .*check the host, port" -- "$OPSCOPE" runs \
  --db "postgresql://opscope@/x?host=$WORK&port=1"
expect bad_selector 2 "bad run selector" -- "$OPSCOPE" show nope:1 --db "$URL"
expect push_bad_selector 2 "bad run selector" -- "$OPSCOPE" store push local.db "$URL" --select nope:1
expect push_missing 13 "no results store at" -- "$OPSCOPE" store push missing.db "$URL"

# The password never shows, in any output above or now.
expect no_password 0 "" -- bash -c "! '$OPSCOPE' runs --db '$SECRET_URL' 2>&1 | grep -q s3cret"
expect no_password_error 13 "password-given|opscope@" -- "$OPSCOPE" runs \
  --db "postgresql://opscope:s3cret-word@/x?host=$WORK&port=1"
if "$OPSCOPE" runs --db "postgresql://opscope:s3cret-word@/x?host=$WORK&port=1" 2>&1 | grep -q s3cret; then
  failed=$((failed + 1)); echo "FAIL password shown in an error"
else
  passed=$((passed + 1))
fi

echo "store postgres cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
