// Descriptive statistics of latency samples.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/result_document.h"

namespace opscope::harness {

// Percentile p in [0, 100] of sorted values, linear interpolation between
// order statistics (the "R-7" definition numpy uses by default).
double percentile_sorted(const std::vector<double>& sorted, double p);
double median(std::vector<double> values);

// Fills count, min, max, mean, median, stddev (sample, n-1), p90/p95/p99 and
// keeps the samples in measurement order.
LatencyStats summarize_latency(const std::vector<double>& samples_ms);

}  // namespace opscope::harness
