// The gate's false-alarm and detection rates on real recorded latencies:
// tests/data/gate_samples.json holds, per model, several runner processes of
// a baseline and as many slowed by --inject-delay-us = 10% of the median
// (recorded by opscope-bench-gate-power --record; see
// tests/data/gate_samples.md). Trials take whole runs as the unit.
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

// A/A with the run as the unit: two recorded baseline runs per side (each
// trial draws 4 distinct runs; paired as rounds). At most 1% fail.
TEST_F(GateRates, FalseAlarmRateOfRunLevelAAIsAtMostOnePercent) {
  GateTrialRates total;
  for (const auto& m : models()) {
    GateTrialSpec spec;
    spec.base_runs = m["baseline_runs"].get<Runs>();
    spec.runs_per_side = 2;
    spec.trials = 100;
    spec.seed = 17;
    const GateTrialRates r = run_gate_trials(spec, GateOptions{});
    std::printf("A/A %s, 2 runs per side: %d fail, %d undecided, %d pass of %d\n",
                m["model"].get<std::string>().c_str(), r.fail, r.undecided, r.pass, r.trials);
    EXPECT_LE(r.fail_rate(), 0.01) << m["model"];
    total.trials += r.trials;
  }
  EXPECT_GE(total.trials, 200);
}

// A candidate slowed by 10%, every recorded round paired: the gate never
// sleeps through it (never PASS): it fails, or says it needs more runs.
TEST_F(GateRates, NeverPassesATenPercentSlowdown) {
  for (const auto& m : models()) {
    for (int k = 1; k <= 4; ++k) {
      GateTrialSpec spec;
      spec.base_runs = m["baseline_runs"].get<Runs>();
      spec.cand_runs = m["delayed_runs"].get<Runs>();
      spec.runs_per_side = k;
      spec.trials = 50;
      spec.seed = 23;
      const GateTrialRates r = run_gate_trials(spec, GateOptions{});
      std::printf("10%% slower %s, %d runs per side: %d fail, %d undecided, %d pass\n",
                  m["model"].get<std::string>().c_str(), k, r.fail, r.undecided, r.pass);
      EXPECT_EQ(r.pass + r.warn, 0) << m["model"] << " " << k;
    }
  }
}

}  // namespace
}  // namespace opscope::harness
