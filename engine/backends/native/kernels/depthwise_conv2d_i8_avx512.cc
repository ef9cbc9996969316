// DEPTHWISE_CONV_2D int8 microkernels, AVX-512 VNNI.
// - vpdpbusd (DepthwiseParams::quad): 64 output bytes per step, which span
//   pixels, so no lane idles for any channel count; inputs read as u8 (x +
//   128) and four taps per int32 lane, the +128 and the padding's zero point
//   folded into the bias.
// - vpdpwssd: 32 channels per step (or two pixels of up to 16 channels),
//   inputs widened to int16 and two taps per instruction (exact, |x - zp| <=
//   255 and |w| <= 128).
// Then TFLite's per-channel requantization (requantize_avx512.h).
// GCC 12 warns falsely (-Wmaybe-uninitialized, -Wuninitialized) about the
// intrinsics' _mm512_undefined_*() (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <immintrin.h>

#include <algorithm>
#include <type_traits>

#include "engine/backends/native/kernels/native_ukernels.h"
#include "engine/backends/native/kernels/requantize_avx512.h"

namespace opscope::native::ukernels {
namespace {

using avx512::load_stage;
using avx512::make_stage;
using avx512::requantize;
using avx512::Stage;

// Output-stage modes (template argument kMode): TFLite's fixed point with
// no channel shifting left (0) or some (1), or ONNX Runtime's float
// requantization (2, DepthwiseParams::float_scale_p).
constexpr int kFloatStage = 2;
// The quad path's one-rounding forms (DepthwiseParams::quad_short, and
// quad_relu without the negative products' correction).
constexpr int kShortStage = 3;
constexpr int kShortReluStage = 4;

// Vector r's output stage in the one-rounding form (qgemm.h), the output
// zero point folded in; k is the phase's constants (pack_quads).
template <int kMode>
inline __m512i short_stage(__m512i acc, const int32_t* k, int r) {
  const auto k64 = [&](int field, int half) __attribute__((always_inline)) {
    return _mm512_loadu_si512(k + 128 + 128 * field + 32 * r + 16 * half);
  };
  const __m512i mult = _mm512_loadu_si512(k + 64 + 16 * r);
  const __m512i te = _mm512_mul_epi32(acc, mult);
  const __m512i to = _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), _mm512_srli_epi64(mult, 32));
  __m512i ue = _mm512_add_epi64(te, k64(0, 0));
  __m512i uo = _mm512_add_epi64(to, k64(0, 1));
  if constexpr (kMode != kShortReluStage) {
    ue = _mm512_mask_sub_epi64(ue, _mm512_movepi64_mask(te), ue, k64(1, 0));
    uo = _mm512_mask_sub_epi64(uo, _mm512_movepi64_mask(to), uo, k64(1, 1));
  }
  ue = _mm512_srav_epi64(ue, k64(2, 0));
  uo = _mm512_srav_epi64(uo, k64(2, 1));
  // The odd results' low halves into the odd 32-bit lanes.
  return _mm512_mask_shuffle_epi32(ue, 0xAAAA, uo, _MM_PERM_CDAB);
}

// One vector's output stage, plus the output zero point. The float stage
// is requantize_float (fixed_point.h) with the clamp widened to +-2^15:
// every caller then saturates to int16 and int8 and clamps to the
// activation's range, which gives the same bytes (the clamps and the
// rounding are monotone, and the activation's range lies inside).
template <int kMode>
inline __m512i out_stage(__m512i acc, const Stage& st, __m512 scale, __m512i out_zp) {
  if constexpr (kMode == kFloatStage) {
    __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale);
    f = _mm512_min_ps(_mm512_max_ps(f, _mm512_set1_ps(-32768.0f)), _mm512_set1_ps(32767.0f));
    return _mm512_add_epi32(_mm512_cvtps_epi32(f), out_zp);
  } else {
    return _mm512_add_epi32(requantize<kMode == 1>(acc, st), out_zp);
  }
}

