// The terminal report of one run: stages, latency, memory and the per-op
// tables (run order, top N by time, summary by op type), in the spirit of
// TFLite's benchmark_model but with the memory columns filled.
#pragma once

#include <cstdio>

#include "result/result_document.h"

namespace opscope::cli {

struct RunReportOptions {
  int top_n = 10;
  bool run_order = true;  // print the full run-order table
};

void print_run_report(const ResultDocument& doc, const RunReportOptions& opts,
                      std::FILE* out);

// One line per warning of the document (device state: heat, governor,
// throttling, battery), each after `prefix`. print_run_report ends with them.
void print_run_warnings(const ResultDocument& doc, std::FILE* out, const char* prefix);

}  // namespace opscope::cli
