// TRANSPOSE_CONV f32 rows (native_ukernels.h) with AVX-512: four weight rows
// by four pixels at a time (16 accumulators), 16 input channels per FMA,
// the 16 sums reduced across lanes together into one vector (pixel-major,
// 4 rows per pixel), which is 4 pixels' outputs of the group. With at most
// 16 input channels the group's weights stay in registers for the row.
// GCC 12 warns falsely about the intrinsics' _mm512_undefined_*() (GCC bug
// 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include "engine/backends/native/kernels/native_ukernels.h"

namespace opscope::native::ukernels {
namespace {

// Per 128-bit lane: {a0, a1, a2, a3} partial sums (two of the lane's four
// values each, folded once more).
inline __m512 fold4(__m512 a0, __m512 a1, __m512 a2, __m512 a3) {
  const __m512 t0 = _mm512_add_ps(_mm512_unpacklo_ps(a0, a1), _mm512_unpackhi_ps(a0, a1));
  const __m512 t1 = _mm512_add_ps(_mm512_unpacklo_ps(a2, a3), _mm512_unpackhi_ps(a2, a3));
  const __m512d d0 = _mm512_castps_pd(t0), d1 = _mm512_castps_pd(t1);
  return _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(d0, d1)),
                       _mm512_castpd_ps(_mm512_unpackhi_pd(d0, d1)));
}

// {sum(a0), sum(a1), sum(a2), sum(a3)}.
inline __m128 sum4(__m512 a0, __m512 a1, __m512 a2, __m512 a3) {
  const __m512 u = fold4(a0, a1, a2, a3);
  const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(u), _mm512_extractf32x8_ps(u, 1));
  return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

// The four lanes of u0..u3 (each from fold4) summed: lane q of the result
// is the sum of u_q's four lanes.
inline __m512 sum_lanes(__m512 u0, __m512 u1, __m512 u2, __m512 u3) {
  const __m512 t0 = _mm512_add_ps(_mm512_shuffle_f32x4(u0, u1, 0x88),
                                  _mm512_shuffle_f32x4(u0, u1, 0xdd));
  const __m512 t1 = _mm512_add_ps(_mm512_shuffle_f32x4(u2, u3, 0x88),
                                  _mm512_shuffle_f32x4(u2, u3, 0xdd));
  return _mm512_add_ps(_mm512_shuffle_f32x4(t0, t1, 0x88), _mm512_shuffle_f32x4(t0, t1, 0xdd));
}

struct Group {
  const float* w[4];
  __m128 bias;
  __mmask8 rows;  // the group's rows below n
};

inline __m512 load_x(const float* x, int64_t c, int64_t whole, __mmask16 tail) {
  return c < whole ? _mm512_loadu_ps(x + c) : _mm512_maskz_loadu_ps(tail, x + c);
}

// Four pixels (x, x + in_c, ...) by one group: 4 x 4 dot products.
template <bool kOneChunk>
inline __m512 block4(const TConvRows& r, const Group& g, const __m512* wr, const float* x,
                     int64_t whole, __mmask16 tail) {
  // Fully unrolled, so GCC keeps a[] in registers.
  __m512 a[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) a[i] = _mm512_setzero_ps();
  for (int64_t c = 0; c < r.in_cp; c += 16) {
    __m512 w0, w1, w2, w3;
    if (kOneChunk) {
      w0 = wr[0], w1 = wr[1], w2 = wr[2], w3 = wr[3];
    } else {
      w0 = _mm512_loadu_ps(g.w[0] + c), w1 = _mm512_loadu_ps(g.w[1] + c);
      w2 = _mm512_loadu_ps(g.w[2] + c), w3 = _mm512_loadu_ps(g.w[3] + c);
    }
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) {
      const __m512 v = load_x(x + q * r.in_c, c, whole, tail);
      a[4 * q] = _mm512_fmadd_ps(v, w0, a[4 * q]);
      a[4 * q + 1] = _mm512_fmadd_ps(v, w1, a[4 * q + 1]);
      a[4 * q + 2] = _mm512_fmadd_ps(v, w2, a[4 * q + 2]);
      a[4 * q + 3] = _mm512_fmadd_ps(v, w3, a[4 * q + 3]);
    }
  }
  const __m512 s = sum_lanes(fold4(a[0], a[1], a[2], a[3]), fold4(a[4], a[5], a[6], a[7]),
                             fold4(a[8], a[9], a[10], a[11]),
                             fold4(a[12], a[13], a[14], a[15]));
  return _mm512_add_ps(s, _mm512_broadcast_f32x4(g.bias));
}

template <bool kOneChunk>
void rows(const TConvRows& r) {
  const int64_t whole = r.in_c / 16 * 16;
  const __mmask16 tail = static_cast<__mmask16>((1u << (r.in_c - whole)) - 1);
  for (int64_t g0 = 0; g0 < r.n; g0 += 4) {
    Group g;
    for (int j = 0; j < 4; ++j) g.w[j] = r.w + (g0 + j) * r.in_cp;
    g.bias = _mm_loadu_ps(r.bias + g0);
    const int64_t left = r.n - g0;
    g.rows = static_cast<__mmask8>(left >= 4 ? 0xf : (1u << left) - 1);
    __m512 wr[4];
    if (kOneChunk) {
      for (int j = 0; j < 4; ++j) wr[j] = _mm512_loadu_ps(g.w[j]);
    }
    float* out = r.out + g0;
    int64_t p = 0;
    for (; p + 4 <= r.pixels; p += 4) {
      const __m512 v = block4<kOneChunk>(r, g, wr, r.x + p * r.in_c, whole, tail);
      float* o = out + p * r.pixel_step;
      if (g.rows == 0xf && r.pixel_step == 4) {
        _mm512_storeu_ps(o, v);
      } else {
        _mm_mask_storeu_ps(o, g.rows, _mm512_extractf32x4_ps(v, 0));
        _mm_mask_storeu_ps(o + r.pixel_step, g.rows, _mm512_extractf32x4_ps(v, 1));
        _mm_mask_storeu_ps(o + 2 * r.pixel_step, g.rows, _mm512_extractf32x4_ps(v, 2));
        _mm_mask_storeu_ps(o + 3 * r.pixel_step, g.rows, _mm512_extractf32x4_ps(v, 3));
      }
    }
    for (; p < r.pixels; ++p) {
      const float* x = r.x + p * r.in_c;
      __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
      for (int64_t c = 0; c < r.in_cp; c += 16) {
        const __m512 v = load_x(x, c, whole, tail);
        a0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(g.w[0] + c), a0);
        a1 = _mm512_fmadd_ps(v, _mm512_loadu_ps(g.w[1] + c), a1);
        a2 = _mm512_fmadd_ps(v, _mm512_loadu_ps(g.w[2] + c), a2);
        a3 = _mm512_fmadd_ps(v, _mm512_loadu_ps(g.w[3] + c), a3);
      }
      _mm_mask_storeu_ps(out + p * r.pixel_step, g.rows,
                         _mm_add_ps(sum4(a0, a1, a2, a3), g.bias));
    }
  }
}

}  // namespace

void transpose_conv_f32_rows_avx512(const TConvRows& r) {
  if (r.in_cp == 16) {
    rows<true>(r);
  } else {
    rows<false>(r);
  }
}

}  // namespace opscope::native::ukernels