// The float scales of 16 lanes, or zeros in the fixed-point modes.
template <int kMode>
inline __m512 load_scale(const float* scale, int64_t offset) {
  // The scales exist in the float stage only (null otherwise: no offset
  // may be applied to it).
  if constexpr (kMode == kFloatStage) {
    return _mm512_loadu_ps(scale + offset);
  } else {
    return _mm512_setzero_ps();
  }
}

// 32 channels of one output pixel: the accumulators in unpack order, then
// the output stage, stored in channel order (packs_epi32 undoes the
// unpacks' interleave lane by lane).
template <int kMode>
inline void finish32(const Stage& lo_stage, const Stage& hi_stage, __m512 lo_scale,
                     __m512 hi_scale, __m512i out_zp, __m512i act_min,
                     __m512i act_max, __m512i acc_lo, __m512i acc_hi, __mmask32 m, int8_t* y) {
  const __m512i lo = out_stage<kMode>(acc_lo, lo_stage, lo_scale, out_zp);
  const __m512i hi = out_stage<kMode>(acc_hi, hi_stage, hi_scale, out_zp);
  __m512i v16 = _mm512_packs_epi32(lo, hi);
  v16 = _mm512_min_epi16(_mm512_max_epi16(v16, act_min), act_max);
  _mm256_mask_storeu_epi8(y, m, _mm512_cvtsepi16_epi8(v16));
}

template <int kMode>
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
        const __m512 lo_scale = load_scale<kMode>(p.float_scale_p, c);
        const __m512 hi_scale = load_scale<kMode>(p.float_scale_p, c + 16);
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
          finish32<kMode>(lo_stage, hi_stage, lo_scale, hi_scale, out_zp, act_min, act_max, acc_lo, acc_hi, m, y);
        }
      }
    }
  }
}

// Up to 16 channels: output pixels ox and ox + 1 share one block, pixel
// ox in int16 lanes 0-15, ox + 1 in lanes 16-31 (pixel_pairs), so no lane
// idles for 16 channels.
template <int kMode>
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
  const __m512 lo_scale = load_scale<kMode>(p.float_scale_p, 0);
  const __m512 hi_scale = load_scale<kMode>(p.float_scale_p, 16);
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
      const __m512i lo = out_stage<kMode>(acc_lo, lo_stage, lo_scale, out_zp);
      const __m512i hi = out_stage<kMode>(acc_hi, hi_stage, hi_scale, out_zp);
      __m512i v16 = _mm512_packs_epi32(lo, hi);
      v16 = _mm512_min_epi16(_mm512_max_epi16(v16, act_min), act_max);
      const __m256i bytes = _mm512_cvtsepi16_epi8(v16);
      _mm_mask_storeu_epi8(y, m, _mm256_castsi256_si128(bytes));
      if (has_b) _mm_mask_storeu_epi8(y + c_count, m, _mm256_extracti128_si256(bytes, 1));
    }
  }
}

// ------------------------------------------------------------ vpdpbusd path
// Bits [lo, hi) of a 64-bit mask, 0 <= lo, hi <= 64.
inline __mmask64 bit_range(int64_t lo, int64_t hi) {
  lo = std::max<int64_t>(lo, 0);
  hi = std::min<int64_t>(hi, 64);
  if (hi <= lo) return 0;
  const uint64_t upto = hi >= 64 ? ~uint64_t{0} : (uint64_t{1} << hi) - 1;
  return static_cast<__mmask64>(upto & ~((uint64_t{1} << lo) - 1));
}

