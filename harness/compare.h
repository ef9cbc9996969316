// Compare two sets of runs: `opscope compare`, `opscope gate` and the HTML
// report's comparison all read this one plain struct.
//
// Runs are grouped into cases by (model name, variant, backends, threads).
// The run is the unit of evidence (harness/two_level.h): a case on both
// sides gets the latency ratio cand/base of typical run medians with its 95%
// two-level interval and the run-level test (paired by sweep round when a
// sweep interleaved the two sides), and beside them each side's pooled
// median with its order-statistics interval, the invoke-level Mann–Whitney
// U test (within-run evidence only, for reference), memory deltas, stages
// side by side and the per-op diff matched by source index. Cases on one side only are listed as missing. When each side
// holds exactly one case and their keys differ (a float model against its
// int8 twin), the two are compared anyway (`paired_by_key` false).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/store/store.h"
#include "harness/confidence.h"
#include "harness/mann_whitney.h"
#include "harness/two_level.h"
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
  // Per successful run, in order: its median and its sweep round (-1 when
  // the run did not come from a sweep that recorded one).
  std::vector<double> run_medians_ms;
  std::vector<int> run_rounds;
  std::vector<std::string> run_sweeps;
  int failed_runs = 0;             // runs with status "error" (no samples)
  // Successful runs made under emulation (qemu: device.emulated) and on
  // real hardware: the gate never judges one against the other.
  int emulated_runs = 0, hardware_runs = 0;
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
//
// When the sides ran on different runtimes (our engine and PyTorch), nodes
// do not match one to one: the rows are then operator categories
// (op_category.h: conv, depthwise, linear, pooling, activation, other),
// each the sum of its ops, with name = the category and source_index -1
// (CaseComparison::ops_by_category).
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
  // The run-level comparison (two_level.h): ratio, ratio_ci and p_value
  // are copied from it.
  TwoLevelResult run_level;
  double ratio = 0;         // typical cand run median / typical base run median
  Interval ratio_ci;        // 95%, two-level (runs, then invokes)
  double p_value = 1;       // run-level test, two-sided
  double delta_ms = 0;      // base typical run median * (ratio - 1)
  // Invoke-level test treating every sample as independent: within-run
  // evidence only, kept for reference; the gate does not read it.
  MannWhitneyResult mann_whitney;  // x = cand, y = base
  // memory, stages and ops are empty when either side has no successful run.
  std::vector<MemoryDelta> memory;
  std::vector<StageRow> stages;
  std::vector<OpDiff> ops;  // by |delta_us| descending
  bool ops_by_category = false;  // the sides' runtimes differ (OpDiff)
};

struct CompareOptions {
  BootstrapOptions bootstrap;  // kept for callers; the ratio interval is two-level
  double level = 0.95;         // level of the median, p90 and ratio intervals
  bool pair_single_cases = true;
  TwoLevelOptions two_level;   // pairing, assumed between-run variation
  // Between-run variation measured before on this device, per case
  // (between_run_history); looked up by the baseline's key.
  std::map<CaseKey, BetweenRunPrior> history;
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

// The between-run variation stored runs show, per case: runs of one case in
// one sweep are repeats of one build (`sweep --repeat N`), so the spread of
// their log medians is between-run noise; pooled over sweeps. Runs whose ids
// are in `exclude` (the runs being compared) are left out, and so are runs
// from devices not in `devices` (the baseline's: another device's noise says
// nothing of this one's; empty: any device).
std::map<CaseKey, BetweenRunPrior> between_run_history(
    const std::vector<store::StoredRun>& runs, const std::vector<int64_t>& exclude = {},
    const std::vector<std::string>& devices = {});

// The sweep round a stored run carries (config.sweep_round, written by
// `opscope sweep`), or -1.
int sweep_round_of(const store::StoredRun& run);

// JSON for `opscope compare --json` and the reports: every field above;
// samples are left out unless `with_samples`.
nlohmann::json to_json(const Comparison& comparison, bool with_samples = false);

}  // namespace opscope::harness
