// How the XNNPACK op tests judge an output: f32 against a reference with a
// relative tolerance, int8 within a few LSB, and TFLite's int8 rounding
// rules that the tests' naive references follow.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "engine/attributes.h"

namespace opscope::testing {

// max |got - ref| <= 1e-4 * max|ref| + 1e-5 over the finite reference
// values; where the reference is NaN or infinite, got must be too (the same
// infinity). The message names the worst element.
inline ::testing::AssertionResult close_to_reference(const std::vector<float>& got,
                                                     const std::vector<float>& ref) {
  if (got.size() != ref.size()) {
    return ::testing::AssertionFailure()
           << "size " << got.size() << " vs reference " << ref.size();
  }
  double max_ref = 0.0;
  for (float r : ref) {
    if (std::isfinite(r)) max_ref = std::max(max_ref, std::fabs(static_cast<double>(r)));
  }
  double max_err = 0.0;
  size_t worst = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(ref[i]) || !std::isfinite(got[i])) {
      const bool same = std::isnan(ref[i]) ? std::isnan(got[i]) : got[i] == ref[i];
      if (!same) {
        return ::testing::AssertionFailure()
               << "at " << i << ": got " << got[i] << ", reference " << ref[i];
      }
      continue;
    }
    const double err = std::fabs(static_cast<double>(got[i]) - ref[i]);
    if (err > max_err) {
      max_err = err;
      worst = i;
    }
  }
  const double tol = 1e-4 * max_ref + 1e-5;
  if (max_err <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "max abs error " << max_err << " > " << tol << " at " << worst << ": got "
         << got[worst] << ", reference " << ref[worst];
}

// Every int8 value within `lsb` of the reference (int8_t or int values).
template <typename R>
::testing::AssertionResult within_lsb(const std::vector<int8_t>& got,
                                      const std::vector<R>& ref, int lsb = 1) {
  if (got.size() != ref.size()) {
    return ::testing::AssertionFailure()
           << "size " << got.size() << " vs reference " << ref.size();
  }
  for (size_t i = 0; i < ref.size(); ++i) {
    const int want = static_cast<int>(ref[i]);
    if (std::abs(int{got[i]} - want) > lsb) {
      return ::testing::AssertionFailure()
             << "at " << i << ": got " << int{got[i]} << ", reference " << want;
    }
  }
  return ::testing::AssertionSuccess();
}

inline void expect_int8_within_1(const std::vector<int8_t>& got, const std::vector<int>& want) {
  EXPECT_TRUE(within_lsb(got, want, 1));
}

// TFLite int8 requantization of an accumulator: zp + round_half_away_from_zero(
// acc * multiplier), saturated to [lo, hi].
inline int8_t requantize(double acc, double multiplier, int32_t zero_point, int lo = -128,
                         int hi = 127) {
  const double v = std::round(acc * multiplier) + zero_point;
  return static_cast<int8_t>(std::min<double>(hi, std::max<double>(lo, v)));
}

// TFLite's int8 quantization of a real value: round half away from zero of
// real / scale, plus the zero point, clamped to [lo, hi].
inline int quantize_int8(double real, float scale, int64_t zero_point, int lo = -128,
                         int hi = 127) {
  const double q = std::round(real / scale) + static_cast<double>(zero_point);
  return static_cast<int>(std::clamp(q, static_cast<double>(lo), static_cast<double>(hi)));
}

// TFLite's quantized clamp [*lo, *hi] of a fused activation.
inline void quantized_activation(Activation a, float scale, int32_t zp, int* lo, int* hi) {
  auto q = [&](double v) { return zp + static_cast<int>(std::round(v / scale)); };
  *lo = -128;
  *hi = 127;
  if (a == Activation::kRelu || a == Activation::kRelu6) *lo = std::max(*lo, q(0.0));
  if (a == Activation::kRelu6) *hi = std::min(*hi, q(6.0));
  if (a == Activation::kReluN1To1) {
    *lo = std::max(*lo, q(-1.0));
    *hi = std::min(*hi, q(1.0));
  }
}

}  // namespace opscope::testing