// One 64-byte chunk (DepthwiseParams::quad): load(t) gives tap t's 64
// bytes, padding read as the input zero point; they are read as x + 128
// (u8), unpacked bytewise then wordwise so that an int32 lane holds four
// taps of one byte, and summed by vpdpbusd into four accumulators that
// start at the phase's bias. With padding read as the zero point, sum (x +
// 128) w + bias - (zp + 128) sum w is the reference's bias + sum over the
// taps inside of (x - zp) w, modulo 2^32.
template <int kMode, int kTaps, class Load>
__attribute__((always_inline)) inline void quad_chunk(int64_t taps, const Load& load,
                                                      const int8_t* w, const int32_t* k,
                                                      __m512i out_zp, __m512i act_min,
                                                      __m512i act_max, int8_t* y, bool masked,
                                                      __mmask64 ymask) {
  if constexpr (kTaps > 0) taps = kTaps;
  const int64_t groups = (taps + 3) / 4;
  const __m512i flip = _mm512_set1_epi8(-128);
  __m512i acc0 = _mm512_loadu_si512(k), acc1 = _mm512_loadu_si512(k + 16);
  __m512i acc2 = _mm512_loadu_si512(k + 32), acc3 = _mm512_loadu_si512(k + 48);
#pragma GCC unroll 8
  for (int64_t g = 0; g < groups; ++g) {
    // Taps past the last have weight 0: any vector will do.
    const __m512i x0 = _mm512_xor_si512(load(4 * g), flip);
    const __m512i x1 = 4 * g + 1 < taps ? _mm512_xor_si512(load(4 * g + 1), flip) : x0;
    const __m512i x2 = 4 * g + 2 < taps ? _mm512_xor_si512(load(4 * g + 2), flip) : x0;
    const __m512i x3 = 4 * g + 3 < taps ? _mm512_xor_si512(load(4 * g + 3), flip) : x0;
    const int8_t* wg = w + 256 * g;
    const __m512i lo01 = _mm512_unpacklo_epi8(x0, x1), hi01 = _mm512_unpackhi_epi8(x0, x1);
    const __m512i lo23 = _mm512_unpacklo_epi8(x2, x3), hi23 = _mm512_unpackhi_epi8(x2, x3);
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_unpacklo_epi16(lo01, lo23), _mm512_loadu_si512(wg));
    acc1 =
        _mm512_dpbusd_epi32(acc1, _mm512_unpackhi_epi16(lo01, lo23), _mm512_loadu_si512(wg + 64));
    acc2 =
        _mm512_dpbusd_epi32(acc2, _mm512_unpacklo_epi16(hi01, hi23), _mm512_loadu_si512(wg + 128));
    acc3 =
        _mm512_dpbusd_epi32(acc3, _mm512_unpackhi_epi16(hi01, hi23), _mm512_loadu_si512(wg + 192));
  }
  // The output stage per vector r (constants k[64 * (1 + field) + 16 r]),
  // then packs_epi32 and packs_epi16 put bytes back in chunk order.
  const auto stage = [&](int r) __attribute__((always_inline)) {
    Stage st;
    st.mult = _mm512_loadu_si512(k + 64 + 16 * r);
    st.left = kMode == 1 ? _mm512_loadu_si512(k + 128 + 16 * r) : _mm512_setzero_si512();
    st.right = _mm512_loadu_si512(k + 192 + 16 * r);
    st.rmask = _mm512_loadu_si512(k + 256 + 16 * r);
    st.rhalf = _mm512_loadu_si512(k + 320 + 16 * r);
    return st;
  };
  // The float stage's scales sit in the multiplier's place (pack_quads).
  const auto scale = [&](int r) __attribute__((always_inline)) {
    return kMode == kFloatStage ? _mm512_castsi512_ps(_mm512_loadu_si512(k + 64 + 16 * r))
                                : _mm512_setzero_ps();
  };
  __m512i v0, v1, v2, v3;
  if constexpr (kMode == kShortStage || kMode == kShortReluStage) {
    v0 = short_stage<kMode>(acc0, k, 0);
    v1 = short_stage<kMode>(acc1, k, 1);
    v2 = short_stage<kMode>(acc2, k, 2);
    v3 = short_stage<kMode>(acc3, k, 3);
  } else {
    v0 = out_stage<kMode>(acc0, stage(0), scale(0), out_zp);
    v1 = out_stage<kMode>(acc1, stage(1), scale(1), out_zp);
    v2 = out_stage<kMode>(acc2, stage(2), scale(2), out_zp);
    v3 = out_stage<kMode>(acc3, stage(3), scale(3), out_zp);
  }
  __m512i b = _mm512_packs_epi16(_mm512_packs_epi32(v0, v1), _mm512_packs_epi32(v2, v3));
  b = _mm512_min_epi8(_mm512_max_epi8(b, act_min), act_max);
  if (masked) {
    _mm512_mask_storeu_epi8(y, ymask, b);
  } else {
    _mm512_storeu_si512(y, b);
  }
}

