// Google Benchmark's JSON output format (as its JSONReporter writes it), so
// that tools made for it read our runs: Google Benchmark's
// tools/compare.py and github-action-benchmark's `googlecpp` input.
//
// Each run is one benchmark family named like case_name() (model/backends/
// threads:N). Every warm invoke is an "iteration" row (iterations 1,
// repetition_index k, repetitions = the sample count), followed by the
// "aggregate" rows mean, median, stddev and cv, as Google Benchmark emits
// them with --benchmark_repetitions. Times are in ms; cpu_time repeats
// real_time (the runner does not measure CPU time per invoke). A failed run
// is one row with error_occurred and error_message.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/store/store.h"

namespace opscope::reports {

struct GbenchOptions {
  // Only the aggregate rows (as --benchmark_report_aggregates_only): one
  // row per name, what github-action-benchmark charts best.
  bool aggregates_only = false;
  std::string executable = "opscope-runner";
};

// Keys in Google Benchmark's order.
nlohmann::ordered_json render_gbench_json(const std::vector<store::StoredRun>& runs,
                                  const GbenchOptions& options = {});

}  // namespace opscope::reports
