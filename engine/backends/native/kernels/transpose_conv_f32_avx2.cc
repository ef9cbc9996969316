// TRANSPOSE_CONV f32 rows (native_ukernels.h) with AVX2 + FMA: four weight
// rows at a time, 8 input channels per FMA, the four sums reduced across
// lanes together.
#include <immintrin.h>

#include "engine/backends/native/kernels/native_ukernels.h"

namespace opscope::native::ukernels {
namespace {

// {sum(a0), sum(a1), sum(a2), sum(a3)}.
inline __m128 sum4(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
  const __m256 t0 = _mm256_add_ps(_mm256_unpacklo_ps(a0, a1), _mm256_unpackhi_ps(a0, a1));
  const __m256 t1 = _mm256_add_ps(_mm256_unpacklo_ps(a2, a3), _mm256_unpackhi_ps(a2, a3));
  const __m256d d0 = _mm256_castps_pd(t0), d1 = _mm256_castps_pd(t1);
  const __m256 u = _mm256_add_ps(_mm256_castpd_ps(_mm256_unpacklo_pd(d0, d1)),
                                 _mm256_castpd_ps(_mm256_unpackhi_pd(d0, d1)));
  return _mm_add_ps(_mm256_castps256_ps128(u), _mm256_extractf128_ps(u, 1));
}

}  // namespace

void transpose_conv_f32_rows_avx2(const TConvRows& r) {
  const int64_t whole = r.in_c / 8 * 8;
  alignas(32) int32_t lanes[8];
  for (int64_t j = 0; j < 8; ++j) lanes[j] = j < r.in_c - whole ? -1 : 0;
  const __m256i tail = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes));
  for (int64_t p = 0; p < r.pixels; ++p) {
    const float* x = r.x + p * r.in_c;
    float* out = r.out + p * r.pixel_step;
    for (int64_t g = 0; g < r.n; g += 4) {
      const float* w0 = r.w + g * r.in_cp;
      const float* w1 = w0 + r.in_cp;
      const float* w2 = w1 + r.in_cp;
      const float* w3 = w2 + r.in_cp;
      __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
      int64_t c = 0;
      for (; c < whole; c += 8) {
        const __m256 v = _mm256_loadu_ps(x + c);
        a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(w0 + c), a0);
        a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(w1 + c), a1);
        a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(w2 + c), a2);
        a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(w3 + c), a3);
      }
      if (c < r.in_c) {
        // The weights are zero past in_c, so only the input needs a mask.
        const __m256 v = _mm256_maskload_ps(x + c, tail);
        a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(w0 + c), a0);
        a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(w1 + c), a1);
        a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(w2 + c), a2);
        a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(w3 + c), a3);
      }
      const __m128 v = _mm_add_ps(sum4(a0, a1, a2, a3), _mm_loadu_ps(r.bias + g));
      if (r.n - g >= 4) {
        _mm_storeu_ps(out + g, v);
      } else {
        alignas(16) float lanes4[4];
        _mm_store_ps(lanes4, v);
        for (int64_t j = 0; j < r.n - g; ++j) out[g + j] = lanes4[j];
      }
    }
  }
}

}  // namespace opscope::native::ukernels