template <int kMode, int kTaps>
void depthwise_quad_avx512(const DepthwiseParams& p, const int8_t* input, int8_t* output) {
  constexpr int64_t kMaxTaps = 64, kMaxPieces = 2;
  const int64_t c_count = p.channels, taps = p.k_h * p.k_w, groups = p.quad_groups;
  const int64_t row_in = p.in_w * c_count, row_out = p.out_w * c_count;
  const int64_t w_phase = groups * 256, k_phase = kQuadConsts * 64;
  const __m512i zp_pad = _mm512_set1_epi8(static_cast<char>(p.input_zp));
  const __m512i out_zp = _mm512_set1_epi32(p.output_zp);
  const __m512i act_min = _mm512_set1_epi8(static_cast<char>(p.act_min));
  const __m512i act_max = _mm512_set1_epi8(static_cast<char>(p.act_max));
  // Per tap (padded to whole groups with copies of tap 0, weight 0): its
  // row and column offsets from the window's corner.
  const int64_t n = groups * 4;
  int64_t ky[kMaxTaps + 4], kx[kMaxTaps + 4], kcol[kMaxTaps + 4], off[kMaxTaps + 4];
  __mmask64 tmask[(kMaxTaps + 4) * kMaxPieces];
  for (int64_t t = 0; t < n; ++t) {
    const int64_t tt = t < taps ? t : 0;
    ky[t] = (tt / p.k_w) * p.dilation_h;
    kx[t] = (tt % p.k_w) * p.dilation_w;
    kcol[t] = tt % p.k_w;
  }
  // stride_w 1, border chunks: a tap's mask is its window column's bytes
  // inside the input row (colmask, per chunk), or none if its row is
  // outside (row_ok, per output row).
  bool row_ok[kMaxTaps + 4];
  __mmask64 colmask[kMaxTaps];
  for (int64_t oy = 0; oy < p.out_h; ++oy) {
    const int64_t iy0 = oy * p.stride_h - p.pad_top;
    const bool row_inner = oy >= p.oy_begin && oy < p.oy_end;
    int8_t* out_row = output + oy * row_out;
    if (p.quad_flat) {
      // Chunk q of the output row: its byte i of output pixel ox reads
      // input + off[t] + q + ox * (stride_w - 1) * channels + i, with off[t]
      // the tap's row and (kx - pad_left) * channels. Rows outside the input
      // read as padding (mask 0, address of row 0).
      for (int64_t t = 0; t < n; ++t) {
        const int64_t iy = iy0 + ky[t];
        row_ok[t] = iy >= 0 && iy < p.in_h;
        off[t] = (row_ok[t] ? iy * row_in : 0) + (kx[t] - p.pad_left) * c_count;
      }
    }
    if (p.quad_flat && p.stride_w == 1) {
      // The chunks whose windows lie inside the input: q + 64 <= fast_hi.
      const int64_t fast_lo = p.pad_left * c_count;
      const int64_t fast_hi = std::min(row_in - ((p.k_w - 1) * p.dilation_w - p.pad_left) * c_count,
                                       row_out);
      int64_t s = 0;  // the chunk's first channel
      for (int64_t q = 0; q < row_out; q += 64, s = (s + 64) % c_count) {
        const int64_t ph = s / p.quad_step;
        const int8_t* w = p.quad_weights + ph * w_phase;
        const int32_t* k = p.quad_consts + ph * k_phase;
        const int8_t* base = input + q;
        if (row_inner && q >= fast_lo && q + 64 <= fast_hi) {
          quad_chunk<kMode, kTaps>(
              taps, [&](int64_t t) __attribute__((always_inline)) {
                return _mm512_loadu_si512(base + off[t]);
              },
              w, k, out_zp, act_min, act_max, out_row + q, false, 0);
          continue;
        }
        for (int64_t c = 0; c < p.k_w; ++c) {
          const int64_t start = q + (c * p.dilation_w - p.pad_left) * c_count;
          colmask[c] = bit_range(-start, row_in - start);
        }
        for (int64_t t = 0; t < n; ++t) tmask[t] = row_ok[t] ? colmask[kcol[t]] : 0;
        quad_chunk<kMode, kTaps>(
            taps, [&](int64_t t) __attribute__((always_inline)) {
              return _mm512_mask_loadu_epi8(zp_pad, tmask[t], base + off[t]);
            },
            w, k, out_zp, act_min, act_max, out_row + q, true, bit_range(0, row_out - q));
      }
    } else if (p.quad_flat) {
      // stride_w > 1: one masked load per output pixel in the chunk (at
      // most kMaxPieces: channels >= 64), pixel ox at + ox * skip.
      const int64_t skip = (p.stride_w - 1) * c_count;
      int64_t s = 0, ox_a = 0;  // the chunk's first channel and pixel
      for (int64_t q = 0; q < row_out; q += 64) {
        const int64_t ph = s / p.quad_step;
        const int8_t* w = p.quad_weights + ph * w_phase;
        const int32_t* k = p.quad_consts + ph * k_phase;
        const int8_t* base = input + q;
        const int64_t end = std::min(q + 64, row_out);
        int64_t pieces = 1;
        while ((ox_a + pieces) * c_count < end) ++pieces;
        const bool inner = row_inner && q + 64 <= row_out && ox_a >= p.ox_begin &&
                           ox_a + pieces <= p.ox_end;
        int64_t poff[kMaxPieces];
        __mmask64 pmask[kMaxPieces];
        for (int64_t j = 0; j < pieces; ++j) {
          const int64_t ox = ox_a + j;
          poff[j] = ox * skip;
          pmask[j] = bit_range(ox * c_count - q, std::min((ox + 1) * c_count, row_out) - q);
        }
        if (!inner) {
          for (int64_t t = 0; t < n; ++t) {
            const int64_t iy = iy0 + ky[t];
            const bool row_ok = iy >= 0 && iy < p.in_h;
            for (int64_t j = 0; j < pieces; ++j) {
              const int64_t ix = (ox_a + j) * p.stride_w - p.pad_left + kx[t];
              tmask[t * kMaxPieces + j] = row_ok && ix >= 0 && ix < p.in_w ? pmask[j] : 0;
            }
          }
        }
        const auto run = [&](auto count) __attribute__((always_inline)) {
          constexpr int64_t kPieces = decltype(count)::value;
          if (inner) {
            quad_chunk<kMode, kTaps>(
                taps, [&](int64_t t) __attribute__((always_inline)) {
                  // Inner: the first pixel's 64 bytes lie inside the input
                  // (the window of the chunk's last pixel ends further on),
                  // and the next pixel's bytes replace what follows it.
                  const int8_t* a = base + off[t];
                  __m512i x = _mm512_loadu_si512(a + poff[0]);
                  for (int64_t j = 1; j < kPieces; ++j) {
                    x = _mm512_mask_loadu_epi8(x, pmask[j], a + poff[j]);
                  }
                  return x;
                },
                w, k, out_zp, act_min, act_max, out_row + q, false, 0);
          } else {
            quad_chunk<kMode, kTaps>(
                taps, [&](int64_t t) __attribute__((always_inline)) {
                  const int8_t* a = base + off[t];
                  __m512i x = zp_pad;
                  for (int64_t j = 0; j < kPieces; ++j) {
                    x = _mm512_mask_loadu_epi8(x, tmask[t * kMaxPieces + j], a + poff[j]);
                  }
                  return x;
                },
                w, k, out_zp, act_min, act_max, out_row + q, true, bit_range(0, row_out - q));
          }
        };
        if (pieces == 1) {
          run(std::integral_constant<int64_t, 1>{});
        } else {
          run(std::integral_constant<int64_t, 2>{});
        }
        for (s += 64; s >= c_count; s -= c_count) ++ox_a;
      }
    } else {
      // 64 channels of one pixel per chunk.
      for (int64_t ox = 0; ox < p.out_w; ++ox) {
        const int64_t ix0 = ox * p.stride_w - p.pad_left;
        const bool inner = row_inner && ox >= p.ox_begin && ox < p.ox_end;
        for (int64_t t = 0; t < n; ++t) {
          const int64_t iy = iy0 + ky[t], ix = ix0 + kx[t];
          const bool valid = iy >= 0 && iy < p.in_h && ix >= 0 && ix < p.in_w;
          off[t] = valid ? iy * row_in + ix * c_count : 0;
          tmask[t] = valid ? ~__mmask64{0} : 0;
        }
        int8_t* y = out_row + ox * c_count;
        for (int64_t c = 0, ph = 0; c < c_count; c += 64, ++ph) {
          const int8_t* w = p.quad_weights + ph * w_phase;
          const int32_t* k = p.quad_consts + ph * k_phase;
          const int8_t* base = input + c;
          if (inner && c + 64 <= c_count) {
            quad_chunk<kMode, kTaps>(
                taps, [&](int64_t t) __attribute__((always_inline)) {
                  return _mm512_loadu_si512(base + off[t]);
                },
                w, k, out_zp, act_min, act_max, y + c, false, 0);
          } else {
            const __mmask64 cm = bit_range(0, c_count - c);
            quad_chunk<kMode, kTaps>(
                taps, [&](int64_t t) __attribute__((always_inline)) {
                  return _mm512_mask_loadu_epi8(zp_pad, tmask[t] & cm, base + off[t]);
                },
                w, k, out_zp, act_min, act_max, y + c, true, cm);
          }
        }
      }
    }
  }
}

}  // namespace

