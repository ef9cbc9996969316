// RESIZE_BILINEAR int8 row microkernel, AVX-512: 16 channels per step in
// int32 lanes (masked loads and stores for the last step), the reference's
// four-term sum and rounding (half away from zero, then / 2^20).
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
  const __m512i bias = _mm512_set1_epi32((1 << 19) - 1);
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i zero = _mm512_setzero_si512();
  const int64_t c_count = r.channels;
  const int32_t wr = r.w_row;
  for (int64_t ox = 0; ox < r.out_w; ++ox) {
    const int32_t wc = r.col_w[ox];
    const __m512i w_tl = _mm512_set1_epi32((kOne - wr) * (kOne - wc));
    const __m512i w_bl = _mm512_set1_epi32(wr * (kOne - wc));
    const __m512i w_tr = _mm512_set1_epi32((kOne - wr) * wc);
    const __m512i w_br = _mm512_set1_epi32(wr * wc);
    const int8_t* tl = r.top + r.col_lo[ox];
    const int8_t* tr = r.top + r.col_hi[ox];
    const int8_t* bl = r.bottom + r.col_lo[ox];
    const int8_t* br = r.bottom + r.col_hi[ox];
    int8_t* out = r.out + ox * c_count;
    for (int64_t c = 0; c < c_count; c += 16) {
      const int64_t left = c_count - c;
      const __mmask16 m = left >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << left) - 1);
      const __m512i a = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, tl + c));
      const __m512i b = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, bl + c));
      const __m512i d = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, tr + c));
      const __m512i e = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, br + c));
      __m512i v = _mm512_add_epi32(_mm512_mullo_epi32(a, w_tl), _mm512_mullo_epi32(b, w_bl));
      v = _mm512_add_epi32(v, _mm512_mullo_epi32(d, w_tr));
      v = _mm512_add_epi32(v, _mm512_mullo_epi32(e, w_br));
      // (v + 2^19 - 1 + [v > 0]) >> 20 == trunc((v +/- 2^19) / 2^20).
      __m512i t = _mm512_add_epi32(v, bias);
      t = _mm512_mask_add_epi32(t, _mm512_cmpgt_epi32_mask(v, zero), t, one);
      t = _mm512_srai_epi32(t, 20);
      _mm_mask_storeu_epi8(out + c, m, _mm512_cvtsepi32_epi8(t));
    }
  }
}

}  // namespace opscope::native::ukernels
