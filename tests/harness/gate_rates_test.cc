// The gate's false-alarm and detection rates on real recorded latencies:
// tests/data/gate_samples.json holds, per model, several runner processes of
// a baseline and as many slowed by --inject-delay-us = 10% of the median
// (recorded by opscope-bench-gate-power --record; see
// tests/data/gate_samples.md). Trials resample those runs.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/gate.h"
#include "harness/gate_trials.h"
#include "harness/statistics.h"

namespace opscope::harness {
namespace {

nlohmann::json load_fixture() {
  const char* src = std::getenv("OPSCOPE_SOURCE_DIR");
  const std::string path = std::string(src ? src : ".") + "/tests/data/gate_samples.json";
  std::ifstream f(path);
  if (!f) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  return nlohmann::json::parse(f);
}

using Runs = std::vector<std::vector<double>>;

class GateRates : public testing::Test {
 protected:
  static void SetUpTestSuite() { fixture_ = new nlohmann::json(load_fixture()); }
  static void TearDownTestSuite() { delete fixture_; }
  static const nlohmann::json& models() { return (*fixture_)["models"]; }
  static nlohmann::json* fixture_;
};
nlohmann::json* GateRates::fixture_ = nullptr;

TEST_F(GateRates, FixtureHoldsRealRunsOfModelsOfAtLeastTwoMs) {
  ASSERT_GE(models().size(), 2u);
  for (const auto& m : models()) {
    const Runs base = m["baseline_runs"].get<Runs>(), slow = m["delayed_runs"].get<Runs>();
    SCOPED_TRACE(m["model"].get<std::string>());
    EXPECT_GE(base.size(), 3u);
    EXPECT_GE(slow.size(), 3u);
    EXPECT_GE(m["pilot_median_ms"].get<double>(), 2.0);
    // The delay is 10% of the pilot median, and shows in the samples.
    EXPECT_NEAR(m["inject_delay_us"].get<double>() / 1000.0,
                0.1 * m["pilot_median_ms"].get<double>(), 0.002);
    std::vector<double> all_base, all_slow;
    for (const auto& r : base) all_base.insert(all_base.end(), r.begin(), r.end());
    for (const auto& r : slow) all_slow.insert(all_slow.end(), r.begin(), r.end());
    EXPECT_NEAR(median(all_slow) / median(all_base), 1.10, 0.04);
  }
}

// A/A: baseline and candidate are two different recorded runs of the same
// model (two runner processes), 100 samples each drawn with replacement.
TEST_F(GateRates, FalseAlarmRateOfResampledAAIsAtMostOnePercent) {
  GateTrialRates total;
  for (const auto& m : models()) {
    GateTrialSpec spec;
    spec.base_runs = m["baseline_runs"].get<Runs>();
    spec.trials = 100;
    spec.seed = 17;
    const GateTrialRates r = run_gate_trials(spec, GateOptions{});
    std::printf("A/A %s: %d of %d trials failed\n", m["model"].get<std::string>().c_str(), r.fail,
                r.trials);
    EXPECT_LE(r.fail_rate(), 0.01) << m["model"];
    EXPECT_EQ(r.undecided, 0);
    total.trials += r.trials;
    total.fail += r.fail;
  }
  EXPECT_GE(total.trials, 200);
}

// A/A with both sides drawn from the pooled baseline runs: what sampling
// noise alone does.
TEST_F(GateRates, FalseAlarmRateOfPooledAAIsAtMostOnePercent) {
  for (const auto& m : models()) {
    std::vector<double> pooled;
    for (const auto& r : m["baseline_runs"].get<Runs>()) pooled.insert(pooled.end(), r.begin(), r.end());
    GateTrialSpec spec;
    spec.base_runs = {pooled};
    spec.trials = 100;
    spec.seed = 29;
    EXPECT_LE(run_gate_trials(spec, GateOptions{}).fail_rate(), 0.01) << m["model"];
  }
}

// Every pair of distinct real baseline runs passes the gate as recorded.
TEST_F(GateRates, RealBaselineRunPairsPass) {
  for (const auto& m : models()) {
    const Runs base = m["baseline_runs"].get<Runs>();
    for (size_t i = 0; i < base.size(); ++i) {
      for (size_t j = i + 1; j < base.size(); ++j) {
        ResultDocument a, b;
        a.latency_ms.samples = base[i];
        b.latency_ms.samples = base[j];
        const GateResult g = evaluate_gate(compare_documents({a}, {b}), GateOptions{});
        EXPECT_NE(to_string(g.overall), "FAIL")
            << m["model"] << " runs " << i << " and " << j << ": " << g.cases[0].reason;
      }
    }
  }
}

// A candidate slowed by 10%: baseline run vs slowed run, resampled.
TEST_F(GateRates, DetectsATenPercentSlowdownInAtLeast95PercentOfTrials) {
  for (const auto& m : models()) {
    GateTrialSpec spec;
    spec.base_runs = m["baseline_runs"].get<Runs>();
    spec.cand_runs = m["delayed_runs"].get<Runs>();
    spec.trials = 100;
    spec.seed = 23;
    const GateTrialRates r = run_gate_trials(spec, GateOptions{});
    std::printf("10%% slower %s: %d of %d trials failed the gate\n",
                m["model"].get<std::string>().c_str(), r.fail, r.trials);
    EXPECT_GE(r.fail_rate(), 0.95) << m["model"];
  }
}

}  // namespace
}  // namespace opscope::harness