void depthwise_i8_avx512(const DepthwiseParams& p, const int8_t* input, int8_t* output) {
  const auto run = [&](auto mode) {
    constexpr int kMode = decltype(mode)::value;
    if constexpr (kMode == kShortStage || kMode == kShortReluStage) {
      const int64_t taps = p.k_h * p.k_w;
      if (taps == 9) {
        depthwise_quad_avx512<kMode, 9>(p, input, output);
      } else if (taps == 25) {
        depthwise_quad_avx512<kMode, 25>(p, input, output);
      } else {
        depthwise_quad_avx512<kMode, 0>(p, input, output);
      }
    } else if (p.quad) {
      // 3x3 and 5x5 windows unrolled.
      const int64_t taps = p.k_h * p.k_w;
      if (taps == 9) {
        depthwise_quad_avx512<kMode, 9>(p, input, output);
      } else if (taps == 25) {
        depthwise_quad_avx512<kMode, 25>(p, input, output);
      } else {
        depthwise_quad_avx512<kMode, 0>(p, input, output);
      }
    } else if (p.pixel_pairs) {
      depthwise_pairs_avx512<kMode>(p, input, output);
    } else {
      depthwise_avx512<kMode>(p, input, output);
    }
  };
  if (p.quad && p.quad_relu) {
    run(std::integral_constant<int, kShortReluStage>{});
  } else if (p.quad && p.quad_short) {
    run(std::integral_constant<int, kShortStage>{});
  } else if (p.float_scale_p != nullptr) {
    run(std::integral_constant<int, kFloatStage>{});
  } else if (p.any_left_shift) {
    run(std::integral_constant<int, 1>{});
  } else {
    run(std::integral_constant<int, 0>{});
  }
}

}  // namespace opscope::native::ukernels
