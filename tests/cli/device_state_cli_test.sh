#!/usr/bin/env bash
# `opscope run` on a real model stores a document whose device_state was
# probed on this machine: before and after hold this machine's CPUs, and its
# thermal zones when it has readable ones (a VM may have none: then nothing
# is asserted about them). The console shows the state line, and every
# stored warning. The store is read with Python's sqlite3 (not our code).
# Usage: device_state_cli_test.sh BIN_DIR MODEL_DIR
set -uo pipefail
BIN="$1"
MODELS="$2"
OPSCOPE="$BIN/opscope"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

SELFIE="$MODELS/selfie_segmentation.tflite"
if [[ ! -f "$SELFIE" ]]; then
  echo "device_state_cli: models not fetched, skipped"
  exit 77
fi

"$OPSCOPE" run "$SELFIE" --runs 3 --warmup 0 --min-secs 0 --no-run-order --top 0 \
  --db "$WORK/s.db" >"$WORK/out.txt" 2>"$WORK/err.txt"
rc=$?
expect run_ok 0 "" -- test "$rc" -eq 0

cpus_here=0
for d in /sys/devices/system/cpu/cpu[0-9]*; do [[ -d "$d" ]] && cpus_here=$((cpus_here + 1)); done
expect before_cpus_sql 0 "^$cpus_here\$" -- \
  sql "$WORK/s.db" "SELECT json_array_length(document, '$.device_state.before.cpus') FROM runs"
expect after_cpus 0 "^$cpus_here\$" -- \
  sql "$WORK/s.db" "SELECT json_array_length(document, '$.device_state.after.cpus') FROM runs"

zones_here=0
for z in /sys/class/thermal/thermal_zone*; do
  [[ -r "$z/temp" ]] && cat "$z/temp" >/dev/null 2>&1 && zones_here=$((zones_here + 1))
done
if [[ $zones_here -gt 0 ]]; then
  expect before_thermal 0 "^[1-9][0-9]*\$" -- \
    sql "$WORK/s.db" "SELECT json_array_length(document, '$.device_state.before.thermal') FROM runs"
  expect console_state_zone 0 "^state   .*hottest zone" -- cat "$WORK/out.txt"
else
  echo "device_state_cli: no readable thermal zone on this machine: not asserted"
fi
expect console_state 0 "^state   " -- cat "$WORK/out.txt"

# Every stored warning is on the console, after the tables.
warnings="$(sql "$WORK/s.db" "SELECT coalesce(json_array_length(document, '$.warnings'), 0) FROM runs")"
shown="$(grep -c '^warning: ' "$WORK/out.txt")"
expect warnings_shown 0 "" -- test "$warnings" -eq "$shown"
echo "device_state_cli: $warnings warning(s) on this machine"

# With --json-stdout the warnings go to stderr and device_state is in the JSON.
"$OPSCOPE" run "$SELFIE" --runs 1 --warmup 0 --min-secs 0 --no-store --json-stdout \
  >"$WORK/doc.json" 2>"$WORK/err2.txt"
expect json_device_state 0 "ok" -- python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["device_state"]
assert len(s["before"]["cpus"]) == int(sys.argv[2]) and len(s["after"]["cpus"]) == int(sys.argv[2])
n = len(d.get("warnings", []))
err = open(sys.argv[3]).read()
assert err.count("opscope: warning: ") == n, (n, err)
print("ok")' "$WORK/doc.json" "$cpus_here" "$WORK/err2.txt"

echo "device_state_cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
