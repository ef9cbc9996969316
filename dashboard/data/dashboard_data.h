// Plain data the dashboard's loader hands to its models and views: no Qt, no
// store connection. Every struct is a value, copied across the loader thread
// boundary once per request.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adapters/store/store.h"
#include "harness/compare.h"
#include "harness/gate.h"

namespace opscope::dashboard {

// The Runs view's rows, newest first (as store::Store::list_runs returns them).
using RunList = std::vector<store::RunRow>;

// Numerical error of one op of an int8 run against its float twin, from a
// stored `opscope quant-diff` (when one exists for the pair).
struct QuantOpError {
  double snr_db = 0, cosine = 0, rmse_over_scale = 0, max_abs_error = 0;
};

// One row of the Operators view's two-run diff: the harness's OpDiff (matched
// by source index) plus the quant-diff error when one was stored.
struct OpDiffRow {
  harness::OpDiff diff;
  std::optional<QuantOpError> quant;
};

// What the Operators view shows: one run's ops, or two runs' diff.
struct OperatorsData {
  std::vector<store::StoredRun> runs;  // 1 (table) or 2 (base, candidate: diff)
  std::vector<OpDiffRow> diff;         // two runs: by |delta| descending
  bool has_quant_diff = false;         // diff rows carry quant columns
  double quant_output_snr_db = 0;      // when has_quant_diff
  std::string quant_task_metric;       // e.g. "mask_iou"
  double quant_task_metric_value = 0;
  std::string message;  // why there is nothing to show (a failed run), or ""
};

// One candidate case against the baseline, with the gate's verdict on it.
struct CompareCase {
  harness::CaseComparison comparison;
  harness::CaseVerdict verdict;
};

// What the Compare view shows. sides[0] is the baseline; sides[i] for i > 0
// is the candidate of cases[i - 1].
struct CompareData {
  std::vector<harness::CaseSide> sides;
  std::vector<CompareCase> cases;
  harness::Verdict overall = harness::Verdict::kUndecided;
  harness::GateOptions gate;
  std::string message;  // why there is nothing to compare, or ""
};

// A configuration followed over time: every field must match; threads 0 and
// empty strings do not filter.
struct TrendQuery {
  std::string model, variant, backends, device;
  int threads = 0;
  std::string x_tag;  // "" : one point per run by date; else one per value of this tag
  std::string label() const;
  bool operator==(const TrendQuery&) const = default;
};

struct TrendPoint {
  std::string label;       // the date of the run, or the tag value
  std::string created_at;  // of the point's first run
  std::vector<int64_t> run_ids;
  bool ok = false;  // has samples (not only failed runs)
  double median_ms = 0;
  harness::Interval median_ci;
  // The gate's verdict against the previous point (kPass for the first).
  harness::Verdict verdict = harness::Verdict::kPass;
  std::string reason;
};

struct TrendData {
  TrendQuery query;
  std::vector<TrendPoint> points;  // oldest first
  size_t dropped_runs = 0;         // older runs beyond the point limit
  std::string message;
};

// Time per op type, split by backend, for the Operators view's stacked bars.
struct TypeBreakdown {
  std::vector<std::string> types;     // by total time, descending ("other" last)
  std::vector<std::string> backends;  // sorted
  // ms[backend index][type index]: summed mean per-invoke time (the
  // summary layer's statistic, reports/run_summary.h).
  std::vector<std::vector<double>> ms;
};

// Time per op type for several runs: ms[type index][run index].
struct RunsByType {
  std::vector<std::string> types;  // by total time, descending ("other" last)
  std::vector<std::vector<double>> ms;
};

}  // namespace opscope::dashboard
