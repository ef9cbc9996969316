#include "engine/transforms/quantize/range_choice.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace opscope {

namespace {

// The value below which `fraction` of the histogram's mass lies.
double quantile(const TensorStats& s, double fraction) {
  const double width = (s.max - s.min) / kHistogramBins;
  int64_t total = 0;
  for (int64_t c : s.histogram) total += c;
  if (total == 0 || width <= 0) return fraction < 0.5 ? s.min : s.max;
  const double target = fraction * static_cast<double>(total);
  double cum = 0;
  for (int b = 0; b < kHistogramBins; ++b) {
    const double next = cum + static_cast<double>(s.histogram[b]);
    if (next >= target && s.histogram[b] > 0) {
      const double within = (target - cum) / static_cast<double>(s.histogram[b]);
      return s.min + (b + std::clamp(within, 0.0, 1.0)) * width;
    }
    cum = next;
  }
  return s.max;
}

FloatRange with_zero(FloatRange r) { return {std::min(r.lo, 0.0), std::max(r.hi, 0.0)}; }

// Expected squared error of quantizing the histogram's values with `r`.
double expected_error(const TensorStats& s, FloatRange r) {
  r = with_zero(r);
  const double scale = (r.hi - r.lo) / 255.0;
  const double rounding = scale * scale / 12.0;
  const double width = (s.max - s.min) / kHistogramBins;
  double err = 0;
  for (int b = 0; b < kHistogramBins; ++b) {
    if (s.histogram[b] == 0) continue;
    const double x = s.min + (b + 0.5) * width;
    const double clipped = std::clamp(x, r.lo, r.hi);
    const double d = x - clipped;
    err += static_cast<double>(s.histogram[b]) * (d * d + rounding);
  }
  return err;
}

}  // namespace

FloatRange choose_range(const TensorStats& s, const QuantizeOptions& options) {
  const FloatRange full{s.min, s.max};
  if (options.method == RangeMethod::kMinMax || s.histogram.empty() || s.max <= s.min) {
    return full;
  }
  if (options.method == RangeMethod::kPercentile) {
    const double tail = std::clamp(1.0 - options.percentile / 100.0, 0.0, 0.5);
    return {quantile(s, tail), quantile(s, 1.0 - tail)};
  }
  constexpr double kTails[] = {0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2};
  FloatRange best = full;
  double best_err = std::numeric_limits<double>::infinity();
  for (double tail : kTails) {
    const FloatRange r = tail == 0 ? full : FloatRange{quantile(s, tail), quantile(s, 1 - tail)};
    const double err = expected_error(s, r);
    if (err < best_err) {
      best_err = err;
      best = r;
    }
  }
  return best;
}

AffineParams asymmetric_int8(FloatRange range) {
  const FloatRange r = with_zero(range);
  double scale = (r.hi - r.lo) / 255.0;
  if (!(scale > 1e-9) || !std::isfinite(scale)) scale = 1e-9;
  AffineParams p;
  p.scale = static_cast<float>(scale);
  const double zp = std::round(-128.0 - r.lo / p.scale);
  p.zero_point = static_cast<int64_t>(std::clamp(zp, -128.0, 127.0));
  return p;
}

}  // namespace opscope
