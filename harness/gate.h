// The CI gate: a verdict per case and overall from a Comparison.
//
// The run is the unit (harness/two_level.h). A case FAILs when its latency
// change is significant (the run-level one-sided p-value for "slower" <
// alpha; the verdict line prints the two-sided p) AND the
// candidate is slower beyond both thresholds: the run-level ratio - 1 >
// max_regression AND the difference > min_abs_ms. The absolute threshold
// keeps models of a fraction of a millisecond from failing on noise a
// relative threshold would call large (cf. iree#12330). The same test
// against `warn` (when > 0) gives PASS_WITH_WARNING.
//
// A case that would PASS is UNDECIDED instead when it has fewer runs per
// side than the gate needs to catch a `detect` slowdown (default: twice
// max_regression) with probability `power`, given the between-run variation
// it measured (harness/run_power.h): a PASS then would mean nothing. It is
// also UNDECIDED when missing on one side or when either side has fewer
// than min_samples samples (a failed run has none).
//
// Overall: FAIL if any case fails; else UNDECIDED if any is undecided; else
// PASS_WITH_WARNING if any warns; else PASS. Exit codes: 0 for PASS and
// PASS_WITH_WARNING, 1 for FAIL, 2 for UNDECIDED.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/compare.h"

namespace opscope::harness {

enum class Verdict { kPass, kPassWithWarning, kFail, kUndecided };
std::string_view to_string(Verdict v);  // "PASS", "PASS_WITH_WARNING", ...

struct GateOptions {
  double max_regression = 0.05;  // relative: 0.05 = 5% slower
  double min_abs_ms = 0.0;       // absolute, milliseconds (0: off; the run-level test carries the noise)
  double warn = 0.0;             // relative warning level; 0 = none
  double alpha = 0.01;           // one-sided significance level of the run-level test
  int min_samples = 10;          // per side
  double detect = 0.0;           // slowdown a PASS must have been able to see; 0: 2 x max_regression
  double power = 0.95;           // ... with this probability
  double detect_or_default() const { return detect > 0 ? detect : 2 * max_regression; }
};

struct CaseVerdict {
  std::string name;  // the case label (base label when paired across keys)
  Verdict verdict = Verdict::kUndecided;
  std::string reason;  // one line a person reads in CI
  // Copied from the comparison for the writers (0 when missing).
  double base_median_ms = 0, cand_median_ms = 0, ratio = 0, ratio_lo = 0,
         ratio_hi = 0, p_value = 1;
  size_t base_samples = 0, cand_samples = 0;
  // The run level: runs per side, pairing, the between-run variation and
  // how many runs per side the gate needs to see `detect` (0: more than 64).
  int base_runs = 0, cand_runs = 0, runs_needed = 0;
  bool paired_by_round = false, low_confidence = false;
  double between_run_sigma = 0;
  std::string sigma_source;
};

struct GateResult {
  Verdict overall = Verdict::kUndecided;
  std::vector<CaseVerdict> cases;
  GateOptions options;
};

GateResult evaluate_gate(const Comparison& comparison, const GateOptions& options);

int gate_exit_code(Verdict overall);

// JUnit XML: one <testsuite name="opscope gate">, one <testcase> per case;
// FAIL gets a <failure>, UNDECIDED a <skipped> with the reason;
// PASS_WITH_WARNING passes with the warning in <system-out>.
std::string gate_junit_xml(const GateResult& result);

// A Markdown summary for a pull-request comment: overall verdict, thresholds,
// and a table of the cases (failures first).
std::string gate_markdown(const GateResult& result);

nlohmann::json to_json(const GateResult& result);

}  // namespace opscope::harness
