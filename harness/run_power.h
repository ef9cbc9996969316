// The gate's power: how often the run-level gate (harness/two_level.h, the
// verdict of harness/gate.h) fails a candidate that is truly slower by a
// given ratio, for a number of runs per side, and how many runs per side a
// threshold needs. Computed from the between-run variation by a seeded
// simulation of the gate's own decision rule: the estimate ~ N(log ratio,
// se^2), the variance estimate ~ sigma^2 chi2(df)/df, FAIL when the
// estimate is beyond the threshold and t > the Student quantile.
#pragma once

namespace opscope::harness {

struct PowerModel {
  double sigma = 0.03;        // between-run SD of log run medians
  bool paired = false;        // runs paired by sweep round
  double history_df = 0;      // degrees of freedom added by stored history
  double alpha = 0.01;        // one-sided (slower), as the gate tests
  double max_regression = 0.05;
  double min_abs_ms = 0.0;
  double base_ms = 0.0;       // the baseline's typical run median (for min_abs_ms)
  bool sigma_known = false;   // assumed sigma: normal quantile, no estimate noise
  // With no degree of freedom (one run per side unpaired, no history) the
  // gate uses this assumed sigma instead of any measured one.
  double assumed_sigma = 0.10;
};

// P(FAIL) with `runs` runs per side when the candidate is `true_ratio`
// times the baseline. Deterministic (fixed seed).
double gate_power(int runs, double true_ratio, const PowerModel& model, int draws = 4000);

// The smallest runs per side (1..max_runs) whose power to detect
// `detect_ratio` is at least `power`; 0 when max_runs is not enough.
int runs_needed(double detect_ratio, double power, const PowerModel& model, int max_runs = 64);

}  // namespace opscope::harness
