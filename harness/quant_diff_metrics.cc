#include "harness/quant_diff_metrics.h"

#include <algorithm>
#include <cmath>

namespace opscope::harness {
namespace {

double sigmoid(double x) {
  // MediaPipe clips the raw score to ±100 before its sigmoid; the clip also
  // keeps exp() finite.
  x = std::clamp(x, -100.0, 100.0);
  return 1.0 / (1.0 + std::exp(-x));
}

}  // namespace

void ErrorStats::add(const float* f, const float* q, size_t n) {
  // Local sums: the loop vectorizes and the members are touched once.
  double f2 = 0, q2 = 0, fq = 0, e2 = 0, m = max_abs;
  for (size_t i = 0; i < n; ++i) {
    const double a = f[i], b = q[i], e = a - b;
    f2 += a * a;
    q2 += b * b;
    fq += a * b;
    e2 += e * e;
    m = std::max(m, std::fabs(e));
  }
  sum_f2 += f2;
  sum_q2 += q2;
  sum_fq += fq;
  sum_err2 += e2;
  max_abs = m;
  count += static_cast<int64_t>(n);
}

double ErrorStats::snr_db() const {
  if (sum_err2 == 0) return kSnrCapDb;
  if (sum_f2 == 0) return -kSnrCapDb;
  return std::clamp(10.0 * std::log10(sum_f2 / sum_err2), -kSnrCapDb, kSnrCapDb);
}

double ErrorStats::cosine() const {
  if (sum_f2 == 0 && sum_q2 == 0) return 1.0;
  if (sum_f2 == 0 || sum_q2 == 0) return 0.0;
  return sum_fq / std::sqrt(sum_f2 * sum_q2);
}

double ErrorStats::rmse() const {
  return count == 0 ? 0.0 : std::sqrt(sum_err2 / static_cast<double>(count));
}

void MaskIou::add(const float* f, const float* q, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const bool a = f[i] > threshold, b = q[i] > threshold;
    intersection += a && b;
    union_ += a || b;
    float_pixels += a;
    int8_pixels += b;
  }
}

double MaskIou::iou() const {
  return union_ == 0 ? 1.0
                     : static_cast<double>(intersection) / static_cast<double>(union_);
}

void ScoreAgreement::add(const float* f, const float* q, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const double a = logits ? sigmoid(f[i]) : f[i];
    const double b = logits ? sigmoid(q[i]) : q[i];
    const bool da = a >= threshold, db = b >= threshold;
    both += da && db;
    either += da || db;
    float_detections += da;
    int8_detections += db;
    max_score_diff = std::max(max_score_diff, std::fabs(a - b));
  }
}

double ScoreAgreement::agreement() const {
  return either == 0 ? 1.0 : static_cast<double>(both) / static_cast<double>(either);
}

void LandmarkRmse::add(const float* f, const float* q, size_t n) {
  const size_t d = static_cast<size_t>(std::max(2, dims));
  for (size_t p = 0; p + d <= n; p += d) {
    const double dx = static_cast<double>(f[p]) - q[p];
    const double dy = static_cast<double>(f[p + 1]) - q[p + 1];
    sum_d2 += dx * dx + dy * dy;
    ++points;
  }
}

double LandmarkRmse::rmse() const {
  return points == 0 ? 0.0 : std::sqrt(sum_d2 / static_cast<double>(points));
}

size_t arg_max(const float* v, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i) {
    if (v[i] > v[best]) best = i;
  }
  return best;
}

void Top1Agreement::add(const float* f, const float* q, size_t n) {
  if (n == 0) return;
  agree += arg_max(f, n) == arg_max(q, n);
  ++samples;
}

double Top1Agreement::agreement() const {
  return samples == 0 ? 0.0 : static_cast<double>(agree) / static_cast<double>(samples);
}

}  // namespace opscope::harness
