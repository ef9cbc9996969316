// The two-level statistics against a simulated two-level process with known
// between-run and within-run variance: the 95% interval of the ratio covers
// the true ratio in 93-97% of 1000 simulations (unpaired and paired by
// round, with a drift shared by a round), and the Student t helpers match
// printed tables.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "harness/run_power.h"
#include "harness/statistics.h"
#include "harness/student_t.h"
#include "harness/two_level.h"

namespace opscope::harness {
namespace {

TEST(StudentT, MatchesPrintedQuantiles) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706, 1e-3);
  EXPECT_NEAR(student_t_quantile(0.975, 5), 2.571, 1e-3);
  EXPECT_NEAR(student_t_quantile(0.995, 10), 3.169, 1e-3);
  EXPECT_NEAR(student_t_quantile(0.975, INFINITY), 1.960, 1e-3);
  EXPECT_NEAR(student_t_cdf(2.228, 10), 0.975, 1e-4);
  EXPECT_NEAR(student_t_cdf(-1.0, 3), 1 - student_t_cdf(1.0, 3), 1e-12);
}

// One run: its median over `invokes` log-normal samples around
// base * exp(run effect).
double run_median(double base, double between, double within, int invokes,
                  std::mt19937_64& rng) {
  std::normal_distribution<double> z(0.0, 1.0);
  const double run = base * std::exp(between * z(rng));
  std::vector<double> s(invokes);
  for (double& v : s) v = run * std::exp(within * z(rng));
  return median(s);
}

struct Coverage {
  int covered = 0, trials = 0, fails_aa = 0;
};

// `runs` runs per side; true ratio 1.07; between-run SD 3%, within-run 5%;
// `drift` adds a shared per-round shift (paired designs remove it).
Coverage simulate(int runs, bool rounds, double drift, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  const double ratio = 1.07;
  Coverage c;
  for (int t = 0; t < 1000; ++t) {
    RunLevelSide b, k;
    for (int r = 0; r < runs; ++r) {
      const double shared = std::exp(drift * z(rng));
      b.medians_ms.push_back(run_median(4.0 * shared, 0.03, 0.05, 100, rng));
      k.medians_ms.push_back(run_median(4.0 * ratio * shared, 0.03, 0.05, 100, rng));
      if (rounds) {
        b.rounds.push_back(r);
        k.rounds.push_back(r);
      }
    }
    const TwoLevelResult res = two_level_compare(b, k);
    EXPECT_EQ(res.paired, rounds);
    ++c.trials;
    c.covered += res.ci.lo <= ratio && ratio <= res.ci.hi;
  }
  return c;
}

TEST(TwoLevel, IntervalCoversTheTrueRatio95PercentUnpaired) {
  for (int runs : {3, 5, 8}) {
    const Coverage c = simulate(runs, false, 0.0, 100 + runs);
    std::printf("unpaired, %d runs per side: coverage %d / %d\n", runs, c.covered, c.trials);
    EXPECT_GE(c.covered, 930) << runs;
    EXPECT_LE(c.covered, 970) << runs;
  }
}

TEST(TwoLevel, IntervalCoversTheTrueRatio95PercentPairedWithDrift) {
  for (int runs : {3, 5, 8}) {
    const Coverage c = simulate(runs, true, 0.05, 200 + runs);
    std::printf("paired, %d rounds, 5%% drift: coverage %d / %d\n", runs, c.covered, c.trials);
    EXPECT_GE(c.covered, 930) << runs;
    EXPECT_LE(c.covered, 970) << runs;
  }
}

TEST(TwoLevel, SingleRunsUseHistoryOrAreLowConfidence) {
  RunLevelSide b{{5.0}, {}}, k{{5.2}, {}};
  const TwoLevelResult assumed = two_level_compare(b, k);
  EXPECT_TRUE(assumed.low_confidence());
  EXPECT_TRUE(std::isinf(assumed.df));
  TwoLevelOptions o;
  o.history = {0.02, 12};
  const TwoLevelResult h = two_level_compare(b, k, o);
  EXPECT_EQ(h.sigma_source, SigmaSource::kHistory);
  EXPECT_DOUBLE_EQ(h.df, 12);
  EXPECT_NEAR(h.se, 0.02 * std::sqrt(2.0), 1e-12);
  EXPECT_LT(h.ci.hi - h.ci.lo, assumed.ci.hi - assumed.ci.lo);
}

TEST(TwoLevel, PooledHistoryFromRepeatGroups) {
  const BetweenRunPrior p = pooled_between_run({{1.0, 1.0}, {2.0}, {3.0, 3.0 * std::exp(0.1)}});
  EXPECT_DOUBLE_EQ(p.df, 2);
  EXPECT_NEAR(p.sigma, std::sqrt(0.1 * 0.1 / 2 / 2), 1e-12);
}

// The reference figures of the issue: the run-level (one-sided) test at 1% false alarms,
// 3 runs per side, +10%: about 0.94 / 0.64 / 0.24 at 2% / 3% / 5% between-run
// variation, and 0.97 at 3% with 5 runs (here with the 5% threshold too).
TEST(RunPower, MatchesTheReferenceSimulation) {
  PowerModel m;
  m.max_regression = 0.0;
  m.sigma = 0.02;
  EXPECT_NEAR(gate_power(3, 1.10, m), 0.94, 0.05);
  m.sigma = 0.03;
  EXPECT_NEAR(gate_power(3, 1.10, m), 0.64, 0.06);
  EXPECT_NEAR(gate_power(5, 1.10, m), 0.97, 0.03);
  m.sigma = 0.05;
  EXPECT_NEAR(gate_power(3, 1.10, m), 0.24, 0.05);
  m.max_regression = 0.05;
  m.sigma = 0.03;
  EXPECT_LE(gate_power(8, 1.0, m), 0.01);  // A/A
  EXPECT_GE(runs_needed(1.10, 0.95, m), 4);
  EXPECT_LE(runs_needed(1.10, 0.95, m), 8);
}

}  // namespace
}  // namespace opscope::harness
