// RESIZE_BILINEAR int8 row microkernel, AVX-512: the reference's four-term
// sum factored into a vertical step over the input row (vpmaddwd, into
// ResizeRow::vsum) and a horizontal one per output pixel, 16 channels per
// step in int32 lanes (masked loads and stores for the last step), then the
// reference's rounding (half away from zero, then / 2^20).
// GCC 12 warns falsely about the intrinsics' _mm512_undefined_*() (GCC bug
// 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include "engine/backends/native/kernels/native_ukernels.h"

namespace opscope::native::ukernels {

void resize_bilinear_i8_row_avx512(const ResizeRow& r) {
  constexpr int32_t kOne = 1 << 10;
  // Vertical: u = (1024 - wr) top + wr bottom for the whole input row, 16
  // elements a step: the two rows' bytes interleaved and widened to int16,
  // then one vpmaddwd against the weight pair (both fit int16: wr is in
  // [-512, 1024], resize_bilinear_i8.cc).
  const int32_t wr = r.w_row;
  const __m512i wpair = _mm512_set1_epi32(static_cast<int32_t>(
      (static_cast<uint32_t>(static_cast<uint16_t>(wr)) << 16) |
      static_cast<uint16_t>(kOne - wr)));
  for (int64_t i = 0; i < r.in_row; i += 16) {
    const int64_t left = r.in_row - i;
    const __mmask16 m = left >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << left) - 1);
    const __m128i t = _mm_maskz_loadu_epi8(m, r.top + i);
    const __m128i b = _mm_maskz_loadu_epi8(m, r.bottom + i);
    const __m256i tb = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_unpacklo_epi8(t, b)),
                                               _mm_unpackhi_epi8(t, b), 1);
    _mm512_storeu_si512(r.vsum + i, _mm512_madd_epi16(_mm512_cvtepi8_epi16(tb), wpair));
  }
  // Horizontal: v = (1024 - wc) u[lo] + wc u[hi], which is the reference's
  // four-term sum exactly (|v| < 2^30, resize_bilinear_i8.cc).
  const __m512i bias = _mm512_set1_epi32((1 << 19) - 1);
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i zero = _mm512_setzero_si512();
  const int64_t c_count = r.channels;
  for (int64_t ox = 0; ox < r.out_w; ++ox) {
    const int32_t wc = r.col_w[ox];
    const __m512i w_lo = _mm512_set1_epi32(kOne - wc);
    const __m512i w_hi = _mm512_set1_epi32(wc);
    const int32_t* lo = r.vsum + r.col_lo[ox];
    const int32_t* hi = r.vsum + r.col_hi[ox];
    int8_t* out = r.out + ox * c_count;
    for (int64_t c = 0; c < c_count; c += 16) {
      const int64_t left = c_count - c;
      const __mmask16 m = left >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << left) - 1);
      const __m512i v = _mm512_add_epi32(_mm512_mullo_epi32(_mm512_maskz_loadu_epi32(m, lo + c), w_lo),
                                         _mm512_mullo_epi32(_mm512_maskz_loadu_epi32(m, hi + c), w_hi));
      // (v + 2^19 - 1 + [v > 0]) >> 20 == trunc((v +/- 2^19) / 2^20).
      __m512i q = _mm512_add_epi32(v, bias);
      q = _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(v, zero), q, one);
      q = _mm512_srai_epi32(q, 20);
      _mm_mask_storeu_epi8(out + c, m, _mm512_cvtsepi32_epi8(q));
    }
  }
}

void resize_bilinear_i8_row16_avx512(const ResizeRow16& r) {
  // Vertical, 32 elements a step: u' = (one_r - wr) top + wr bottom.
  const __m512i w_top = _mm512_set1_epi16(static_cast<int16_t>(r.one_r - r.w_row));
  const __m512i w_bottom = _mm512_set1_epi16(r.w_row);
  for (int64_t i = 0; i < r.in_row; i += 32) {
    const int64_t left = r.in_row - i;
    const __mmask32 m = left >= 32 ? ~__mmask32{0} : ((__mmask32{1} << left) - 1);
    const __m512i t = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, r.top + i));
    const __m512i b = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, r.bottom + i));
    _mm512_storeu_si512(r.vsum16 + i, _mm512_add_epi16(_mm512_mullo_epi16(t, w_top),
                                                       _mm512_mullo_epi16(b, w_bottom)));
  }
  // Horizontal, 16 channels a step in 256-bit vectors: v' = (one_c - wc)
  // u'[lo] + wc u'[hi], then the rounding.
  const __m256i bias = _mm256_set1_epi16(static_cast<int16_t>((1 << (r.shift - 1)) - 1));
  const __m256i one = _mm256_set1_epi16(1);
  const __m256i zero = _mm256_setzero_si256();
  const __m128i count = _mm_cvtsi32_si128(r.shift);
  const int64_t c_count = r.channels;
  // 16 outputs from 16 channels of pixel ox at c, as int16.
  const auto step = [&](int64_t ox, int64_t c, __mmask16 m) __attribute__((always_inline)) {
    const int16_t wc = r.col_w16[ox];
    const __m256i w_lo = _mm256_set1_epi16(static_cast<int16_t>(r.one_c - wc));
    const __m256i w_hi = _mm256_set1_epi16(wc);
    const __m256i v = _mm256_add_epi16(
        _mm256_mullo_epi16(_mm256_maskz_loadu_epi16(m, r.vsum16 + r.col_lo[ox] + c), w_lo),
        _mm256_mullo_epi16(_mm256_maskz_loadu_epi16(m, r.vsum16 + r.col_hi[ox] + c), w_hi));
    const __m256i q = _mm256_add_epi16(v, bias);
    return _mm256_sra_epi16(_mm256_mask_add_epi16(q, _mm256_cmpgt_epi16_mask(v, zero), q, one),
                            count);
  };
  if (c_count % 16 == 0) {
    // Two 16-output steps that are adjacent in the output row at a time,
    // narrowed together with saturation (vpacksswb and one lane permute,
    // cheaper here than two vpmovswb); an odd last step alone.
    const int64_t steps = r.out_w * (c_count / 16);
    int64_t u = 0, ox = 0, c = 0;  // step u is channels [c, c + 16) of pixel ox
    const auto next = [&] {
      c += 16;
      if (c == c_count) {
        c = 0;
        ++ox;
      }
    };
    for (; u + 2 <= steps; u += 2) {
      const __m256i q0 = step(ox, c, 0xFFFF);
      next();
      const __m256i q1 = step(ox, c, 0xFFFF);
      next();
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(r.out + 16 * u),
                          _mm256_permute4x64_epi64(_mm256_packs_epi16(q0, q1), 0xD8));
    }
    if (u < steps) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(r.out + 16 * u),
                       _mm256_cvtsepi16_epi8(step(ox, c, 0xFFFF)));
    }
    return;
  }
  for (int64_t ox = 0; ox < r.out_w; ++ox) {
    int8_t* out = r.out + ox * c_count;
    for (int64_t c = 0; c < c_count; c += 16) {
      const int64_t left = c_count - c;
      const __mmask16 m = left >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << left) - 1);
      _mm_mask_storeu_epi8(out + c, m, _mm256_cvtsepi16_epi8(step(ox, c, m)));
    }
  }
}

}  // namespace opscope::native::ukernels
