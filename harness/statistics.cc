#include "harness/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace opscope::harness {

double percentile_sorted(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  if (sorted.size() == 1) return sorted[0];
  const double rank = std::clamp(p, 0.0, 100.0) / 100.0 *
                      static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = rank - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return percentile_sorted(values, 50.0);
}

LatencyStats summarize_latency(const std::vector<double>& samples) {
  LatencyStats s;
  s.samples = samples;
  s.count = static_cast<int64_t>(samples.size());
  if (samples.empty()) return s;
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  s.min = sorted.front();
  s.max = sorted.back();
  s.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) /
           static_cast<double>(sorted.size());
  double ss = 0.0;
  for (double v : sorted) ss += (v - s.mean) * (v - s.mean);
  s.stddev = sorted.size() > 1
                 ? std::sqrt(ss / static_cast<double>(sorted.size() - 1))
                 : 0.0;
  s.median = percentile_sorted(sorted, 50);
  s.p90 = percentile_sorted(sorted, 90);
  s.p95 = percentile_sorted(sorted, 95);
  s.p99 = percentile_sorted(sorted, 99);
  return s;
}

BoxFigures box_figures(std::vector<double> samples) {
  BoxFigures b;
  if (samples.empty()) return b;
  std::sort(samples.begin(), samples.end());
  b.q1 = percentile_sorted(samples, 25);
  b.median = percentile_sorted(samples, 50);
  b.q3 = percentile_sorted(samples, 75);
  const double iqr = b.q3 - b.q1;
  b.lower_whisker = b.q1;
  b.upper_whisker = b.q3;
  for (double v : samples) {
    if (v >= b.q1 - 1.5 * iqr) b.lower_whisker = std::min(b.lower_whisker, v);
    if (v <= b.q3 + 1.5 * iqr) b.upper_whisker = std::max(b.upper_whisker, v);
  }
  return b;
}

}  // namespace opscope::harness
