// The summary layer: what every human-readable output (the console, each
// report writer, the dashboard) says about one run, computed once here:
// one-line descriptions, the top operators, the op-type and backend
// breakdowns.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "result/result_document.h"

namespace opscope::reports {

// "selfie_segmentation.tflite (tflite, f16 weights, 136 nodes, 106.4k params, 59.78M MACs)"
std::string model_line(const ResultDocument& d);
// "xnnpack,cpu · 1 thread · cpus 0,1 · seed 1 · 152 runs"
std::string config_line(const ResultDocument& d);
// "Intel Xeon … · x86_64 · 2 cores · host vm"
std::string device_line(const ResultDocument& d);
// "2 partitions: xnnpack ×130 | cpu ×6"
std::string placement_line(const ResultDocument& d);
// The device's state around the case (docs/result-document.md
// "device_state"): "hottest zone 41.0 °C → 47.5 °C (x86_pkg_temp) ·
// governor performance · 2.90 GHz of 3.00 GHz after · battery 80%"; what
// was not read is left out; "" when nothing was.
std::string device_state_line(const ResultDocument& d);

// The one statistic every summary of a run's operators uses, in the console,
// every report and the dashboard: an op's mean time per invoke
// (OpStats::mean_us). Means add up: the per-type and per-backend totals sum to
// the per-op total, which is the mean invoke less dispatch; medians do not add.
// The ops inside control-flow bodies (OpStats::depth > 0) are part of their
// node's time: the sums, types and top lists below count the main graph's
// ops only; ops_in_run_order shows them under their node.

// Every op, each followed by the ops of its bodies (recursively), the
// main graph's ops in run order: the run-order table's rows.
std::vector<const OpStats*> ops_in_run_order(const ResultDocument& d);

// The n main-graph ops with the largest mean time, largest first (ties keep run order);
// n < 0: all of them.
std::vector<const OpStats*> top_ops(const ResultDocument& d, int n);

struct TypeShare {
  std::string type;
  int nodes = 0;
  double total_us = 0;   // sum of the nodes' mean times
  double pct = 0;        // of all ops' mean times
  double cdf_pct = 0;    // pct summed over this type and the larger ones
  int64_t macs = 0, weights_bytes = 0;
  // total_us split by the backend that ran the nodes.
  std::map<std::string, double> backend_us;
};
// Per op type, largest total first (ties by name).
std::vector<TypeShare> op_type_breakdown(const ResultDocument& d);

// Per op type over several runs (e.g. a base and a candidate): us[r] is the
// type's total in docs[r]; types ordered by their total over all runs.
struct TypeAcrossRuns {
  std::string type;
  std::vector<double> us;
};
std::vector<TypeAcrossRuns> op_type_breakdown(const std::vector<const ResultDocument*>& docs);

// Per backend: the sum of its nodes' mean times (us), by backend name.
std::map<std::string, double> backend_breakdown(const ResultDocument& d);

// Sum of the main graph's per-op mean times (us).
double ops_total_us(const ResultDocument& d);

}  // namespace opscope::reports
