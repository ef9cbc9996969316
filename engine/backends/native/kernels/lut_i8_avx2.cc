// 256-entry byte table lookup with AVX2 `pshufb`, 32 bytes per step. The
// low 7 bits u of an input byte index one of two 128-entry halves (the top
// bit picks the half), each split into eight 16-entry blocks k. The tables
// held are the blocks' running XOR, C_k = T_k ^ T_(k-1): pshufb(C_k, u -
// 16k) gives C_k[u & 15] for the blocks k at or below u's block and 0 above
// it (a negative index), so the XOR over k telescopes to T_(u >> 4)[u & 15].
#include <immintrin.h>

#include "engine/backends/native/kernels/native_ukernels.h"

namespace opscope::native::ukernels {

void lut_i8_avx2(const int8_t* table, const int8_t* x, int8_t* y, int64_t n) {
  const int8_t* xt = table + 256;  // C_k of half h at h * 128 + 16 k
  __m256i c[2][8];
  for (int half = 0; half < 2; ++half) {
    for (int k = 0; k < 8; ++k) {
      c[half][k] = _mm256_broadcastsi128_si256(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(xt + half * 128 + 16 * k)));
    }
  }
  const __m256i low7 = _mm256_set1_epi8(0x7F);
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i));
    const __m256i u = _mm256_and_si256(v, low7);
    __m256i r0 = _mm256_setzero_si256(), r1 = _mm256_setzero_si256();
    for (int k = 0; k < 8; ++k) {
      const __m256i idx = _mm256_sub_epi8(u, _mm256_set1_epi8(static_cast<char>(16 * k)));
      r0 = _mm256_xor_si256(r0, _mm256_shuffle_epi8(c[0][k], idx));
      r1 = _mm256_xor_si256(r1, _mm256_shuffle_epi8(c[1][k], idx));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), _mm256_blendv_epi8(r0, r1, v));
  }
  for (; i < n; ++i) y[i] = table[static_cast<uint8_t>(x[i])];
}

}  // namespace opscope::native::ukernels
