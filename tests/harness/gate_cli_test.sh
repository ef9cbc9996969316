#!/usr/bin/env bash
# End-to-end: `opscope run --db` stores runs, `opscope compare` and
# `opscope gate` read them back; exit codes, JUnit and Markdown files.
# Usage: gate_cli_test.sh BIN_DIR MODEL_DIR
set -uo pipefail
OPSCOPE="$1/opscope"
SELFIE="$2/selfie_segmentation.tflite"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
source "$(dirname "${BASH_SOURCE[0]}")/../cli/expect.sh"

# Usage errors need no model.
expect gate_help 0 "--max-regression" -- "$OPSCOPE" gate --help
expect compare_no_db 13 "db" -- "$OPSCOPE" compare 1 2 --db "$WORK/none.db"

if [[ ! -f "$SELFIE" ]]; then
  if [[ "${OPSCOPE_REQUIRE_ORACLE:-0}" == 1 ]]; then
    echo "gate_cli: $SELFIE missing"
    exit 1
  fi
  echo "gate_cli: $passed passed, $failed failed (models not fetched: the rest skipped)"
  [[ $failed -eq 0 ]]
  exit
fi

run() { "$OPSCOPE" run "$SELFIE" --backend xnnpack,cpu --runs 40 --warmup 3 --min-secs 0 \
          --trace-invokes 0 --db gate.db --json-stdout "$@" >/dev/null 2>&1; }
run --tag commit=base || { echo "FAIL: opscope run"; exit 1; }
median=$("$OPSCOPE" runs --db gate.db --json | grep -Eo '"median_ms": [0-9.]+' | head -1 | grep -Eo '[0-9.]+$')
# A candidate twice as slow: a delay of one median after every invoke.
delay=$(awk -v m="$median" 'BEGIN { printf "%d", m * 1000 }')
run --tag commit=slow --inject-delay-us "$delay"
run --tag commit=other --threads 2

expect delay_recorded 0 "\"inject_delay_us\": $delay" -- "$OPSCOPE" show tag:commit=slow --db gate.db --json
expect compare_ratio 0 "ratio (1\.[3-9]|[2-9]\.)[0-9]* \(\+.*two-level: 1 vs 1 runs.*p = " -- \
  "$OPSCOPE" compare tag:commit=base tag:commit=slow --db gate.db
expect compare_ops 0 "ops that changed most \(10 of 136, matched by source index\)" -- \
  "$OPSCOPE" compare tag:commit=base tag:commit=slow --db gate.db
expect compare_json 0 '"p_two_sided"' -- "$OPSCOPE" compare tag:commit=base tag:commit=slow --db gate.db --json
expect compare_nothing 2 "no stored run matches 'tag:commit=zzz'" -- \
  "$OPSCOPE" compare tag:commit=base tag:commit=zzz --db gate.db
expect gate_fail 1 "gate: FAIL" -- "$OPSCOPE" gate --baseline tag:commit=base \
  --candidate tag:commit=slow --db gate.db --max-regression 5% --min-abs-ms 0.05 \
  --junit junit.xml --markdown summary.md
expect junit_failure 0 '<failure message="FAIL: slower' -- cat junit.xml
expect markdown_title 0 "^## opscope gate: :x: FAIL" -- cat summary.md
# Huge thresholds: the same runs pass.
expect gate_pass 0 "gate: PASS " -- "$OPSCOPE" gate --baseline tag:commit=base \
  --candidate tag:commit=slow --db gate.db --max-regression 500% --min-abs-ms 0.05
expect gate_warn 0 "gate: PASS_WITH_WARNING" -- "$OPSCOPE" gate --baseline tag:commit=base \
  --candidate tag:commit=slow --db gate.db --max-regression 500% --warn 10%
# One run against one, +3% asked to be caught: no between-run variation
# measured, so a PASS would mean nothing: undecided, low confidence.
expect gate_too_few_runs 2 "UNDECIDED.*too few runs to pass.*low confidence" -- "$OPSCOPE" gate \
  --baseline tag:commit=base --candidate tag:commit=slow --db gate.db --max-regression 500% \
  --detect 3%
expect gate_runs_table 0 "runs per side to catch a slowdown 95% of the time" -- "$OPSCOPE" gate \
  --baseline tag:commit=base --candidate tag:commit=slow --db gate.db --max-regression 500%
# A case on one side only (threads 2): undecided.
expect gate_missing 2 "UNDECIDED.*missing from the" -- "$OPSCOPE" gate \
  --baseline tag:commit=base --candidate tag:commit=other --db gate.db
expect gate_json 1 '"verdict": "FAIL"' -- "$OPSCOPE" gate --baseline tag:commit=base \
  --candidate tag:commit=slow --db gate.db --json
expect gate_ambiguous 2 "ambiguous: write 5% or 0.05" -- "$OPSCOPE" gate \
  --baseline tag:commit=base --candidate tag:commit=slow --db gate.db --max-regression 5
expect gate_bad_selector 2 "selector" -- "$OPSCOPE" gate --baseline nonsense:x \
  --candidate tag:commit=slow --db gate.db

echo "gate_cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
