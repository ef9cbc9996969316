// neon::requantize4 (engine/backends/native/requantize_neon.h) against the
// reference's scalar fixed-point steps (fixed_point.h), lane by lane, on
// aarch64 only (tests/cross_native, run under qemu-aarch64): random and edge
// int32 sums (INT32_MIN and MAX included), every shift from -31 to 30 and
// different shifts per lane, multipliers across [2^30, 2^31) and 0, zero
// points and clamps at the ends. Ties of the rounding shift, negative ones
// included, are frequent at small right shifts (s = 1: every odd value).
#include <arm_neon.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>

#include "engine/backends/native/requantize_neon.h"
#include "engine/backends/reference/kernels/int8/fixed_point.h"

namespace opscope::native {
namespace {

namespace ri8 = reference::int8;

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

TEST(RequantizeNeon, MatchesTheReferenceLaneByLane) {
  std::mt19937 rng(20261207);
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  std::uniform_int_distribution<int32_t> small(-5000, 5000);
  std::uniform_int_distribution<int32_t> mantissa(1 << 30, kMax);
  std::uniform_int_distribution<int32_t> byte(-128, 127);
  const int32_t edges[] = {kMin, kMin + 1, -(1 << 30) - 1, -(1 << 30), -3, -2, -1, 0,
                           1,    2,        3,              1 << 30,    kMax - 1, kMax};
  int64_t checked = 0, ties = 0;
  for (int shift = -31; shift <= 30; ++shift) {
    for (int trial = 0; trial < 600; ++trial) {
      int32_t x[4], mult[4], left[4], right[4];
      ri8::QuantizedMultiplier qm[4];
      bool any_left = false;
      for (int l = 0; l < 4; ++l) {
        const int idx = trial * 4 + l;
        x[l] = idx < 14 ? edges[idx] : (trial % 3 == 0 ? any(rng) : small(rng));
        mult[l] = trial % 50 == 7 && l == 0 ? 0 : mantissa(rng);
        // Lanes 1..3 take neighbouring shifts, so lanes differ.
        qm[l].shift = std::clamp(shift - (l == 0 ? 0 : static_cast<int>(rng() % 5) - 2), -31, 30);
        qm[l].multiplier = mult[l];
        left[l] = std::max(qm[l].shift, 0);
        right[l] = std::max(-qm[l].shift, 0);
        any_left = any_left || left[l] > 0;
      }
      const int32_t zp = trial % 7 == 0 ? (trial % 2 ? -128 : 127) : byte(rng);
      int32_t lo = -128, hi = 127;
      if (trial % 4 == 1) {
        lo = byte(rng);
        hi = std::max<int32_t>(lo, byte(rng));
      }
      const neon::Requant4 p = neon::load_requant4(mult, left, right);
      int32_t got[4];
      vst1q_s32(got, neon::requantize4(vld1q_s32(x), p, any_left, zp, lo, hi));
      for (int l = 0; l < 4; ++l) {
        const int32_t r = ri8::multiply_by_quantized_multiplier(x[l], qm[l]);
        const int64_t v = int64_t{r} + zp;
        // r + zp past int32 is undefined in the reference's int32 add (no
        // valid model reaches it); not compared.
        if (v < kMin || v > kMax) continue;
        const int32_t want = static_cast<int32_t>(std::clamp<int64_t>(v, lo, hi));
        ASSERT_EQ(got[l], want) << "x " << x[l] << " multiplier " << mult[l] << " shift "
                                << qm[l].shift << " zp " << zp << " [" << lo << ", " << hi << "]";
        ++checked;
        if (right[l] > 0) {
          const int32_t h = ri8::saturating_rounding_doubling_high_mul(
              ri8::saturate_int32(int64_t{x[l]} * (int64_t{1} << left[l])), mult[l]);
          const int32_t mask = static_cast<int32_t>((int64_t{1} << right[l]) - 1);
          ties += (h & mask) == (int32_t{1} << (right[l] - 1)) && h < 0;
        }
      }
    }
  }
  std::printf("  %lld lanes compared, %lld negative ties of the rounding shift among them\n",
              static_cast<long long>(checked), static_cast<long long>(ties));
  EXPECT_GT(ties, 500);
}

}  // namespace
}  // namespace opscope::native
