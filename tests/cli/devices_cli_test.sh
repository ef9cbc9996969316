#!/usr/bin/env bash
# Devices end to end (docs/devices.md), against a real OpenSSH server started
# here on 127.0.0.1 (tests/adapters/devices/start_sshd.sh): `opscope devices
# add/list/remove`, `run --device` (outputs bit-identical to a local run on
# the same backend and threads; the second run pushes nothing), a sweep over
# the ssh device and local at once, the connection killed mid-sweep (that
# case fails, the sweep goes on, --resume completes it), and the errors: an
# unknown device (18), no bundle for the device's arch (19), an unreachable
# host (16), a refused key (17), a full disk on the device (20), a runner
# that crashes on the device (12). The store stays whole throughout.
# Usage: devices_cli_test.sh BIN_DIR MODEL_DIR SOURCE_DIR
# Without sshd: the ssh part is skipped, unless OPSCOPE_REQUIRE_SSHD=1.
set -uo pipefail
BIN="$1"
MODELS="$2"
SRC="$3"
OPSCOPE="$BIN/opscope"
WORK="$(mktemp -d)"
SSHD_DIR="$WORK/sshd"
MNT=""
ADB_SERVER=""
cleanup() {
  [[ -f "$SSHD_DIR/sshd.pid" ]] && kill "$(cat "$SSHD_DIR/sshd.pid")" 2>/dev/null
  [[ -n "$ADB_SERVER" ]] && kill "$ADB_SERVER" 2>/dev/null
  [[ -n "$MNT" ]] && umount "$MNT" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 1
source "$SRC/tests/cli/expect.sh"
export OPSCOPE_DEVICES_FILE="$WORK/devices.json"
SELFIE="$MODELS/selfie_segmentation.tflite"
QUICK=(--runs 3 --warmup 1 --min-secs 0 --backend xnnpack,cpu)

check() {  # NAME CONDITION-COMMAND...
  local name="$1"
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $name"; fi
}
finish() {
  echo "devices_cli_test: $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
  exit $?
}

# --- the devices file, without any device
expect list_local 0 "^local +local" -- "$OPSCOPE" devices --no-probe
expect list_json 0 '"name": "local"' -- "$OPSCOPE" devices --json --no-probe
expect add_bad_name 2 "device name 'a b'" -- "$OPSCOPE" devices add 'a b' qemu:aarch64
expect add_bad_uri 2 "ftp://x" -- "$OPSCOPE" devices add x ftp://x
expect add_qemu 0 "added arm64 \(qemu:aarch64\)" -- "$OPSCOPE" devices add arm64 qemu:aarch64
expect add_twice 2 "arm64" -- "$OPSCOPE" devices add arm64 qemu:aarch64
expect add_local 2 "local" -- "$OPSCOPE" devices add local qemu:aarch64
check file_written grep -q '"qemu:aarch64"' "$OPSCOPE_DEVICES_FILE"
expect remove_unknown 18 "no device named 'nope'" -- "$OPSCOPE" devices remove nope
expect run_unknown 18 "^opscope: error: no device named 'nope' \(known: local, arm64" -- \
  "$OPSCOPE" run "$SELFIE" "${QUICK[@]}" --device nope --db s.db
# No bundle for the device's arch: exit 19, stored as a failed run.
mkdir -p nobundles
expect run_no_bundle 19 "arm64: the device is aarch64 and there is no runner bundle" -- \
  env OPSCOPE_BUNDLE_DIR="$WORK/nobundles" "$OPSCOPE" run "$SELFIE" "${QUICK[@]}" --device arm64 --db s.db
expect no_bundle_stored 0 "^no_bundle$" -- sql s.db "SELECT json_extract(document, '$.error.code') FROM runs ORDER BY id DESC"
expect inspect_no_bundle 19 "arm64: the device is aarch64 and there is no runner bundle" -- \
  env OPSCOPE_BUNDLE_DIR="$WORK/nobundles" "$OPSCOPE" inspect "$SELFIE" --device arm64
# The aarch64 bundle under qemu, through the CLI: stored as emulated.
if [[ -f "$BIN/bundles/aarch64/bundle.json" ]]; then
  expect run_qemu 0 "stored as run" -- "$OPSCOPE" run "$SELFIE" --runs 2 --warmup 0 --min-secs 0 \
    --backend cpu --device arm64 --db q.db
  expect qemu_emulated 0 "^1 aarch64 qemu$" -- sql q.db \
    "SELECT json_extract(document, '$.device.emulated') || ' ' || json_extract(document, '$.device.arch') || ' ' || json_extract(document, '$.device.kind') FROM runs"
elif [[ "${OPSCOPE_REQUIRE_AARCH64:-0}" == 1 ]]; then
  failed=$((failed + 1))
  echo "FAIL run_qemu: no aarch64 bundle in $BIN/bundles"
fi
expect remove_qemu 0 "removed arm64" -- "$OPSCOPE" devices remove arm64

# --- adb: the real adb client against the adb host-protocol test server
# (docs/devices.md says what this does and does not prove).
if command -v adb >/dev/null; then
  python3 "$SRC/tests/adapters/devices/adb_test_server.py" --port-file "$WORK/adb.port" \
    --serial emu-1 >/dev/null 2>&1 &
  ADB_SERVER=$!
  for _ in $(seq 1 100); do [[ -s "$WORK/adb.port" ]] && break; sleep 0.05; done
  export ANDROID_ADB_SERVER_PORT="$(cat "$WORK/adb.port")"
  expect add_adb 0 "added phone" -- "$OPSCOPE" devices add phone adb:emu-1 --workdir "$WORK/phone"
  expect run_adb 0 "phone: pushed [1-9][0-9]* bytes" -- "$OPSCOPE" run "$SELFIE" "${QUICK[@]}" \
    --device phone --db a.db --verbose
  expect run_adb_cached 0 "phone: pushed 0 bytes" -- "$OPSCOPE" run "$SELFIE" "${QUICK[@]}" \
    --device phone --db a.db --verbose
  expect adb_stored 0 "^phone adb$" -- sql a.db \
    "SELECT json_extract(document, '$.device.id') || ' ' || json_extract(document, '$.device.kind') FROM runs LIMIT 1"
  expect adb_unknown_serial 16 "adb:nope" -- bash -c \
    "'$OPSCOPE' devices add nope adb:nope >/dev/null 2>&1; '$OPSCOPE' run '$SELFIE' ${QUICK[*]} --device nope --db a.db"
  kill "$ADB_SERVER" 2>/dev/null
  ADB_SERVER=""
  unset ANDROID_ADB_SERVER_PORT
elif [[ "${OPSCOPE_REQUIRE_ADB:-0}" == 1 ]]; then
  failed=$((failed + 1))
  echo "FAIL adb: no adb client"
fi

# --- a real OpenSSH server on loopback
if ! "$SRC/tests/adapters/devices/start_sshd.sh" "$SSHD_DIR" >/dev/null 2>sshd_start.err; then
  cat sshd_start.err
  if [[ "${OPSCOPE_REQUIRE_SSHD:-0}" == 1 ]]; then
    failed=$((failed + 1))
    echo "FAIL sshd: cannot start the test OpenSSH server"
  else
    echo "SKIP the ssh part: no OpenSSH server here"
  fi
  finish
fi
PORT="$(cat "$SSHD_DIR/port")"
export OPSCOPE_SSH_OPTIONS="$(cat "$SSHD_DIR/ssh_options")"
ME="$(id -un)"
expect add_ssh 0 "added lab" -- "$OPSCOPE" devices add lab "ssh://$ME@127.0.0.1:$PORT" \
  --identity "$SSHD_DIR/id_ed25519" --workdir "$WORK/lab"
expect list_ssh 0 "^lab +ssh://$ME@127.0.0.1:$PORT" -- "$OPSCOPE" devices
"$OPSCOPE" devices --json >listing.json 2>/dev/null
check list_ssh_json python3 -c '
import json, sys
d = {x["name"]: x for x in json.load(open("listing.json"))["devices"]}
lab = d["lab"]
assert lab["reachable"] and lab["device"]["arch"] == "x86_64" and lab["device"]["cores"] >= 1, lab
assert lab["state"]["cpus"], lab'


expect inspect_ssh 0 "^device  lab \(ssh://$ME@127.0.0.1:$PORT\): x86_64" -- \
  "$OPSCOPE" inspect "$SELFIE" --device lab --backend xnnpack,cpu

# run --device: the same outputs as a local run, bit for bit.
expect run_ssh 0 "stored as run" -- "$OPSCOPE" run "$SELFIE" "${QUICK[@]}" --device lab \
  --save-outputs out_ssh --db s.db --verbose
expect run_local 0 "stored as run" -- "$OPSCOPE" run "$SELFIE" "${QUICK[@]}" --save-outputs out_local --db s.db
check outputs_saved test -n "$(ls out_ssh)"
check outputs_identical diff -r out_ssh out_local
expect run_ssh_device 0 "^lab$" -- sql s.db "SELECT d.name FROM runs r JOIN devices d ON d.id = r.device_id ORDER BY r.id DESC LIMIT 1 OFFSET 1"
# The second run finds bundle and model on the device: nothing is pushed.
expect run_ssh_cached 0 "lab: pushed 0 bytes" -- "$OPSCOPE" run "$SELFIE" "${QUICK[@]}" --device lab --db s.db --verbose
expect run_ssh_no_cache 0 "lab: pushed [1-9][0-9]* bytes" -- "$OPSCOPE" run "$SELFIE" "${QUICK[@]}" --device lab --db s.db --verbose --no-cache
expect compare_devices 0 "selfie" -- "$OPSCOPE" compare 2 3 --db s.db

# A sweep over the ssh device and this machine at once.
expect sweep_two 0 "4 cases, 4 ok, 0 failed" -- "$OPSCOPE" sweep --model "$SELFIE" --repeat 2 \
  --runs 3 --warmup 1 --min-secs 0 --device lab --device local --db w.db
expect sweep_cooldown 0 "2 cases, 2 ok, 0 failed" -- "$OPSCOPE" sweep --model "$SELFIE" --repeat 2 \
  --runs 3 --warmup 1 --min-secs 0 --device lab --cooldown-s 0.2 --cooldown-until-c 200 --no-store
expect sweep_two_devices 0 "^2$" -- sql w.db "SELECT count(DISTINCT device_id) FROM runs"
expect compare_by_device 0 "selfie_segmentation" -- "$OPSCOPE" compare device:lab "device:$(hostname)" --db w.db

# The connection dies mid-sweep: that case fails, the sweep goes on and
# --resume completes it.
"$OPSCOPE" sweep --model "$SELFIE" --repeat 4 --runs 200 --warmup 1 --min-secs 1 --max-secs 1.5 \
  --device lab --db k.db --no-shuffle >sweep_kill.out 2>&1 &
SWEEP=$!
for _ in $(seq 1 200); do
  pgrep -f "opscope-runner --plan $WORK/lab/" >/dev/null && break
  sleep 0.05
done
sleep 0.3
pkill -P "$(cat "$SSHD_DIR/sshd.pid")" -x sshd  # every connection's sshd: the link drops
wait $SWEEP
check sweep_kill_exit_1 test $? -eq 1
check sweep_kill_case_failed grep -Eq "case 1/4 .*failed: lab" sweep_kill.out
check sweep_kill_went_on grep -Eq "4 cases, 3 ok, 1 failed" sweep_kill.out
expect sweep_kill_resume 0 "resuming 1 of 4 cases" -- "$OPSCOPE" sweep --resume latest --db k.db
expect sweep_kill_complete 0 "complete +4 +4 +0" -- "$OPSCOPE" sweep --list --db k.db

# The errors, each with its exit code, one line naming the device and step.
expect unreachable 16 "^opscope: down: probe: .*(refused|unreachable)" -- bash -c \
  "'$OPSCOPE' devices add down ssh://$ME@127.0.0.1:1 >/dev/null 2>&1; '$OPSCOPE' run '$SELFIE' ${QUICK[*]} --device down --db s.db"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/stranger"
expect wrong_key 17 "^opscope: stranger: probe: .*(denied|publickey)" -- bash -c \
  "'$OPSCOPE' devices add stranger ssh://$ME@127.0.0.1:$PORT --identity '$WORK/stranger' >/dev/null 2>&1; '$OPSCOPE' run '$SELFIE' ${QUICK[*]} --device stranger --db s.db"
# A runner that crashes on the device: SIGSEGV from outside, exit 12. (Only
# this test's runners are matched: other tests run runners at the same time.)
"$OPSCOPE" run "$SELFIE" --runs 100000 --min-secs 30 --max-secs 30 --device lab --db s.db >crash.out 2>&1 &
RUN=$!
for _ in $(seq 1 200); do
  pgrep -f "opscope-runner --plan $WORK/lab/" >/dev/null && break
  sleep 0.05
done
sleep 0.5
pkill -SEGV -f "opscope-runner --plan $WORK/lab/"
wait $RUN
check crash_exit_12 test $? -eq 12
check crash_message grep -Eq "lab: the runner crashed \(signal 11\)" crash.out
# A full disk on the device: a 256 KiB tmpfs as its workdir (needs root).
mkdir -p "$WORK/tiny"
if mount -t tmpfs -o size=256k tmpfs "$WORK/tiny" 2>/dev/null; then
  MNT="$WORK/tiny"
  expect disk_full 20 "^opscope: tiny: .*(No space left|full)" -- bash -c \
    "'$OPSCOPE' devices add tiny ssh://$ME@127.0.0.1:$PORT --identity '$SSHD_DIR/id_ed25519' --workdir '$WORK/tiny' >/dev/null 2>&1; '$OPSCOPE' run '$SELFIE' ${QUICK[*]} --device tiny --db s.db"
else
  echo "SKIP disk_full: cannot mount a tmpfs here (not root)"
fi
expect store_whole 0 "^ok$" -- sql s.db "PRAGMA integrity_check"
expect store_kept 0 "^[0-9]+$" -- sql s.db "SELECT count(*) FROM runs WHERE status = 'ok'"
finish
