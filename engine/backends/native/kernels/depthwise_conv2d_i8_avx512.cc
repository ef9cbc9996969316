// DEPTHWISE_CONV_2D int8 microkernel, AVX-512: 16 channels per step in
// int32 lanes, the window's taps accumulated in a register, then TFLite's
// per-channel requantization in SIMD with the same bits as the scalar
// fixed_point.h helpers:
//   - the saturating left shift (x * 2^l, saturated where it overflows);
//   - SaturatingRoundingDoublingHighMul(x, m) = (x * m + 2^30) >> 31 in 64
//     bits, which equals TFLite's nudge-and-truncate for both signs (m > 0
//     here, so the INT32_MIN * INT32_MIN case cannot occur);
//   - RoundingDivideByPOT with ties away from zero.
// GCC 12 warns falsely about the intrinsics' _mm512_undefined_*() (GCC bug
// 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <immintrin.h>

#include "engine/backends/native/kernels/native_ukernels.h"

namespace opscope::native::ukernels {
namespace {

struct Stage {
  __m512i mult, left, right, rmask, rhalf;
};

inline Stage load_stage(const DepthwiseParams& p, int64_t c) {
  Stage s;
  s.mult = _mm512_loadu_si512(p.multiplier + c);
  s.left = _mm512_loadu_si512(p.left_shift + c);
  s.right = _mm512_loadu_si512(p.right_shift + c);
  // (1 << right) - 1 and its half.
  s.rmask = _mm512_sub_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), s.right),
                             _mm512_set1_epi32(1));
  s.rhalf = _mm512_srli_epi32(s.rmask, 1);
  return s;
}

inline __m512i requantize(__m512i x, const Stage& s) {
  // x * 2^left, saturated.
  __m512i shifted = _mm512_sllv_epi32(x, s.left);
  const __mmask16 overflow = _mm512_cmpneq_epi32_mask(_mm512_srav_epi32(shifted, s.left), x);
  const __m512i saturated = _mm512_mask_blend_epi32(
      _mm512_cmplt_epi32_mask(x, _mm512_setzero_si512()), _mm512_set1_epi32(INT32_MAX),
      _mm512_set1_epi32(INT32_MIN));
  shifted = _mm512_mask_mov_epi32(shifted, overflow, saturated);
  // High mul: even lanes, then odd lanes moved down.
  const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
  const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(shifted, s.mult), nudge);
  const __m512i odd = _mm512_add_epi64(
      _mm512_mul_epi32(_mm512_srli_epi64(shifted, 32), _mm512_srli_epi64(s.mult, 32)), nudge);
  const __m512i high = _mm512_mask_blend_epi32(__mmask16{0xAAAA}, _mm512_srli_epi64(even, 31),
                                               _mm512_slli_epi64(odd, 1));
  // Rounding divide by 2^right, ties away from zero.
  const __m512i remainder = _mm512_and_si512(high, s.rmask);
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i threshold = _mm512_mask_add_epi32(
      s.rhalf, _mm512_cmplt_epi32_mask(high, _mm512_setzero_si512()), s.rhalf, one);
  const __m512i q = _mm512_srav_epi32(high, s.right);
  return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(remainder, threshold), q, one);
}

}  // namespace

void depthwise_i8_avx512(const DepthwiseParams& p, const int8_t* input, int8_t* output) {
  const int64_t c_count = p.channels, cp = (c_count + 15) / 16 * 16;
  const int64_t row = p.in_w * c_count;
  const __m512i in_zp = _mm512_set1_epi32(p.input_zp);
  const __m512i out_zp = _mm512_set1_epi32(p.output_zp);
  const __m512i lo = _mm512_set1_epi32(p.act_min), hi = _mm512_set1_epi32(p.act_max);
  for (int64_t oy = 0; oy < p.out_h; ++oy) {
    const int64_t iy0 = oy * p.stride_h - p.pad_top;
    const bool row_inner = oy >= p.oy_begin && oy < p.oy_end;
    for (int64_t ox = 0; ox < p.out_w; ++ox) {
      const int64_t ix0 = ox * p.stride_w - p.pad_left;
      const bool inner = row_inner && ox >= p.ox_begin && ox < p.ox_end;
      int8_t* y = output + (oy * p.out_w + ox) * c_count;
      for (int64_t c = 0; c < c_count; c += 16) {
        const int64_t left = c_count - c;
        const __mmask16 m = left >= 16 ? __mmask16{0xFFFF}
                                       : static_cast<__mmask16>((1u << left) - 1);
        __m512i acc;
        if (inner) {
          acc = _mm512_loadu_si512(p.bias_inner + c);
          const int8_t* base = input + iy0 * row + ix0 * c_count + c;
          const int32_t* w = p.weights + c;
          for (int64_t ky = 0; ky < p.k_h; ++ky) {
            const int8_t* x = base + ky * p.dilation_h * row;
            for (int64_t kx = 0; kx < p.k_w; ++kx) {
              const __m512i v = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, x));
              acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(v, _mm512_loadu_si512(w)));
              x += p.dilation_w * c_count;
              w += cp;
            }
          }
        } else {
          acc = _mm512_loadu_si512(p.bias + c);
          for (int64_t ky = 0; ky < p.k_h; ++ky) {
            const int64_t iy = iy0 + ky * p.dilation_h;
            if (iy < 0 || iy >= p.in_h) continue;
            for (int64_t kx = 0; kx < p.k_w; ++kx) {
              const int64_t ix = ix0 + kx * p.dilation_w;
              if (ix < 0 || ix >= p.in_w) continue;
              const __m512i v = _mm512_sub_epi32(
                  _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, input + iy * row + ix * c_count + c)),
                  in_zp);
              const __m512i w = _mm512_loadu_si512(p.weights + (ky * p.k_w + kx) * cp + c);
              acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(v, w));
            }
          }
        }
        __m512i v = _mm512_add_epi32(requantize(acc, load_stage(p, c)), out_zp);
        v = _mm512_min_epi32(_mm512_max_epi32(v, lo), hi);
        _mm_mask_storeu_epi8(y + c, m, _mm512_cvtsepi32_epi8(v));
      }
    }
  }
}

}  // namespace opscope::native::ukernels
