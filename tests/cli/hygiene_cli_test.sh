#!/usr/bin/env bash
# Process hygiene and the clean headline, end to end: flags refused with one
# line each, a FIFO model refused, `run` killed with SIGTERM or SIGKILL
# leaves no runner and no result file, a killed sweep is incomplete and
# `sweep --resume` finishes it, a damaged store is refused, a read-only
# store is read, the default backend list, and latency_ms from unprofiled
# invokes with the profiling overhead beside it.
# Usage: hygiene_cli_test.sh BIN_DIR MODEL_DIR
set -uo pipefail
BIN="$1"
MODELS="$2"
OPSCOPE="$BIN/opscope"
WORK="$(mktemp -d)"
trap 'chmod -R u+w "$WORK"; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

ALEXA="$MODELS/alexa_v0.1.tflite"
HAND="$MODELS/hand_landmark_lite.tflite"
QUICK=(--runs 2 --warmup 0 --min-secs 0)

check() {  # NAME CONDITION-COMMAND...: counts a check that needs no output
  local name="$1"
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $name"; fi
}
one_line() {  # NAME PATTERN -- CMD...: exit 2 and exactly one line, matching
  local name="$1" pattern="$2"
  shift 3
  local out rc
  out="$("$@" 2>&1)"
  rc=$?
  if [[ $rc -eq 2 && $(wc -l <<<"$out") -eq 1 ]] && grep -Eq -- "$pattern" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $rc (want 2, one line), output:"
    echo "$out" | head -5
  fi
}
# Polls (up to 10 s) until CMD succeeds.
wait_for() { for _ in $(seq 100); do "$@" >/dev/null && return 0; sleep 0.1; done; return 1; }
gone() { [[ -z "$(ps -o stat= -p "$1" | grep -v Z)" ]]; }

# Contradictory or out-of-range flags: one line each, exit 2, before any run.
one_line bad_cpus "^opscope: error: --cpus '0,1000'" -- "$OPSCOPE" run m.tflite --cpus 0,1000
one_line min_over_max "^opscope: error: --min-secs 5 is more than --max-secs 1$" -- \
  "$OPSCOPE" run m.tflite --min-secs 5 --max-secs 1
one_line twice_backend "^opscope: error: --backend 'xnnpack,xnnpack': 'xnnpack' is named twice$" -- \
  "$OPSCOPE" run m.tflite --backend xnnpack,xnnpack
one_line negative_top "^opscope: error: --top -1 is negative" -- "$OPSCOPE" run m.tflite --top -1
one_line negative_timeout "^opscope: error: --timeout" -- "$OPSCOPE" run m.tflite --timeout -3
one_line sweep_min_over_max "^opscope: error: --min-secs 5 is more than --max-secs 1$" -- \
  "$OPSCOPE" sweep --model m.tflite --min-secs 5 --max-secs 1 --no-store
one_line resume_with_model "^opscope: error: --resume runs the stored sweep's own cases" -- \
  "$OPSCOPE" sweep --resume latest --model m.tflite

# A FIFO as the model: refused at once by the host and by the runner, no hang.
mkfifo fifo.tflite
expect fifo_run 3 "fifo.tflite: not a regular file \\(a FIFO\\)" -- timeout 30 "$OPSCOPE" run fifo.tflite --no-store
expect fifo_runner 3 "not a regular file \\(a FIFO\\)" -- timeout 30 "$BIN/opscope-runner" fifo.tflite --json fifo.json

if [[ ! -f "$HAND" || ! -f "$ALEXA" ]]; then
  echo "hygiene cli: models not fetched, $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
  exit
fi

# The default backend list is the fastest this build has, in the config line.
expect default_backend 0 "^config  backends native,xnnpack,cpu," -- "$OPSCOPE" run "$ALEXA" "${QUICK[@]}" --no-store

# The headline comes from unprofiled invokes; the overhead is stored beside it.
expect profiled_json 0 "" -- "$OPSCOPE" run "$ALEXA" --runs 20 --min-secs 0 --no-store --json p.json
expect profiling_fields 0 "^ok$" -- python3 - p.json <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
p, lat = d["profiling"], d["latency_ms"]
assert p["profiled_invokes"] > 0 and p["block_invokes"] >= 1, p
assert abs(p["unprofiled_median_ms"] - lat["median"]) < 1e-9, (p, lat["median"])
assert lat["count"] == len(lat["samples"]) >= 20, lat["count"]
assert all(op["count"] == p["profiled_invokes"] for op in d["ops"]), "per-op rows not from profiled invokes"
want = 100 * (p["profiled_median_ms"] / p["unprofiled_median_ms"] - 1)
assert abs(p["overhead_pct"] - want) < 1e-6, p
print("ok")
PY
expect no_op_profile 0 "^absent$" -- bash -c "'$OPSCOPE' run '$ALEXA' ${QUICK[*]} --no-op-profile --no-store \
  --json-stdout | python3 -c 'import json,sys; print(\"present\" if \"profiling\" in json.load(sys.stdin) else \"absent\")'"

