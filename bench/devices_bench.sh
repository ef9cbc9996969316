#!/usr/bin/env bash
# What running on a device costs, with two real OpenSSH servers on this
# machine's loopback as two devices, each pinned to its own core (taskset on
# its sshd: the runner it starts inherits the core):
#   1. two devices in one sweep vs each device's cases alone (wall times);
#   2. the transport's effect on the measured latency: `run --device core0`
#      vs `run --device local --cpus 0`, interleaved pairs (which of the two
#      goes first alternates), warm medians: the median over the pairs of
#      each side, and the median of the per-pair ratios;
#   3. a 10-case sweep over ssh vs the same sweep locally (wall times);
#   4. push caching: bytes pushed by a first and a second run on a fresh
#      device folder.
#
#   bench/devices_bench.sh [--model NAME] [--pairs 11] [--cases 6]
#
# Needs build/release (opscope, opscope-runner, bundles/x86_64), openssh-server
# and a 2-core machine at least. Prints the figures and the CPU they ran on.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OPSCOPE="$ROOT/build/release/cli/opscope"
MODEL_DIR="${OPSCOPE_MODEL_DIR:-$HOME/.cache/opscope/models}"
model=selfie_segmentation pairs=11 cases=6
while (($#)); do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --pairs) pairs="$2"; shift 2 ;;
    --cases) cases="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "devices_bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
MODEL="$MODEL_DIR/$model.tflite"
[[ -f "$MODEL" ]] || { echo "devices_bench: no $MODEL (datasets/fetch_models.sh)" >&2; exit 3; }
WORK="$(mktemp -d)"
cleanup() {
  for d in "$WORK"/sshd0 "$WORK"/sshd1; do
    [[ -f "$d/sshd.pid" ]] && kill "$(cat "$d/sshd.pid")" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
export OPSCOPE_DEVICES_FILE="$WORK/devices.json"
for core in 0 1; do
  taskset -c "$core" tests/adapters/devices/start_sshd.sh "$WORK/sshd$core" >/dev/null
done
cat "$WORK"/sshd0/known_hosts "$WORK"/sshd1/known_hosts >"$WORK/known_hosts"
export OPSCOPE_SSH_OPTIONS="-o UserKnownHostsFile=$WORK/known_hosts -o StrictHostKeyChecking=yes"
ME="$(id -un)"
for core in 0 1; do
  "$OPSCOPE" devices add "core$core" "ssh://$ME@127.0.0.1:$(cat "$WORK/sshd$core/port")" \
    --identity "$WORK/sshd$core/id_ed25519" --workdir "$WORK/device$core" 2>/dev/null
done

now() { date +%s.%N; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.3f}')" "$1" "$2"; }
CASE=(--runs 30 --warmup 2 --min-secs 0.5 --max-secs 2 --backend xnnpack,cpu --threads 1)
sweep() {  # WALL-SECONDS of one sweep of $cases cases; args: --device ...
  local t0 t1
  local pre=()
  [[ " $* " == *" local "* ]] && pre=("${LOCAL[@]}")
  t0=$(now)
  "${pre[@]}" "$OPSCOPE" sweep --model "$MODEL" --repeat "$cases" "${CASE[@]}" --db "$WORK/b.db" "$@" \
    >/dev/null 2>&1
  t1=$(now)
  python3 -c "print(f'{$t1 - $t0:.2f}')"
}
# sshd starts every session in a new session (setsid), and with
# kernel.sched_autogroup_enabled=1 a session is its own scheduling group:
# under load (other work on the two cores) a runner started by sshd gets a
# different share of its core than one started from this script's session.
# The local side runs under `setsid` too, so both are alike.
LOCAL=()
command -v setsid >/dev/null && LOCAL=(setsid -w)
median_of() {  # the result document's latency_ms.median of one run
  local pre=()
  [[ " $* " == *" --cpus "* ]] && pre=("${LOCAL[@]}")
  "${pre[@]}" "$OPSCOPE" run "$MODEL" "${CASE[@]}" --json-stdout --no-store "$@" 2>/dev/null |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["latency_ms"]["median"])'
}

# What one bare command costs on the device (connection reused) when each
# command is its own ssh: mostly the login shell starting on the device.
# opscope pays it once per device and process (its device shell), not per
# command (OPSCOPE_SSH_SESSION=0 makes it pay it per command again).
bare=$(python3 - "$WORK" "$(cat "$WORK/sshd0/port")" "$ME" <<'PY'
import os, statistics, subprocess, sys, time
work, port, me = sys.argv[1:]
cm = os.path.join(work, "cm")
args = ["ssh", "-o", "BatchMode=yes", "-o", "ControlMaster=auto", "-o", f"ControlPath={cm}",
        "-o", "ControlPersist=30", "-i", f"{work}/sshd0/id_ed25519", "-o", "IdentitiesOnly=yes",
        *os.environ["OPSCOPE_SSH_OPTIONS"].split(), "-p", port, f"{me}@127.0.0.1"]
subprocess.run(args + ["true"], check=True)
times = []
for _ in range(7):
    t = time.monotonic()
    subprocess.run(args + ["true"], check=True)
    times.append(time.monotonic() - t)
subprocess.run(args[:1] + ["-o", f"ControlPath={cm}", "-O", "exit", f"{me}@127.0.0.1"],
               stderr=subprocess.DEVNULL)
print(f"{statistics.median(times):.3f}")
PY
)

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "model: $model.tflite, ${CASE[*]}"
echo "a bare command as its own ssh (connection reused): ${bare} s median (the login shell;"\
  "opscope pays it once per device and process: its commands go through one device shell)"

# Push caching on a fresh device folder (and warms both devices' caches).
first=$("$OPSCOPE" run "$MODEL" "${CASE[@]}" --device core0 --no-store --verbose 2>&1 >/dev/null |
  grep -Eo 'pushed [0-9]+ bytes' | grep -Eo '[0-9]+')
second=$("$OPSCOPE" run "$MODEL" "${CASE[@]}" --device core0 --no-store --verbose 2>&1 >/dev/null |
  grep -Eo 'pushed [0-9]+ bytes' | grep -Eo '[0-9]+')
"$OPSCOPE" run "$MODEL" "${CASE[@]}" --device core1 --no-store >/dev/null 2>&1
echo "push caching: first run pushed $first bytes, second run $second bytes (target: 0)"

# 1. Two devices at once vs each alone.
alone0=$(sweep --device core0)
alone1=$(sweep --device core1)
both=$(sweep --device core0 --device core1)
slower=$(python3 -c "print(max($alone0, $alone1))")
echo "two devices in one sweep ($cases cases each): ${both} s; alone: core0 ${alone0} s," \
  "core1 ${alone1} s; both / slower alone = $(ratio "$both" "$slower") (target <= 1.2)"

# 2. Latency measured over ssh vs locally, interleaved pairs on core 0.
ssh_medians=() local_medians=()
for i in $(seq 1 "$pairs"); do
  if ((i % 2)); then
    ssh_medians+=("$(median_of --device core0)")
    local_medians+=("$(median_of --cpus 0)")
  else
    local_medians+=("$(median_of --cpus 0)")
    ssh_medians+=("$(median_of --device core0)")
  fi
done
python3 - "${ssh_medians[*]}" "${local_medians[*]}" <<'PY'
import statistics, sys
s = [float(x) for x in sys.argv[1].split()]
l = [float(x) for x in sys.argv[2].split()]
ms, ml = statistics.median(s), statistics.median(l)
r = sorted(a / b for a, b in zip(s, l))
print(f"warm median over ssh {ms:.4f} ms vs local {ml:.4f} ms ({len(s)} interleaved pairs, "
      f"order alternating): ratio of medians {ms / ml:.4f}, median of per-pair ratios "
      f"{statistics.median(r):.4f} (per-pair {r[0]:.3f}..{r[-1]:.3f}; target within 2%: 0.98..1.02)")
print("  pairs (ssh/local ms): " + ", ".join(f"{a:.3f}/{b:.3f}" for a, b in zip(s, l)))
PY

# 3. A 10-case sweep over ssh vs locally, both on core 0.
cases=10
ssh10=$(sweep --device core0)
local10=$(sweep --device local --cpus 0)
echo "10-case sweep: over ssh ${ssh10} s, local ${local10} s; ratio $(ratio "$ssh10" "$local10")" \
  "(target <= 1.5)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
