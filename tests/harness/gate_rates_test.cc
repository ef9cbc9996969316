// The gate's false-alarm and detection rates on real recorded latencies:
// tests/data/gate_samples.json holds, per model, several runner processes of
// a baseline and as many slowed by --inject-delay-us = 10% of the median
// (recorded by opscope-bench-gate-power --record; see
// tests/data/gate_samples.md). Trials resample those runs. The A/A rate
// between two *different* runs depends on the machine's run-to-run noise,
// not on the gate; opscope-bench-gate-power prints it (docs/statistics.md).
#include <gtest/gtest.h>

#include <cstdio>
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

// A/A: baseline and candidate both drawn (100 samples each, with
// replacement) from the pooled recorded baseline runs of one model: the
// distribution is the real one, tails and modes included, and the two sides
// differ only by sampling noise.
TEST_F(GateRates, FalseAlarmRateOfResampledAAIsAtMostOnePercent) {
  GateTrialRates total;
  for (const auto& m : models()) {
    std::vector<double> pooled;
    for (const auto& r : m["baseline_runs"].get<Runs>()) pooled.insert(pooled.end(), r.begin(), r.end());
    GateTrialSpec spec;
    spec.base_runs = {pooled};
    spec.trials = 100;
    spec.seed = 17;
    const GateTrialRates r = run_gate_trials(spec, GateOptions{});
    std::printf("A/A %s: %d of %d trials failed\n", m["model"].get<std::string>().c_str(),
                r.fail, r.trials);
    EXPECT_LE(r.fail_rate(), 0.01) << m["model"];
    EXPECT_EQ(r.undecided, 0);
    total.trials += r.trials;
  }
  EXPECT_GE(total.trials, 200);
}

// A candidate slowed by 10%: a recorded baseline run against a recorded
// slowed run (different processes, so run-to-run noise is in), 100 samples
// each drawn with replacement.
TEST_F(GateRates, DetectsATenPercentSlowdownInAtLeast95PercentOfTrials) {
  for (const auto& m : models()) {
    GateTrialSpec spec;
    spec.base_runs = m["baseline_runs"].get<Runs>();
    spec.cand_runs = m["delayed_runs"].get<Runs>();
    spec.trials = 100;
    spec.seed = 23;
    const GateTrialRates r = run_gate_trials(spec, GateOptions{});
    std::printf("10%% slower %s: %d of %d trials failed\n",
                m["model"].get<std::string>().c_str(), r.fail, r.trials);
    EXPECT_GE(r.fail_rate(), 0.95) << m["model"];
  }
}

}  // namespace
}  // namespace opscope::harness