# SIGTERM to `opscope run`: the runner is killed, nothing stored, exit 15,
# and the result file was never a path in /tmp (unlinked at creation).
"$OPSCOPE" run "$HAND" --min-secs 60 --max-secs 120 --db k.db >term.out 2>&1 &
HOST=$!
check term_runner_started wait_for pgrep -P "$HOST" -x opscope-runner
RUNNER=$(pgrep -P "$HOST" -x opscope-runner)
check result_file_unlinked bash -c "ls -l /proc/$HOST/fd | grep -q 'opscope-result-.*(deleted)'"
check runner_writes_fd bash -c "tr '\\0' ' ' </proc/$RUNNER/cmdline | grep -q -- '--json /dev/fd/'"
kill -TERM "$HOST"
wait "$HOST"
check term_exit_15 test $? -eq 15
check term_message grep -q "interrupted by signal 15" term.out
check term_runner_gone wait_for gone "$RUNNER"
expect term_nothing_stored 0 "^0$" -- sql k.db "SELECT count(*) FROM runs"

# SIGKILL to `opscope run`: the runner dies with it (PR_SET_PDEATHSIG).
"$OPSCOPE" run "$HAND" --min-secs 60 --max-secs 120 --no-store >/dev/null 2>&1 &
HOST=$!
check kill_runner_started wait_for pgrep -P "$HOST" -x opscope-runner
RUNNER=$(pgrep -P "$HOST" -x opscope-runner)
kill -KILL "$HOST"
{ wait "$HOST"; } 2>/dev/null
check kill_runner_gone wait_for gone "$RUNNER"

# A sweep killed mid-way (SIGKILL: no chance to say so) reads as incomplete,
# and --resume runs only what is left, under the same id.
SWEEP=(--model "$ALEXA" --threads 1,2 --repeat 3 --runs 2 --warmup 0 --min-secs 0.5 --db s.db)
"$OPSCOPE" sweep "${SWEEP[@]}" >/dev/null 2>&1 &
HOST=$!
check sweep_started wait_for bash -c "[[ \$(python3 -c 'import sqlite3; print(sqlite3.connect(\"s.db\").execute(\"SELECT count(*) FROM sweep_cases WHERE status = \\\"ok\\\"\").fetchone()[0])' 2>/dev/null) -ge 1 ]]"
kill -KILL "$HOST"
{ wait "$HOST"; } 2>/dev/null
expect sweep_list_incomplete 0 "^sw-[0-9-]+[0-9a-f]+ +incomplete +6 " -- "$OPSCOPE" sweep --list --db s.db
expect sweep_resume 0 "resuming [1-5] of 6 cases" -- "$OPSCOPE" sweep --resume latest --db s.db
expect sweep_list_complete 0 "complete +6 +6 +0" -- "$OPSCOPE" sweep --list --db s.db
expect sweep_runs_ok 0 "^6$" -- sql s.db "SELECT count(*) FROM runs WHERE status = 'ok'"
expect sweep_resume_nothing 0 "resuming 0 of 6 cases" -- "$OPSCOPE" sweep --resume latest --db s.db

# SIGTERM to a sweep: marked incomplete in the store itself, exit 15.
"$OPSCOPE" sweep --model "$HAND" --repeat 5 --min-secs 1 --db t.db >sweep_term.out 2>&1 &
HOST=$!
check sweep_term_started wait_for pgrep -P "$HOST" -x opscope-runner
kill -TERM "$HOST"
wait "$HOST"
check sweep_term_exit_15 test $? -eq 15
check sweep_term_message grep -q "opscope sweep --resume sw-" sweep_term.out
expect sweep_term_stored 0 "^incomplete$" -- sql t.db "SELECT status FROM sweeps"

# A store that fails the integrity check: run refuses to add to it.
expect seed_store 0 "stored as run 1" -- "$OPSCOPE" run "$ALEXA" "${QUICK[@]}" --db c.db
python3 - <<'PY'
import sqlite3
sqlite3.connect("c.db").execute("PRAGMA wal_checkpoint(TRUNCATE)")
with open("c.db", "r+b") as f:  # scribble over page 4 (a b-tree page)
    f.seek(3 * 4096)
    f.write(b"\x0d\xff\xff" * 1000)
PY
expect corrupt_refused 13 "c.db fails SQLite's integrity check .*nothing was written" -- \
  "$OPSCOPE" run "$ALEXA" "${QUICK[@]}" --db c.db

# A read-only store in a read-only folder: readers open it read-only. As
# root (who may write anything) the check runs as nobody when it can.
mkdir ro
expect seed_ro 0 "stored as run 1" -- "$OPSCOPE" run "$ALEXA" "${QUICK[@]}" --db ro/r.db
python3 -c 'import sqlite3; sqlite3.connect("ro/r.db").execute("PRAGMA wal_checkpoint(TRUNCATE)")'
rm -f ro/r.db-wal ro/r.db-shm
chmod 444 ro/r.db
chmod 555 ro
AS=()
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
  chmod 755 "$WORK"
  AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
expect read_only_runs 0 "alexa_v0.1.tflite +native,xnnpack,cpu" -- "${AS[@]}" "$OPSCOPE" runs --db ro/r.db
expect read_only_show 0 "alexa_v0.1" -- "${AS[@]}" "$OPSCOPE" show latest --db ro/r.db
check read_only_no_side_files test ! -e ro/r.db-shm

echo "hygiene cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
