#!/usr/bin/env bash
# Profiling overhead in instructions (repeatable on a noisy machine):
#   bench/profiling_overhead_callgrind.sh BENCH_BINARY MODEL.tflite [BACKENDS] [INVOKES]
# Runs the model under callgrind with the per-op profiler on and off, for
# INVOKES and 2*INVOKES invokes each; the extra instructions of `on` over `off`
# per invoke, divided by the instructions of one invoke, is the overhead.
set -euo pipefail
BIN="$1"; MODEL="$2"; BACKENDS="${3:-cpu}"; N="${4:-2}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
count() {  # mode invokes -> total instructions
  valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.$1.$2" "$BIN" "$MODEL" \
    --backend "$BACKENDS" --only "$1" --invokes "$2" >/dev/null 2>"$TMP/log"
  grep -E "^(summary|totals):" "$TMP/cg.$1.$2" | head -1 | awk '{print $2}'
}
off1=$(count off "$N"); off2=$(count off $((2 * N)))
on1=$(count on "$N"); on2=$(count on $((2 * N)))
awk -v off1="$off1" -v off2="$off2" -v on1="$on1" -v on2="$on2" -v n="$N" \
    -v model="$(basename "$MODEL")" -v b="$BACKENDS" 'BEGIN {
  per_off = (off2 - off1) / n; per_on = (on2 - on1) / n;
  printf "%s (%s): %.1fM instructions per invoke profiled, %.1fM unprofiled: overhead %+.3f%%\n",
         model, b, per_on / 1e6, per_off / 1e6, 100 * (per_on / per_off - 1) }'
