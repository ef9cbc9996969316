// Order-statistics intervals against published tables and brute force, and
// the bootstrap ratio interval against its coverage of a known ratio.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "harness/confidence.h"
#include "harness/statistics.h"

namespace opscope::harness {
namespace {

// P(B <= k) by the product formula in long double, term by term.
double naive_binomial_cdf(int k, int n, double p) {
  long double sum = 0;
  for (int i = 0; i <= k; ++i) {
    long double c = 1;
    for (int j = 1; j <= i; ++j) c = c * (n - i + j) / j;
    sum += c * std::pow(static_cast<long double>(p), i) *
           std::pow(static_cast<long double>(1 - p), n - i);
  }
  return static_cast<double>(sum);
}

TEST(Confidence, BinomialCdfMatchesProductFormula) {
  for (int n : {1, 5, 20, 63, 150}) {
    for (double p : {0.05, 0.5, 0.9, 0.99}) {
      for (int k = 0; k <= n; k += std::max(1, n / 7)) {
        EXPECT_NEAR(binomial_cdf(k, n, p), naive_binomial_cdf(k, n, p), 1e-12)
            << "n=" << n << " p=" << p << " k=" << k;
      }
    }
  }
}

// The classic table of distribution-free 95% intervals for a median (e.g.
// Conover, Practical Nonparametric Statistics; Hollander & Wolfe): n = 6:
// (X(1), X(6)) 96.9%; n = 10: (X(2), X(9)) 97.9%; n = 20: (X(6), X(15))
// 95.9%; n = 5 has none.
TEST(Confidence, MedianRanksMatchPublishedTable) {
  struct Row { int n, l, u; double coverage; };
  for (const Row& row : {Row{6, 1, 6, 0.96875}, Row{10, 2, 9, 0.978515625},
                         Row{20, 6, 15, 1 - 2 * 21700.0 / 1048576.0}}) {
    const OrderStatisticRanks r = quantile_ci_ranks(row.n, 0.5, 0.95);
    EXPECT_TRUE(r.valid) << row.n;
    EXPECT_EQ(r.lower, row.l) << row.n;
    EXPECT_EQ(r.upper, row.u) << row.n;
    EXPECT_NEAR(r.coverage, row.coverage, 1e-12) << row.n;
  }
  EXPECT_FALSE(quantile_ci_ranks(5, 0.5, 0.95).valid);
}

// For any quantile: the ranks are the tightest the binomial allows, found by
// brute force over all (l, u) pairs with the naive cdf.
TEST(Confidence, QuantileRanksAreTheBinomialBoundsByBruteForce) {
  for (int n : {12, 30, 57, 100}) {
    for (double q : {0.25, 0.5, 0.9}) {
      const double tail = 0.025;
      int l = 0, u = n + 1;
      for (int cand = 1; cand <= n; ++cand) {
        if (naive_binomial_cdf(cand - 1, n, q) <= tail) l = cand;
      }
      for (int cand = n; cand >= 1; --cand) {
        if (1.0 - naive_binomial_cdf(cand - 1, n, q) <= tail) u = cand;
      }
      const OrderStatisticRanks r = quantile_ci_ranks(n, q, 0.95);
      SCOPED_TRACE(testing::Message() << "n=" << n << " q=" << q);
      EXPECT_EQ(r.valid, l >= 1 && u <= n);
      if (r.valid) {
        EXPECT_EQ(r.lower, l);
        EXPECT_EQ(r.upper, u);
        EXPECT_NEAR(r.coverage,
                    naive_binomial_cdf(u - 1, n, q) - naive_binomial_cdf(l - 1, n, q), 1e-9);
        EXPECT_GE(r.coverage, 0.95);
      }
    }
  }
}

// The coverage is what it claims: uniform samples, true quantile q.
TEST(Confidence, QuantileIntervalCoversTheTrueQuantile) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  for (double q : {0.5, 0.9}) {
    const int n = 80, trials = 4000;
    const double claimed = quantile_ci_ranks(n, q, 0.95).coverage;
    int covered = 0;
    std::vector<double> s(n);
    for (int t = 0; t < trials; ++t) {
      for (double& v : s) v = u01(rng);
      const Interval ci = quantile_ci(s, q);
      covered += ci.lo <= q && q <= ci.hi;
    }
    const double rate = static_cast<double>(covered) / trials;
    const double sigma = std::sqrt(claimed * (1 - claimed) / trials);
    EXPECT_NEAR(rate, claimed, 4 * sigma) << "q=" << q;
  }
}

TEST(Confidence, MedianIntervalOnSamplesIsTheRightOrderStatistics) {
  std::vector<double> s = {9, 3, 7, 1, 5, 2, 8, 6, 4, 10};  // X(2) = 2, X(9) = 9
  const Interval ci = median_ci(s);
  EXPECT_TRUE(ci.valid);
  EXPECT_EQ(ci.lo, 2);
  EXPECT_EQ(ci.hi, 9);
  const Interval small = median_ci({1, 2, 3});
  EXPECT_FALSE(small.valid);
  EXPECT_EQ(small.lo, 1);
  EXPECT_EQ(small.hi, 3);
}

// Log-normal latencies with a known median ratio of 1.10: the 95% bootstrap
// interval contains it in about 95% of 300 trials.
TEST(Confidence, BootstrapRatioIntervalCoversTheTrueRatio) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> noise(0.0, 0.15);
  const int trials = 300, n = 120;
  int covered = 0;
  BootstrapOptions o;
  o.resamples = 1000;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> base(n), cand(n);
    for (double& v : base) v = 5.0 * std::exp(noise(rng));
    for (double& v : cand) v = 5.5 * std::exp(noise(rng));
    o.seed = static_cast<uint64_t>(t) + 1;
    const Interval ci = median_ratio_ci(base, cand, o);
    ASSERT_TRUE(ci.valid);
    ASSERT_LE(ci.lo, median(cand) / median(base));
    ASSERT_GE(ci.hi, median(cand) / median(base));
    covered += ci.lo <= 1.1 && 1.1 <= ci.hi;
  }
  const double rate = static_cast<double>(covered) / trials;
  EXPECT_GT(rate, 0.90);
  EXPECT_LT(rate, 0.99);
}

TEST(Confidence, BootstrapIsReproducibleAndRejectsTooFewSamples) {
  const std::vector<double> a = {5.0, 5.1, 4.9, 5.3, 5.0, 5.2};
  const std::vector<double> b = {5.5, 5.6, 5.4, 5.9, 5.5, 5.7};
  const Interval x = median_ratio_ci(a, b), y = median_ratio_ci(a, b);
  EXPECT_EQ(x.lo, y.lo);
  EXPECT_EQ(x.hi, y.hi);
  EXPECT_FALSE(median_ratio_ci({5.0}, b).valid);
  EXPECT_FALSE(median_ratio_ci({0.0, 0.0, 0.0}, b).valid);
}

}  // namespace
}  // namespace opscope::harness
