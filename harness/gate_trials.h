// Simulated gate decisions from recorded sample sets: how often the gate
// raises a false alarm (A/A) and how often it catches a known slowdown.
// Shared by tests/harness/gate_rates_test.cc and bench/gate_power.cc.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/gate.h"

namespace opscope::harness {

struct GateTrialSpec {
  // Latency samples (ms) of separate runs (separate runner processes).
  std::vector<std::vector<double>> base_runs;
  // The candidate's runs. Empty: an A/A trial, whose candidate is a second,
  // different run of base_runs (when there is more than one).
  std::vector<std::vector<double>> cand_runs;
  int samples_per_side = 100;  // drawn with replacement from the chosen run
  int trials = 100;
  uint64_t seed = 1;
};

struct GateTrialRates {
  int trials = 0, fail = 0, warn = 0, undecided = 0, pass = 0;
  double fail_rate() const { return trials ? static_cast<double>(fail) / trials : 0.0; }
};

// Each trial picks a baseline run and a candidate run at random, resamples
// samples_per_side latencies from each, compares them as one case and
// applies the gate.
GateTrialRates run_gate_trials(const GateTrialSpec& spec, const GateOptions& options);

}  // namespace opscope::harness
