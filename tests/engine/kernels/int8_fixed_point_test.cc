// The fixed-point helpers of the int8 kernels against exact arithmetic:
// quantized multipliers reproduce the real multiplier to 2^-31 relative,
// and applying one stays within 1 of round(x * M) computed with 128-bit
// integers; the rounding shift and the saturation rules hold at the edges.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "engine/backends/reference/kernels/int8/fixed_point.h"

namespace opscope::reference::int8 {
namespace {

TEST(Int8FixedPoint, QuantizesKnownMultipliers) {
  EXPECT_EQ(quantize_multiplier(0.5).multiplier, 1 << 30);
  EXPECT_EQ(quantize_multiplier(0.5).shift, 0);
  EXPECT_EQ(quantize_multiplier(1.0).multiplier, 1 << 30);
  EXPECT_EQ(quantize_multiplier(1.0).shift, 1);
  EXPECT_EQ(quantize_multiplier(0.75).multiplier, 3 << 29);
  EXPECT_EQ(quantize_multiplier(0.0).multiplier, 0);
  // Rounds up to 2^31: renormalized to 2^30 with one more shift.
  const QuantizedMultiplier m = quantize_multiplier(1.0 - 1e-12);
  EXPECT_EQ(m.multiplier, 1 << 30);
  EXPECT_EQ(m.shift, 1);
  // Too small to matter: zero.
  EXPECT_EQ(quantize_multiplier(1e-12).multiplier, 0);
}

TEST(Int8FixedPoint, MultiplierIsAccurateTo2PowMinus31) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> exponent(-20.0, 10.0);
  for (int i = 0; i < 10000; ++i) {
    const double real = std::pow(2.0, exponent(rng));
    const QuantizedMultiplier m = quantize_multiplier(real);
    ASSERT_GE(m.multiplier, 1 << 30);
    const double back = std::ldexp(static_cast<double>(m.multiplier), m.shift - 31);
    EXPECT_LE(std::fabs(back - real), real * std::ldexp(1.0, -31)) << real;
  }
}

TEST(Int8FixedPoint, RoundingDivideByPowerOfTwoRoundsHalfAwayFromZero) {
  EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);    // 2.5
  EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);  // -2.5
  EXPECT_EQ(rounding_divide_by_pot(6, 2), 2);    // 1.5
  EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);  // -1.5
  EXPECT_EQ(rounding_divide_by_pot(-7, 2), -2);  // -1.75
  EXPECT_EQ(rounding_divide_by_pot(7, 0), 7);
  for (int32_t x = -1000; x <= 1000; ++x) {
    for (int e = 1; e < 8; ++e) {
      ASSERT_EQ(rounding_divide_by_pot(x, e), std::lround(std::ldexp(double(x), -e)))
          << x << " / 2^" << e;
    }
  }
}

TEST(Int8FixedPoint, DoublingHighMulSaturatesOnlyAtMinTimesMin) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMin),
            std::numeric_limits<int32_t>::max());
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, 1 << 30), -(1 << 30));
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1 << 30, 1 << 30), 1 << 29);
}

TEST(Int8FixedPoint, MultiplyStaysWithin1OfExactRounding) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> exponent(-14.0, 3.0);
  std::uniform_int_distribution<int32_t> value(-(1 << 20), 1 << 20);
  int exact = 0;
  constexpr int kTrials = 20000;
  for (int i = 0; i < kTrials; ++i) {
    const QuantizedMultiplier m = quantize_multiplier(std::pow(2.0, exponent(rng)));
    const int32_t x = value(rng);
    // round(x * multiplier * 2^(shift - 31)) with 128-bit integers, ties
    // away from zero.
    const __int128 num = static_cast<__int128>(x) * m.multiplier;
    const int down = 31 - m.shift;
    const __int128 half = static_cast<__int128>(1) << (down - 1);
    const __int128 mag = (num < 0 ? -num : num) + half;
    const int64_t want = static_cast<int64_t>(num < 0 ? -(mag >> down) : (mag >> down));
    const int32_t got = multiply_by_quantized_multiplier(x, m);
    ASSERT_LE(std::llabs(got - want), 1) << x << " * " << m.multiplier << " 2^" << m.shift;
    exact += got == want;
  }
  EXPECT_GE(exact, kTrials * 95 / 100);
}

TEST(Int8FixedPoint, SaturatingCasts) {
  EXPECT_EQ(saturate_int8(300), 127);
  EXPECT_EQ(saturate_int8(-300), -128);
  EXPECT_EQ(saturate_int8(-5), -5);
  EXPECT_EQ(saturate_int32(int64_t{1} << 40), std::numeric_limits<int32_t>::max());
  EXPECT_EQ(rounded_divide(7, 2), 4);
  EXPECT_EQ(rounded_divide(-7, 2), -4);
  EXPECT_EQ(rounded_divide(-5, 3), -2);
}

}  // namespace
}  // namespace opscope::reference::int8
