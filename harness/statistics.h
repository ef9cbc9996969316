// Descriptive statistics of latency samples.
#pragma once

#include <cstdint>
#include <vector>

#include "result/result_document.h"

namespace opscope::harness {

// Percentile p in [0, 100] of sorted values, linear interpolation between
// order statistics (the "R-7" definition numpy uses by default).
double percentile_sorted(const std::vector<double>& sorted, double p);
double median(std::vector<double> values);

// Fills count, min, max, mean, median, stddev (sample, n-1), p90/p95/p99 and
// keeps the samples in measurement order.
LatencyStats summarize_latency(const std::vector<double>& samples_ms);

// Box-plot figures of samples: quartiles (R-7, as everywhere in opscope) and
// Tukey whiskers (the furthest samples within 1.5 IQR of the box).
struct BoxFigures {
  double lower_whisker = 0, q1 = 0, median = 0, q3 = 0, upper_whisker = 0;
};
BoxFigures box_figures(std::vector<double> samples);

}  // namespace opscope::harness
