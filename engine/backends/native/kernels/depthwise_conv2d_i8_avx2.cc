// DEPTHWISE_CONV_2D int8 microkernel, AVX2: 8 channels per step in int32
// lanes; the requantization as in depthwise_conv2d_i8_avx512.cc (the high
// multiply's bits 31..62 are taken with logical 64-bit shifts, which AVX2
// has). A channel count that is not a multiple of 8 ends with a step whose
// input bytes are copied through a small buffer (no read past the tensor).
#include <immintrin.h>

#include <cstring>

#include "engine/backends/native/kernels/native_ukernels.h"
#include "engine/backends/native/kernels/requantize_avx2.h"

namespace opscope::native::ukernels {
namespace {

inline __m256i load8(const int8_t* p, int64_t n) {
  if (n >= 8) return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  int8_t buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(buf, p, static_cast<size_t>(n));
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(buf)));
}

inline void store8(int8_t* p, __m256i v, int64_t n) {
  const __m128i p16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i p8 = _mm_packs_epi16(p16, p16);
  if (n >= 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p), p8);
  } else {
    int8_t buf[16];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(buf), p8);
    std::memcpy(p, buf, static_cast<size_t>(n));
  }
}

}  // namespace

void depthwise_i8_avx2(const DepthwiseParams& p, const int8_t* input, int8_t* output) {
  const int64_t c_count = p.channels, cp = (c_count + 15) / 16 * 16;
  const int64_t row = p.in_w * c_count;
  const __m256i in_zp = _mm256_set1_epi32(p.input_zp);
  const __m256i out_zp = _mm256_set1_epi32(p.output_zp);
  const __m256i lo = _mm256_set1_epi32(p.act_min), hi = _mm256_set1_epi32(p.act_max);
  for (int64_t oy = 0; oy < p.out_h; ++oy) {
    const int64_t iy0 = oy * p.stride_h - p.pad_top;
    const bool row_inner = oy >= p.oy_begin && oy < p.oy_end;
    for (int64_t ox = 0; ox < p.out_w; ++ox) {
      const int64_t ix0 = ox * p.stride_w - p.pad_left;
      const bool inner = row_inner && ox >= p.ox_begin && ox < p.ox_end;
      int8_t* y = output + (oy * p.out_w + ox) * c_count;
      for (int64_t c = 0; c < c_count; c += 8) {
        const int64_t n = c_count - c;
        __m256i acc;
        if (inner) {
          acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.bias_inner + c));
          const int8_t* base = input + iy0 * row + ix0 * c_count + c;
          const int32_t* w = p.weights + c;
          for (int64_t ky = 0; ky < p.k_h; ++ky) {
            const int8_t* x = base + ky * p.dilation_h * row;
            for (int64_t kx = 0; kx < p.k_w; ++kx) {
              const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
              acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(load8(x, n), wv));
              x += p.dilation_w * c_count;
              w += cp;
            }
          }
        } else {
          acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.bias + c));
          for (int64_t ky = 0; ky < p.k_h; ++ky) {
            const int64_t iy = iy0 + ky * p.dilation_h;
            if (iy < 0 || iy >= p.in_h) continue;
            for (int64_t kx = 0; kx < p.k_w; ++kx) {
              const int64_t ix = ix0 + kx * p.dilation_w;
              if (ix < 0 || ix >= p.in_w) continue;
              const __m256i v =
                  _mm256_sub_epi32(load8(input + iy * row + ix * c_count + c, n), in_zp);
              const __m256i wv = _mm256_loadu_si256(
                  reinterpret_cast<const __m256i*>(p.weights + (ky * p.k_w + kx) * cp + c));
              acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(v, wv));
            }
          }
        }
        const Stage stage = load_stage(p.multiplier + c, p.left_shift + c, p.right_shift + c);
        __m256i v = _mm256_add_epi32(requantize(acc, stage), out_zp);
        v = _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
        store8(y + c, v, n);
      }
    }
  }
}

}  // namespace opscope::native::ukernels
