// Statistics with the run as the unit: compare and gate model two levels,
// runs (runner processes) and invokes within a run. Most of the variance on
// a real machine is between runs (process start, memory placement, CPU
// frequency, other load), so the invokes of one run are not independent
// evidence about the build; each run is summarized by its median (which
// carries the within-run noise with it) and the effect, its interval and
// its test come from those run medians, on the log scale:
//
//   unpaired  log ratio = mean(log cand medians) - mean(log base medians),
//             se from the pooled between-run variance, Student t with
//             n_base + n_cand - 2 degrees of freedom;
//   paired    when every run carries a sweep round and both sides hold the
//             same rounds once each (a sweep interleaved them): the mean of
//             the per-round log ratios, Student t with rounds - 1 degrees of
//             freedom; slow drift shared by a round cancels.
//
// A between-run variance measured before on this device for this case
// (`history`, from earlier sweeps' repeats) is pooled with the measured one
// (weighted by degrees of freedom); with no degree of freedom at all (one
// run against one run, no history) `assumed_sigma` is used with a normal
// quantile and the result is marked low-confidence. docs/statistics.md
// gives the method and its sources.
#pragma once

#include <string_view>
#include <vector>

#include "harness/confidence.h"

namespace opscope::harness {

// One side's runs: the median of each successful run, and its sweep round
// (-1 when unknown), in the same order.
struct RunLevelSide {
  std::vector<double> medians_ms;
  std::vector<int> rounds;
};

// The between-run standard deviation of log run medians (≈ the coefficient
// of variation of run medians) measured earlier, and its degrees of freedom.
struct BetweenRunPrior {
  double sigma = 0;
  double df = 0;  // 0: none
};

struct TwoLevelOptions {
  double level = 0.95;
  BetweenRunPrior history;
  double assumed_sigma = 0.10;  // nothing measured, nothing stored: 10%
  bool pair_rounds = true;
};

enum class SigmaSource { kMeasured, kMeasuredAndHistory, kHistory, kAssumed };
std::string_view to_string(SigmaSource s);  // "measured", "measured+history", ...

struct TwoLevelResult {
  bool valid = false;  // each side has a run with a positive median
  double ratio = 0;    // exp(log effect): the typical cand run / base run
  Interval ci;         // at options.level
  double p_two_sided = 1;
  double p_cand_slower = 1;  // one-sided: H1 "the candidate's runs are slower" (the gate's)
  double log_effect = 0, se = 0, t = 0;
  double df = 0;  // infinity: normal (assumed sigma)
  bool paired = false;
  int base_runs = 0, cand_runs = 0;
  // The between-run SD of log run medians used (paired: the SD of the
  // per-round differences / sqrt(2), its single-run equivalent).
  double sigma_between = 0;
  SigmaSource sigma_source = SigmaSource::kAssumed;
  bool low_confidence() const { return sigma_source == SigmaSource::kAssumed; }
};

TwoLevelResult two_level_compare(const RunLevelSide& base, const RunLevelSide& cand,
                                 const TwoLevelOptions& options = {});

// True when the two sides can be paired by round: every run has a round,
// rounds are unique on each side, both sides hold the same rounds, >= 2.
bool pairable_by_round(const RunLevelSide& base, const RunLevelSide& cand);

// The pooled within-group variance of log run medians over groups of
// repeated runs of one build (each group: the run medians of one sweep's
// repeats of one case): sigma and its degrees of freedom (sum of n_g - 1).
BetweenRunPrior pooled_between_run(const std::vector<std::vector<double>>& groups);

}  // namespace opscope::harness
