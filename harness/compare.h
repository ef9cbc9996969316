// Compare two sets of runs: `opscope compare`, `opscope gate` and the HTML
// report's comparison all read this one plain struct.
//
// Runs are grouped into cases by (model name, variant, backends, threads);
// several runs of one case on one side pool their latency samples. A case on
// both sides gets: medians with their 95% order-statistics intervals, the
// latency ratio cand/base with its 95% bootstrap interval, the Mann–Whitney U
// p-value, memory deltas, stages side by side and the per-op diff matched by
// source index. Cases on one side only are listed as missing. When each side
// holds exactly one case and their keys differ (a float model against its
// int8 twin), the two are compared anyway (`paired_by_key` false).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/store/store.h"
#include "harness/confidence.h"
#include "harness/mann_whitney.h"
#include "result/result_document.h"

namespace opscope::harness {

struct CaseKey {
  std::string model;     // model name (file name as the runner recorded it)
  std::string variant;   // the user's --variant label ("" when none)
  std::string backends;  // "xnnpack,cpu"
  int threads = 1;
  // "selfie_segmentation.tflite [int8] xnnpack,cpu t1"
  std::string label() const;
  bool operator<(const CaseKey& o) const;
  bool operator==(const CaseKey& o) const;
};

CaseKey case_key_of(const store::StoredRun& run);

// One side of one case: what its runs pooled.
struct CaseSide {
  CaseKey key;
  std::vector<int64_t> run_ids;
  std::vector<double> samples_ms;  // all runs' latency samples, run by run
  int failed_runs = 0;             // runs with status "error" (no samples)
  std::string error;               // the first failed run's "code: message"
  double median_ms = 0, p90_ms = 0;
  Interval median_ci;  // 95%, order statistics
  Interval p90_ci;     // 95%, order statistics
  MemoryStats memory;  // each field: the largest over the side's runs
  Stages stages;       // each stage: the mean over the side's runs
};

struct MemoryDelta {
  std::string field;  // "peak_rss_bytes", "arena_bytes", "weights_bytes", ...
  int64_t base = 0, cand = 0;
  int64_t delta() const { return cand - base; }
};

struct StageRow {
  std::string stage;  // "load", "partition", "plan", "prepare", "first_invoke"
  double base_ms = 0, cand_ms = 0;
};

// One op of the model, matched across the sides by source index (the node's
// index in the model file), so that transformed graphs and a float model and
// its int8 twin line up. Times are median microseconds per invoke, summed
// over the engine nodes that carry that source index, averaged over runs.
struct OpDiff {
  int source_index = 0;
  std::string name, base_type, cand_type, base_backend, cand_backend;
  bool in_base = false, in_cand = false;
  double base_us = 0, cand_us = 0;
  double delta_us() const { return cand_us - base_us; }
};

struct CaseComparison {
  CaseSide base, cand;
  bool paired_by_key = true;
  bool comparable = false;  // both sides have samples
  double ratio = 0;         // cand median / base median
  Interval ratio_ci;        // 95%, percentile bootstrap of the median ratio
  double delta_ms = 0;      // cand median - base median
  MannWhitneyResult mann_whitney;  // x = cand, y = base
  // memory, stages and ops are empty when either side has no successful run.
  std::vector<MemoryDelta> memory;
  std::vector<StageRow> stages;
  std::vector<OpDiff> ops;  // by |delta_us| descending
};

struct CompareOptions {
  BootstrapOptions bootstrap;  // resamples, seed, level of the ratio interval
  double level = 0.95;         // level of the median and p90 intervals
  bool pair_single_cases = true;
};

struct Comparison {
  std::vector<CaseComparison> cases;     // matched cases, in key order
  std::vector<CaseSide> only_in_base;    // missing from the candidate
  std::vector<CaseSide> only_in_cand;    // new in the candidate
};

Comparison compare_runs(const std::vector<store::StoredRun>& base,
                        const std::vector<store::StoredRun>& cand,
                        const CompareOptions& options = {});
// The same for bare result documents (no variant, run ids 1..N per side).
Comparison compare_documents(const std::vector<ResultDocument>& base,
                             const std::vector<ResultDocument>& cand,
                             const CompareOptions& options = {});

// JSON for `opscope compare --json` and the reports: every field above;
// samples are left out unless `with_samples`.
nlohmann::json to_json(const Comparison& comparison, bool with_samples = false);

}  // namespace opscope::harness
