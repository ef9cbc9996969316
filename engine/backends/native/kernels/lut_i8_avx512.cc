// 256-entry byte table lookup with AVX-512 VBMI: two vpermi2b look up the
// low and the high half of the table (7 index bits each), the index's top
// bit picks between them. VBMI is not part of kAvx512Vnni's flags, so this
// function enables it itself and is only called after cpu_has_avx512vbmi().
// GCC 12 warns falsely about the intrinsics' _mm512_undefined_*() (GCC bug
// 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include "engine/backends/native/kernels/native_ukernels.h"

namespace opscope::native::ukernels {
namespace {

__attribute__((target("avx512vbmi"))) inline __m512i lookup(__m512i v, __m512i t0, __m512i t1,
                                                            __m512i t2, __m512i t3) {
  const __m512i lo = _mm512_permutex2var_epi8(t0, v, t1);
  const __m512i hi = _mm512_permutex2var_epi8(t2, v, t3);
  return _mm512_mask_blend_epi8(_mm512_movepi8_mask(v), lo, hi);
}

}  // namespace

bool cpu_has_avx512vbmi() { return __builtin_cpu_supports("avx512vbmi"); }

__attribute__((target("avx512vbmi"))) void lut_i8_avx512vbmi(const int8_t* table, const int8_t* x,
                                                             int8_t* y, int64_t n) {
  const __m512i t0 = _mm512_loadu_si512(table);
  const __m512i t1 = _mm512_loadu_si512(table + 64);
  const __m512i t2 = _mm512_loadu_si512(table + 128);
  const __m512i t3 = _mm512_loadu_si512(table + 192);
  int64_t i = 0;
  for (; i + 128 <= n; i += 128) {
    const __m512i a = _mm512_loadu_si512(x + i);
    const __m512i b = _mm512_loadu_si512(x + i + 64);
    _mm512_storeu_si512(y + i, lookup(a, t0, t1, t2, t3));
    _mm512_storeu_si512(y + i + 64, lookup(b, t0, t1, t2, t3));
  }
  for (; i < n; i += 64) {
    const int64_t left = n - i;
    const __mmask64 m = left >= 64 ? ~__mmask64{0} : ((__mmask64{1} << left) - 1);
    _mm512_mask_storeu_epi8(y + i, m, lookup(_mm512_maskz_loadu_epi8(m, x + i), t0, t1, t2, t3));
  }
}

}  // namespace opscope::native::ukernels
