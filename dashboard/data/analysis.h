// Pure functions from stored runs to what the views show. The statistics
// (medians with intervals, ratios, Mann–Whitney, verdicts) come from the
// harness's compare_runs and evaluate_gate, exactly as `opscope compare` and
// `opscope gate` compute them; nothing here re-derives a statistic.
//
// Called on the loader thread; no Qt, no store connection.
#pragma once

#include <string>
#include <vector>

#include "dashboard/data/dashboard_data.h"

namespace opscope::dashboard {

// One run: its ops; two runs: their per-op diff by source index (the first is
// the baseline). A failed run gives a message naming its error.
OperatorsData build_operators(std::vector<store::StoredRun> runs);

// Runs in selection order. When the runs hold several configurations
// (harness::CaseKey), each configuration pools its runs and the first one is
// the baseline; when they all share one configuration (the same case at two
// commits), each run is a side of its own and the first run is the baseline.
// Every candidate is compared with the baseline and judged by the gate.
CompareData build_compare(const std::vector<store::StoredRun>& runs,
                          const harness::GateOptions& gate = {});

// `runs` oldest first, all of one configuration. One point per run (or per
// value of query.x_tag, pooling that value's runs, runs without the tag left
// out); each point is judged by the gate against the previous one.
TrendData build_trend(const TrendQuery& query, const std::vector<store::StoredRun>& runs);

// The configurations present in `runs`, most runs first: what the Trends view
// offers. x_tag is left empty. `counts`, when given, gets each one's run count.
std::vector<TrendQuery> trend_configurations(const RunList& runs,
                                             std::vector<size_t>* counts = nullptr);
// Tag keys present in `runs`, sorted.
std::vector<std::string> tag_keys(const RunList& runs);
// Does `row` belong to the configuration `q`?
bool matches(const TrendQuery& q, const store::RunRow& row);

// Per-invoke time by op type and backend (top `max_types` types, the rest
// summed as "other").
TypeBreakdown breakdown_by_type(const ResultDocument& doc, size_t max_types = 10);
// Per-invoke time by op type for several runs, types shared across the runs.
RunsByType runs_by_type(const std::vector<const ResultDocument*>& docs,
                        size_t max_types = 8);

}  // namespace opscope::dashboard
