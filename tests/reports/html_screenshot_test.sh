#!/usr/bin/env bash
# Renders the HTML report of real runs in headless Chromium and checks the
# picture is not blank (scripts/screenshot_report.sh). Skips (exit 77) when
# chromium or the models are missing.
# Usage: html_screenshot_test.sh REPORTS_TEST_BINARY SOURCE_DIR
set -uo pipefail
bin="$1"
src="$2"
command -v chromium >/dev/null || { echo "chromium not installed: skipped"; exit 77; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
OPSCOPE_REPORTS_KEEP="$work" "$bin" --gtest_brief=1 \
  --gtest_filter=ReportFormat.WritesEveryFormatToAFile >"$work/log" 2>&1 || {
  cat "$work/log"
  exit 1
}
[[ -f "$work/report.html" ]] || { echo "models not fetched: skipped"; exit 77; }
"$src/scripts/screenshot_report.sh" "$work/report.html" "$work/report.png" 1300 2400 &&
  "$src/scripts/screenshot_report.sh" "$work/single.html" "$work/single.png" 1300 2400
