// DEPTHWISE_CONV_2D int8 microkernel, AVX-512 VNNI: 32 channels per step,
// inputs widened to int16 and two taps per vpdpwssd (int16 pairs summed into
// int32: exact, |x - zp| <= 255 and |w| <= 128), the taps of the window
// accumulated in two registers, then TFLite's per-channel requantization
// (requantize_avx512.h).
// GCC 12 warns falsely about the intrinsics' _mm512_undefined_*() (GCC bug
// 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <immintrin.h>

#include <algorithm>

#include "engine/backends/native/kernels/native_ukernels.h"
#include "engine/backends/native/kernels/requantize_avx512.h"

namespace opscope::native::ukernels {
namespace {

using avx512::load_stage;
using avx512::make_stage;
using avx512::requantize;
using avx512::Stage;

// 32 channels of one output pixel: the accumulators in unpack order, then
// the output stage, stored in channel order (packs_epi32 undoes the
// unpacks' interleave lane by lane).
template <bool kLeftShift>
inline void finish32(const Stage& lo_stage, const Stage& hi_stage, __m512i out_zp, __m512i act_min,
                     __m512i act_max, __m512i acc_lo, __m512i acc_hi, __mmask32 m, int8_t* y) {
  const __m512i lo = _mm512_add_epi32(requantize<kLeftShift>(acc_lo, lo_stage), out_zp);
  const __m512i hi = _mm512_add_epi32(requantize<kLeftShift>(acc_hi, hi_stage), out_zp);
  __m512i v16 = _mm512_packs_epi32(lo, hi);
  v16 = _mm512_min_epi16(_mm512_max_epi16(v16, act_min), act_max);
  _mm256_mask_storeu_epi8(y, m, _mm512_cvtsepi16_epi8(v16));
}

template <bool kLeftShift>
void depthwise_avx512(const DepthwiseParams& p, const int8_t* input, int8_t* output) {
  const int64_t c_count = p.channels, blocks = (c_count + 31) / 32;
  const int64_t row = p.in_w * c_count, taps = p.k_h * p.k_w, pairs = (taps + 1) / 2;
  const __m512i in_zp = _mm512_set1_epi16(static_cast<int16_t>(p.input_zp));
  // Input offsets of the taps from the window's corner, for interior pixels.
  constexpr int64_t kMaxTaps = 64;
  int64_t offsets[kMaxTaps + 1];
  const bool table = taps <= kMaxTaps;
  if (table) {
    for (int64_t t = 0; t < taps; ++t) {
      offsets[t] = (t / p.k_w) * p.dilation_h * row + (t % p.k_w) * p.dilation_w * c_count;
    }
  }
  const __m512i out_zp = _mm512_set1_epi32(p.output_zp);
  const __m512i act_min = _mm512_set1_epi16(static_cast<int16_t>(p.act_min));
  const __m512i act_max = _mm512_set1_epi16(static_cast<int16_t>(p.act_max));
  const int64_t w_step = blocks * 64;
  // Output rows outermost, then tiles of kTile output pixels (the input they
  // read, all channels, stays in L1), then channel blocks: a block's output
  // stage and biases are loaded into registers once per tile (stores of int8
  // may alias any memory, so the compiler would reload them per pixel
  // otherwise).
  constexpr int64_t kTile = 8;
  for (int64_t oy = 0; oy < p.out_h; ++oy) {
    const int64_t iy0 = oy * p.stride_h - p.pad_top;
    const bool row_inner = oy >= p.oy_begin && oy < p.oy_end;
    for (int64_t ox0 = 0; ox0 < p.out_w; ox0 += kTile) {
      const int64_t ox1 = std::min(ox0 + kTile, p.out_w);
      for (int64_t b = 0; b < blocks; ++b) {
        const int64_t c = b * 32, left = c_count - c;
        const __mmask32 m = left >= 32 ? ~__mmask32{0} : ((__mmask32{1} << left) - 1);
        const Stage lo_stage =
            load_stage(p.multiplier_p + c, p.left_shift_p + c, p.right_shift_p + c);
        const Stage hi_stage =
            load_stage(p.multiplier_p + c + 16, p.left_shift_p + c + 16, p.right_shift_p + c + 16);
        const __m512i bias_inner_lo = _mm512_loadu_si512(p.bias_inner_p + c);
        const __m512i bias_inner_hi = _mm512_loadu_si512(p.bias_inner_p + c + 16);
        const __m512i bias_lo = _mm512_loadu_si512(p.bias_p + c);
        const __m512i bias_hi = _mm512_loadu_si512(p.bias_p + c + 16);
        const int16_t* w0 = p.pair_weights + b * 64;
        for (int64_t ox = ox0; ox < ox1; ++ox) {
          const int64_t ix0 = ox * p.stride_w - p.pad_left;
          const bool inner = table && row_inner && ox >= p.ox_begin && ox < p.ox_end;
          int8_t* y = output + (oy * p.out_w + ox) * c_count + c;
          const int16_t* w = w0;
          __m512i acc_lo, acc_hi;
          if (inner) {
            acc_lo = bias_inner_lo;
            acc_hi = bias_inner_hi;
            const int8_t* base = input + iy0 * row + ix0 * c_count + c;
            for (int64_t pr = 0; pr < pairs; ++pr, w += w_step) {
              const int64_t t = 2 * pr;
              const __m512i x0 =
                  _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, base + offsets[t]));
              const __m512i x1 =
                  t + 1 < taps
                      ? _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, base + offsets[t + 1]))
                      : _mm512_setzero_si512();
              acc_lo =
                  _mm512_dpwssd_epi32(acc_lo, _mm512_unpacklo_epi16(x0, x1), _mm512_loadu_si512(w));
              acc_hi = _mm512_dpwssd_epi32(acc_hi, _mm512_unpackhi_epi16(x0, x1),
                                           _mm512_loadu_si512(w + 32));
            }
          } else {
            acc_lo = bias_lo;
            acc_hi = bias_hi;
            // x - input_zp of tap t, or 0 for a tap outside the input.
            const auto tap = [&](int64_t t) {
              if (t >= taps) return _mm512_setzero_si512();
              const int64_t iy = iy0 + (t / p.k_w) * p.dilation_h;
              const int64_t ix = ix0 + (t % p.k_w) * p.dilation_w;
              if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) return _mm512_setzero_si512();
              return _mm512_sub_epi16(_mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(
                                          m, input + iy * row + ix * c_count + c)),
                                      in_zp);
            };
            for (int64_t pr = 0; pr < pairs; ++pr, w += w_step) {
              const __m512i x0 = tap(2 * pr), x1 = tap(2 * pr + 1);
              acc_lo =
                  _mm512_dpwssd_epi32(acc_lo, _mm512_unpacklo_epi16(x0, x1), _mm512_loadu_si512(w));
              acc_hi = _mm512_dpwssd_epi32(acc_hi, _mm512_unpackhi_epi16(x0, x1),
                                           _mm512_loadu_si512(w + 32));
            }
          }
          finish32<kLeftShift>(lo_stage, hi_stage, out_zp, act_min, act_max, acc_lo, acc_hi, m, y);
        }
      }
    }
  }
}

