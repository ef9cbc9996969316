// Confidence intervals for latency samples that hold whatever the shape of
// the distribution: order statistics for a median or a percentile, a seeded
// bootstrap for the ratio of two medians. docs/statistics.md gives the
// methods in words and says why these and not others.
#pragma once

#include <cstdint>
#include <vector>

namespace opscope::harness {

struct Interval {
  double lo = 0, hi = 0;
  // The coverage the method guarantees (order statistics: the exact binomial
  // coverage, at least the level asked for) or aims at (bootstrap: the level).
  double coverage = 0;
  // False when there are too few samples for the level asked for (e.g. a 95%
  // interval for a median needs n >= 6); lo and hi are then the sample range.
  bool valid = false;
};

// P(B <= k) for B ~ Binomial(n, p), summed in log space (n up to millions).
double binomial_cdf(int64_t k, int64_t n, double p);

// Ranks (1-based, into the sorted sample) of the order statistics X(l), X(u)
// that bound the q-quantile (q in (0, 1)) with coverage >= level:
//   l is the largest rank with P(B <= l-1) <= (1-level)/2,
//   u the smallest with P(B >= u) <= (1-level)/2, B ~ Binomial(n, q)
// (B counts the samples below the true quantile). The coverage of
// [X(l), X(u)] is P(l <= B <= u-1), exactly, for any continuous
// distribution. `valid` is false when no such l or u exists.
struct OrderStatisticRanks {
  int64_t lower = 0, upper = 0;
  double coverage = 0;
  bool valid = false;
};
OrderStatisticRanks quantile_ci_ranks(int64_t n, double q, double level);

// The distribution-free interval for the q-quantile (q in (0, 1)) of the
// population the samples come from.
Interval quantile_ci(std::vector<double> samples, double q, double level = 0.95);
inline Interval median_ci(std::vector<double> samples, double level = 0.95) {
  return quantile_ci(std::move(samples), 0.5, level);
}

struct BootstrapOptions {
  int resamples = 2000;
  uint64_t seed = 20240521;  // fixed: the same samples give the same interval
  double level = 0.95;
};

// Percentile-bootstrap interval for median(cand) / median(base): each
// resample draws both sets with replacement (independently, each its own
// size) and takes the ratio of their medians; the interval is the
// (1-level)/2 and (1+level)/2 quantiles of the resampled ratios. Invalid when
// either set has fewer than 2 samples or a median <= 0.
Interval median_ratio_ci(const std::vector<double>& base,
                         const std::vector<double>& cand,
                         const BootstrapOptions& options = {});

}  // namespace opscope::harness
