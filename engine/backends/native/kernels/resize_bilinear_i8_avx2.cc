// RESIZE_BILINEAR int8 row microkernel, AVX2: 8 channels per step in int32
// lanes, the rest one by one with the same int32 arithmetic.
#include <immintrin.h>

#include <algorithm>

#include "engine/backends/native/kernels/native_ukernels.h"

namespace opscope::native::ukernels {

void resize_bilinear_i8_row_avx2(const ResizeRow& r) {
  constexpr int32_t kOne = 1 << 10;
  const __m256i bias = _mm256_set1_epi32((1 << 19) - 1);
  const __m256i zero = _mm256_setzero_si256();
  const int64_t c_count = r.channels;
  const int32_t wr = r.w_row;
  for (int64_t ox = 0; ox < r.out_w; ++ox) {
    const int32_t wc = r.col_w[ox];
    const int32_t s_tl = (kOne - wr) * (kOne - wc), s_bl = wr * (kOne - wc);
    const int32_t s_tr = (kOne - wr) * wc, s_br = wr * wc;
    const __m256i w_tl = _mm256_set1_epi32(s_tl);
    const __m256i w_bl = _mm256_set1_epi32(s_bl);
    const __m256i w_tr = _mm256_set1_epi32(s_tr);
    const __m256i w_br = _mm256_set1_epi32(s_br);
    const int8_t* tl = r.top + r.col_lo[ox];
    const int8_t* tr = r.top + r.col_hi[ox];
    const int8_t* bl = r.bottom + r.col_lo[ox];
    const int8_t* br = r.bottom + r.col_hi[ox];
    int8_t* out = r.out + ox * c_count;
    int64_t c = 0;
    for (; c + 8 <= c_count; c += 8) {
      const auto load = [](const int8_t* p) {
        return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
      };
      __m256i v = _mm256_add_epi32(_mm256_mullo_epi32(load(tl + c), w_tl),
                                   _mm256_mullo_epi32(load(bl + c), w_bl));
      v = _mm256_add_epi32(v, _mm256_mullo_epi32(load(tr + c), w_tr));
      v = _mm256_add_epi32(v, _mm256_mullo_epi32(load(br + c), w_br));
      // (v + 2^19 - 1 + [v > 0]) >> 20; the compare gives -1 where true.
      __m256i t = _mm256_sub_epi32(_mm256_add_epi32(v, bias), _mm256_cmpgt_epi32(v, zero));
      t = _mm256_srai_epi32(t, 20);
      const __m128i p16 =
          _mm_packs_epi32(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + c), _mm_packs_epi16(p16, p16));
    }
    for (; c < c_count; ++c) {
      const int32_t v = tl[c] * s_tl + bl[c] * s_bl + tr[c] * s_tr + br[c] * s_br;
      const int32_t t = (v + (1 << 19) - 1 + (v > 0 ? 1 : 0)) >> 20;
      out[c] = static_cast<int8_t>(std::min(std::max(t, -128), 127));
    }
  }
}

}  // namespace opscope::native::ukernels
