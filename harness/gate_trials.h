// Simulated gate decisions from recorded runs, with the run as the unit:
// how often the gate raises a false alarm (A/A) and how often it catches a
// known slowdown, for a number of runs per side. Shared by
// tests/harness/gate_rates_test.cc and bench/gate_power.cc.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/gate.h"

namespace opscope::harness {

struct GateTrialSpec {
  // Latency samples (ms) of separate runs (runner processes), index = the
  // round they ran in (a sweep's interleaving).
  std::vector<std::vector<double>> base_runs;
  // The candidate's runs, same rounds. Empty: an A/A trial, whose candidate
  // runs are other baseline runs (`aa_runs` when given: a second baseline
  // run of each round).
  std::vector<std::vector<double>> cand_runs;
  std::vector<std::vector<double>> aa_runs;
  int runs_per_side = 3;
  int trials = 100;
  uint64_t seed = 1;
};

struct GateTrialRates {
  int trials = 0, fail = 0, warn = 0, undecided = 0, pass = 0;
  double fail_rate() const { return trials ? static_cast<double>(fail) / trials : 0.0; }
};

// Each trial picks runs_per_side distinct rounds at random; the baseline is
// their base runs and the candidate their candidate runs (or, A/A, their
// aa_runs, or base runs of as many other rounds), stored as one sweep with
// rounds so that compare pairs them, and applies the gate.
GateTrialRates run_gate_trials(const GateTrialSpec& spec, const GateOptions& options);

}  // namespace opscope::harness