// Up to 16 channels: output pixels ox and ox + 1 share one block, pixel
// ox in int16 lanes 0-15, ox + 1 in lanes 16-31 (pixel_pairs), so no lane
// idles for 16 channels.
template <bool kLeftShift>
void depthwise_pairs_avx512(const DepthwiseParams& p, const int8_t* input, int8_t* output) {
  const int64_t c_count = p.channels;
  const int64_t row = p.in_w * c_count, taps = p.k_h * p.k_w, pairs = (taps + 1) / 2;
  const __m256i in_zp = _mm256_set1_epi16(static_cast<int16_t>(p.input_zp));
  constexpr int64_t kMaxTaps = 64;
  int64_t offsets[kMaxTaps + 1];
  const bool table = taps <= kMaxTaps;
  if (table) {
    for (int64_t t = 0; t < taps; ++t) {
      offsets[t] = (t / p.k_w) * p.dilation_h * row + (t % p.k_w) * p.dilation_w * c_count;
    }
  }
  const __mmask16 m = static_cast<__mmask16>((1u << c_count) - 1);
  const __m512i out_zp = _mm512_set1_epi32(p.output_zp);
  const __m512i act_min = _mm512_set1_epi16(static_cast<int16_t>(p.act_min));
  const __m512i act_max = _mm512_set1_epi16(static_cast<int16_t>(p.act_max));
  const Stage lo_stage = load_stage(p.multiplier_p, p.left_shift_p, p.right_shift_p);
  const Stage hi_stage = load_stage(p.multiplier_p + 16, p.left_shift_p + 16, p.right_shift_p + 16);
  const __m512i bias_inner_lo = _mm512_loadu_si512(p.bias_inner_p);
  const __m512i bias_inner_hi = _mm512_loadu_si512(p.bias_inner_p + 16);
  const __m512i bias_lo = _mm512_loadu_si512(p.bias_p);
  const __m512i bias_hi = _mm512_loadu_si512(p.bias_p + 16);
  const int64_t pixel_step = p.stride_w * c_count;
  for (int64_t oy = 0; oy < p.out_h; ++oy) {
    const int64_t iy0 = oy * p.stride_h - p.pad_top;
    const bool row_inner = oy >= p.oy_begin && oy < p.oy_end;
    for (int64_t ox = 0; ox < p.out_w; ox += 2) {
      const bool has_b = ox + 1 < p.out_w;
      const int64_t ix0 = ox * p.stride_w - p.pad_left;
      const bool inner = table && row_inner && ox >= p.ox_begin && ox + 1 < p.ox_end;
      int8_t* y = output + (oy * p.out_w + ox) * c_count;
      const int16_t* w = p.pair_weights;
      __m512i acc_lo, acc_hi;
      if (inner) {
        acc_lo = bias_inner_lo;
        acc_hi = bias_inner_hi;
        const int8_t* base = input + iy0 * row + ix0 * c_count;
        const auto tap = [&](int64_t t) {
          const int8_t* a = base + offsets[t];
          const __m256i both =
              _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_maskz_loadu_epi8(m, a)),
                                      _mm_maskz_loadu_epi8(m, a + pixel_step), 1);
          return _mm512_cvtepi8_epi16(both);
        };
        for (int64_t pr = 0; pr < pairs; ++pr, w += 64) {
          const int64_t t = 2 * pr;
          const __m512i x0 = tap(t);
          const __m512i x1 = t + 1 < taps ? tap(t + 1) : _mm512_setzero_si512();
          acc_lo =
              _mm512_dpwssd_epi32(acc_lo, _mm512_unpacklo_epi16(x0, x1), _mm512_loadu_si512(w));
          acc_hi = _mm512_dpwssd_epi32(acc_hi, _mm512_unpackhi_epi16(x0, x1),
                                       _mm512_loadu_si512(w + 32));
        }
      } else {
        acc_lo = bias_lo;
        acc_hi = bias_hi;
        // x - input_zp of tap t of pixel ox + k, or 0 outside the input (or
        // past the row's end).
        const auto half = [&](int64_t t, int64_t k) {
          if (t >= taps || (k == 1 && !has_b)) return _mm256_setzero_si256();
          const int64_t iy = iy0 + (t / p.k_w) * p.dilation_h;
          const int64_t ix = ix0 + k * p.stride_w + (t % p.k_w) * p.dilation_w;
          if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) return _mm256_setzero_si256();
          return _mm256_sub_epi16(
              _mm256_cvtepi8_epi16(_mm_maskz_loadu_epi8(m, input + iy * row + ix * c_count)),
              in_zp);
        };
        const auto tap = [&](int64_t t) {
          return _mm512_inserti64x4(_mm512_castsi256_si512(half(t, 0)), half(t, 1), 1);
        };
        for (int64_t pr = 0; pr < pairs; ++pr, w += 64) {
          const __m512i x0 = tap(2 * pr), x1 = tap(2 * pr + 1);
          acc_lo =
              _mm512_dpwssd_epi32(acc_lo, _mm512_unpacklo_epi16(x0, x1), _mm512_loadu_si512(w));
          acc_hi = _mm512_dpwssd_epi32(acc_hi, _mm512_unpackhi_epi16(x0, x1),
                                       _mm512_loadu_si512(w + 32));
        }
      }
      const __m512i lo = _mm512_add_epi32(requantize<kLeftShift>(acc_lo, lo_stage), out_zp);
      const __m512i hi = _mm512_add_epi32(requantize<kLeftShift>(acc_hi, hi_stage), out_zp);
      __m512i v16 = _mm512_packs_epi32(lo, hi);
      v16 = _mm512_min_epi16(_mm512_max_epi16(v16, act_min), act_max);
      const __m256i bytes = _mm512_cvtsepi16_epi8(v16);
      _mm_mask_storeu_epi8(y, m, _mm256_castsi256_si128(bytes));
      if (has_b) _mm_mask_storeu_epi8(y + c_count, m, _mm256_extracti128_si256(bytes, 1));
    }
  }
}

}  // namespace

void depthwise_i8_avx512(const DepthwiseParams& p, const int8_t* input, int8_t* output) {
  if (p.pixel_pairs) {
    if (p.any_left_shift) {
      depthwise_pairs_avx512<true>(p, input, output);
    } else {
      depthwise_pairs_avx512<false>(p, input, output);
    }
  } else if (p.any_left_shift) {
    depthwise_avx512<true>(p, input, output);
  } else {
    depthwise_avx512<false>(p, input, output);
  }
}

}  // namespace opscope::native::ukernels
