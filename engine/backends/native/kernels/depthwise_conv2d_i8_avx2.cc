// DEPTHWISE_CONV_2D int8 microkernel, AVX2 (vpmaddwd on tap pairs), with
// requantize_avx2.h's output stage, or ONNX Runtime's float one
// (DepthwiseParams::float_scale_p). A channel count that is not a multiple
// of 16 ends with a block whose input bytes are copied through a small
// buffer (no read past the tensor).
#include <immintrin.h>

#include <cstring>

#include "engine/backends/native/kernels/native_ukernels.h"
#include "engine/backends/native/kernels/requantize_avx2.h"

namespace opscope::native::ukernels {
namespace {

using avx2::load_stage;
using avx2::make_stage;
using avx2::requantize;
using avx2::Stage;

// 16 int8 values widened to int16; n < 16 reads only n (through a buffer).
inline __m256i load16(const int8_t* p, int64_t n) {
  if (n >= 16) return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  if (n == 8) return _mm256_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  alignas(16) int8_t buf[16] = {};
  std::memcpy(buf, p, static_cast<size_t>(n));
  return _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(buf)));
}

}  // namespace

// 16 channels per block: inputs widened to int16, two taps per vpmaddwd
// (int16 pairs summed into int32), with the AVX-512 kernel's packed layout
// read in halves: 16-channel block 2b + h uses lanes 8h..8h+7 of the
// 32-channel block b's unpacklo and unpackhi parts (the 256-bit unpacks
// interleave the same way, lane by lane).
void depthwise_i8_avx2(const DepthwiseParams& p, const int8_t* input, int8_t* output) {
  const int64_t c_count = p.channels, blocks32 = (c_count + 31) / 32;
  const int64_t blocks = (c_count + 15) / 16;
  const int64_t row = p.in_w * c_count, taps = p.k_h * p.k_w, pairs = (taps + 1) / 2;
  const int64_t w_step = blocks32 * 64;
  const __m256i in_zp = _mm256_set1_epi16(static_cast<int16_t>(p.input_zp));
  const __m256i out_zp = _mm256_set1_epi32(p.output_zp);
  const __m256i act_min = _mm256_set1_epi16(static_cast<int16_t>(p.act_min));
  const __m256i act_max = _mm256_set1_epi16(static_cast<int16_t>(p.act_max));
  const __m256 float_lo = _mm256_set1_ps(static_cast<float>(p.act_min - p.output_zp));
  const __m256 float_hi = _mm256_set1_ps(static_cast<float>(p.act_max - p.output_zp));
  constexpr int64_t kMaxTaps = 64;
  int64_t offsets[kMaxTaps + 1];
  const bool table = taps <= kMaxTaps;
  if (table) {
    for (int64_t t = 0; t < taps; ++t) {
      offsets[t] = (t / p.k_w) * p.dilation_h * row + (t % p.k_w) * p.dilation_w * c_count;
    }
  }
  const auto load = [](const int32_t* q) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
  };
  for (int64_t oy = 0; oy < p.out_h; ++oy) {
    const int64_t iy0 = oy * p.stride_h - p.pad_top;
    const bool row_inner = oy >= p.oy_begin && oy < p.oy_end;
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t c = b * 16, n = c_count - c;
      // Lanes of the 32-channel layout: lo part, then hi part.
      const int64_t lo_lane = (b / 2) * 32 + (b % 2) * 8, hi_lane = lo_lane + 16;
      const Stage lo_stage =
          load_stage(p.multiplier_p + lo_lane, p.left_shift_p + lo_lane, p.right_shift_p + lo_lane);
      const Stage hi_stage =
          load_stage(p.multiplier_p + hi_lane, p.left_shift_p + hi_lane, p.right_shift_p + hi_lane);
      const __m256i bias_inner_lo = load(p.bias_inner_p + lo_lane);
      const __m256i bias_inner_hi = load(p.bias_inner_p + hi_lane);
      const __m256i bias_lo = load(p.bias_p + lo_lane);
      const __m256i bias_hi = load(p.bias_p + hi_lane);
      const int16_t* w0 = p.pair_weights + (b / 2) * 64 + (b % 2) * 16;
      for (int64_t ox = 0; ox < p.out_w; ++ox) {
        const int64_t ix0 = ox * p.stride_w - p.pad_left;
        const bool inner = row_inner && ox >= p.ox_begin && ox < p.ox_end;
        const int16_t* w = w0;
        __m256i acc_lo, acc_hi;
        if (inner && table) {
          acc_lo = bias_inner_lo;
          acc_hi = bias_inner_hi;
          const int8_t* base = input + iy0 * row + ix0 * c_count + c;
          for (int64_t pr = 0; pr < pairs; ++pr, w += w_step) {
            const int64_t t = 2 * pr;
            const __m256i x0 = load16(base + offsets[t], n);
            const __m256i x1 =
                t + 1 < taps ? load16(base + offsets[t + 1], n) : _mm256_setzero_si256();
            const __m256i wl = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
            const __m256i wh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 32));
            acc_lo = _mm256_add_epi32(acc_lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), wl));
            acc_hi = _mm256_add_epi32(acc_hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), wh));
          }
        } else {
          acc_lo = bias_lo;
          acc_hi = bias_hi;
          // x - input_zp of tap t, or 0 outside the input.
          const auto tap = [&](int64_t t) {
            if (t >= taps) return _mm256_setzero_si256();
            const int64_t iy = iy0 + (t / p.k_w) * p.dilation_h;
            const int64_t ix = ix0 + (t % p.k_w) * p.dilation_w;
            if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) return _mm256_setzero_si256();
            return _mm256_sub_epi16(load16(input + iy * row + ix * c_count + c, n), in_zp);
          };
          for (int64_t pr = 0; pr < pairs; ++pr, w += w_step) {
            const __m256i x0 = tap(2 * pr), x1 = tap(2 * pr + 1);
            const __m256i wl = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
            const __m256i wh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 32));
            acc_lo = _mm256_add_epi32(acc_lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), wl));
            acc_hi = _mm256_add_epi32(acc_hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), wh));
          }
        }
        __m256i lo, hi;
        if (p.float_scale_p != nullptr) {
          // requantize_float (fixed_point.h) lane by lane.
          const auto stage = [&](__m256i acc, int64_t lane) {
            __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(p.float_scale_p + lane));
            f = _mm256_min_ps(_mm256_max_ps(f, float_lo), float_hi);
            return _mm256_add_epi32(_mm256_cvtps_epi32(f), out_zp);
          };
          lo = stage(acc_lo, lo_lane);
          hi = stage(acc_hi, hi_lane);
        } else {
          lo = _mm256_add_epi32(requantize(acc_lo, lo_stage), out_zp);
          hi = _mm256_add_epi32(requantize(acc_hi, hi_stage), out_zp);
        }
        __m256i v16 = _mm256_packs_epi32(lo, hi);  // channel order, lane by lane
        v16 = _mm256_min_epi16(_mm256_max_epi16(v16, act_min), act_max);
        const __m256i v8 = _mm256_permute4x64_epi64(_mm256_packs_epi16(v16, v16), 0x08);
        int8_t* y = output + (oy * p.out_w + ox) * c_count + c;
        if (n >= 16) {
          _mm_storeu_si128(reinterpret_cast<__m128i*>(y), _mm256_castsi256_si128(v8));
        } else {
          alignas(16) int8_t buf[16];
          _mm_store_si128(reinterpret_cast<__m128i*>(buf), _mm256_castsi256_si128(v8));
          std::memcpy(y, buf, static_cast<size_t>(n));
        }
      }
    }
  }
}

}  // namespace opscope::native::ukernels
