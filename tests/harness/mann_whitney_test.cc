// Mann–Whitney U against published examples and against brute force: every
// split of the pooled sample enumerated, U counted pair by pair in double.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "harness/mann_whitney.h"

namespace opscope::harness {
namespace {

double naive_u(const std::vector<double>& x, const std::vector<double>& y) {
  double u = 0;
  for (double a : x)
    for (double b : y) u += a > b ? 1.0 : (a == b ? 0.5 : 0.0);
  return u;
}

struct Enumerated {
  double p_greater = 0, p_less = 0, p_two = 0, var_u = 0;
};

// Every way to pick |x| of the pooled values as "x" (bitmask enumeration),
// each equally likely under H0.
Enumerated enumerate(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> all = x;
  all.insert(all.end(), y.begin(), y.end());
  const int total = static_cast<int>(all.size()), m = static_cast<int>(x.size());
  const double u0 = naive_u(x, y), mean = 0.5 * m * (total - m);
  double count = 0, ge = 0, le = 0, far = 0, sum_sq = 0;
  for (uint32_t mask = 0; mask < (1u << total); ++mask) {
    if (__builtin_popcount(mask) != m) continue;
    std::vector<double> a, b;
    for (int i = 0; i < total; ++i) ((mask >> i) & 1 ? a : b).push_back(all[i]);
    const double u = naive_u(a, b);
    count += 1;
    ge += u >= u0 - 1e-9;
    le += u <= u0 + 1e-9;
    far += std::abs(u - mean) >= std::abs(u0 - mean) - 1e-9;
    sum_sq += (u - mean) * (u - mean);
  }
  return {ge / count, le / count, far / count, sum_sq / count};
}

// Hollander & Wolfe, Nonparametric Statistical Methods, the permeability
// example; R's ?wilcox.test prints "W = 35, p-value = 0.1272" (exact,
// alternative "greater").
TEST(MannWhitney, MatchesHollanderWolfeExample) {
  const std::vector<double> x = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
  const std::vector<double> y = {1.15, 0.88, 0.90, 0.74, 1.21};
  const MannWhitneyResult r = mann_whitney_u(x, y);
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u_x, 35.0);
  EXPECT_DOUBLE_EQ(r.u_y, 15.0);
  EXPECT_NEAR(r.p_x_greater, 0.1272, 5e-5);
  EXPECT_NEAR(r.p_two_sided, 2 * 0.1272061272, 1e-9);  // symmetric without ties
}

// SciPy's scipy.stats.mannwhitneyu documentation example (Conover's ages):
// U1 = 17, exact two-sided p = 0.1111111111111111, asymptotic (continuity
// correction) p = 0.11134688653314041.
TEST(MannWhitney, MatchesScipyDocumentationExample) {
  const std::vector<double> males = {19, 22, 16, 29, 24};
  const std::vector<double> females = {20, 11, 17, 12};
  const MannWhitneyResult exact = mann_whitney_u(males, females, MannWhitneyMethod::kExact);
  EXPECT_DOUBLE_EQ(exact.u_x, 17.0);
  EXPECT_NEAR(exact.p_two_sided, 0.1111111111111111, 1e-12);
  const MannWhitneyResult normal = mann_whitney_u(males, females, MannWhitneyMethod::kNormal);
  EXPECT_FALSE(normal.exact);
  EXPECT_NEAR(normal.p_two_sided, 0.11134688653314041, 1e-12);
}

TEST(MannWhitney, ExactEqualsBruteForceWithAndWithoutTies) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    const int m = 2 + trial % 7, n = 3 + (trial * 5) % 7;
    // Half the trials draw from 4 values only: many ties.
    std::uniform_int_distribution<int> coarse(0, 3);
    std::uniform_real_distribution<double> fine(0.0, 1.0);
    std::vector<double> x(m), y(n);
    for (double& v : x) v = trial % 2 ? coarse(rng) : fine(rng);
    for (double& v : y) v = trial % 2 ? coarse(rng) + 0.5 * (trial % 4 == 1) : fine(rng) + 0.2;
    const MannWhitneyResult r = mann_whitney_u(x, y, MannWhitneyMethod::kExact);
    const Enumerated e = enumerate(x, y);
    SCOPED_TRACE(testing::Message() << "trial " << trial << " m=" << m << " n=" << n);
    ASSERT_TRUE(r.exact);
    EXPECT_DOUBLE_EQ(r.u_x, naive_u(x, y));
    EXPECT_NEAR(r.p_x_greater, e.p_greater, 1e-12);
    EXPECT_NEAR(r.p_x_less, e.p_less, 1e-12);
    EXPECT_NEAR(r.p_two_sided, std::min(1.0, e.p_two), 1e-12);
  }
}

// The tie-corrected variance of the normal approximation is the exact
// variance of U over all permutations given the ties.
TEST(MannWhitney, TieCorrectedVarianceEqualsPermutationVariance) {
  const std::vector<double> x = {1, 2, 2, 3, 3, 3, 5};
  const std::vector<double> y = {2, 3, 4, 4, 5, 5, 6};
  const MannWhitneyResult r = mann_whitney_u(x, y, MannWhitneyMethod::kNormal);
  ASSERT_TRUE(r.ties);
  const double mean = 0.5 * 7 * 7;
  const double corrected_dev = std::abs(r.u_x - mean) - 0.5;
  ASSERT_GT(corrected_dev, 0);
  const double implied_var = std::pow(corrected_dev / r.z, 2);
  EXPECT_NEAR(implied_var, enumerate(x, y).var_u, 1e-9);
  // Without the correction it would be m n (N + 1) / 12 = 61.25.
  EXPECT_LT(implied_var, 61.25 - 1.0);
}

TEST(MannWhitney, NormalApproximationApproachesExactForLargerSamples) {
  std::mt19937 rng(3);
  std::normal_distribution<double> a(0.0, 1.0), b(0.5, 1.0);
  std::vector<double> x(40), y(45);
  for (double& v : x) v = a(rng);
  for (double& v : y) v = b(rng);
  const MannWhitneyResult exact = mann_whitney_u(x, y, MannWhitneyMethod::kExact);
  const MannWhitneyResult normal = mann_whitney_u(x, y, MannWhitneyMethod::kNormal);
  ASSERT_TRUE(exact.exact);
  EXPECT_NEAR(normal.p_two_sided, exact.p_two_sided, 0.1 * exact.p_two_sided + 1e-4);
  EXPECT_LT(exact.p_x_less, 0.05);  // y is shifted up by half a sd
}

TEST(MannWhitney, DegenerateInputs) {
  EXPECT_FALSE(mann_whitney_u({}, {1.0}).valid);
  const MannWhitneyResult tied = mann_whitney_u({2, 2, 2}, {2, 2});
  EXPECT_TRUE(tied.valid);
  EXPECT_DOUBLE_EQ(tied.p_two_sided, 1.0);
  EXPECT_DOUBLE_EQ(tied.u_x, 3.0);
}

}  // namespace
}  // namespace opscope::harness
