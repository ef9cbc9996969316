// The native int8 GEMM's AVX-512 VNNI microkernels (qgemm.h): tiles of MR
// rows x NB panels of 16 channels, 512-bit vpdpbusd (u8 x s8 -> s32) on K
// in groups of 4, with the requantization vectorized exactly. Compiled
// with -mavx512f/bw/dq/vl -mavx512vnni; called only when the CPU has them.
// GCC 12 warns of the "uninitialized" __Y inside its own AVX-512
// intrinsics (_mm512_undefined_epi32 in masked forms, and in
// _mm512_broadcast_i32x4 / _mm512_shuffle_epi32 as -Wuninitialized): a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "engine/backends/native/qgemm.h"

namespace opscope::native {
namespace {

struct Params16 {
  __m512i mult, lshift, rshift, rmask, rhalf;
  __m512 scale;  // rq.float_mode only
};

inline Params16 load_params(const QGemmRequant& rq, int64_t col) {
  Params16 p;
  p.mult = _mm512_loadu_si512(rq.multiplier.data() + col);
  p.lshift = _mm512_loadu_si512(rq.left_shift.data() + col);
  p.rshift = _mm512_loadu_si512(rq.right_shift.data() + col);
  p.rmask = _mm512_loadu_si512(rq.rmask.data() + col);
  p.rhalf = _mm512_loadu_si512(rq.rhalf.data() + col);
  p.scale = rq.float_mode ? _mm512_loadu_ps(rq.float_scale.data() + col) : _mm512_setzero_ps();
  return p;
}

// requantize_one (qgemm_requant.h) on 16 lanes, of sums that started
// at the folded bias (tile()).
inline __m512i requant16(__m512i acc, const Params16& p, const QGemmRequant& rq) {
  if (rq.float_mode) {
    // requantize_float (fixed_point.h) lane by lane.
    __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), p.scale);
    f = _mm512_max_ps(f, _mm512_set1_ps(static_cast<float>(rq.min - rq.output_zp)));
    f = _mm512_min_ps(f, _mm512_set1_ps(static_cast<float>(rq.max - rq.output_zp)));
    return _mm512_add_epi32(_mm512_cvtps_epi32(f), _mm512_set1_epi32(rq.output_zp));
  }
  __m512i x = acc;
  if (rq.any_left_shift) {
    const __m512i s = _mm512_sllv_epi32(x, p.lshift);
    const __mmask16 overflow = _mm512_cmpneq_epi32_mask(_mm512_srav_epi32(s, p.lshift), x);
    const __m512i sat = _mm512_xor_si512(_mm512_srai_epi32(x, 31), _mm512_set1_epi32(INT_MAX));
    x = _mm512_mask_blend_epi32(overflow, s, sat);
  }
  // Saturating rounding doubling high multiply with a multiplier >= 0:
  // floor((x * m + 2^30) / 2^31) in every case (qgemm.h); the low 32 bits
  // of a logical 64-bit shift are those of the arithmetic one.
  const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
  const __m512i even =
      _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(x, p.mult), nudge), 31);
  const __m512i odd = _mm512_srli_epi64(
      _mm512_add_epi64(
          _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(p.mult, 32)), nudge),
      31);
  x = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  // Rounding right shift, ties away from zero.
  const __m512i rem = _mm512_and_si512(x, p.rmask);
  const __m512i threshold = _mm512_sub_epi32(p.rhalf, _mm512_srai_epi32(x, 31));
  const __mmask16 up = _mm512_cmpgt_epi32_mask(rem, threshold);
  x = _mm512_srav_epi32(x, p.rshift);
  x = _mm512_mask_add_epi32(x, up, x, _mm512_set1_epi32(1));
  x = _mm512_add_epi32(x, _mm512_set1_epi32(rq.output_zp));
  x = _mm512_max_epi32(x, _mm512_set1_epi32(rq.min));
  return _mm512_min_epi32(x, _mm512_set1_epi32(rq.max));
}

// The one-rounding form of the same (qgemm.h, QGemmRequant), when
// rq.short_form: 64-bit products of the even and the odd lanes, one
// rounding shift each, the zero point folded in.
struct Short16 {
  __m512i mult, mult_odd, add_even, add_odd, neg_even, neg_odd, shift_even, shift_odd;
  bool relu;  // QGemmRequant::short_relu: no t < 0 correction
};

inline Short16 load_short(const QGemmRequant& rq, int64_t col) {
  Short16 p;
  p.mult = _mm512_loadu_si512(rq.multiplier.data() + col);
  p.mult_odd = _mm512_srli_epi64(p.mult, 32);
  p.add_even = _mm512_loadu_si512(rq.short_add.data() + col);
  p.add_odd = _mm512_loadu_si512(rq.short_add.data() + col + 8);
  p.neg_even = _mm512_loadu_si512(rq.short_neg.data() + col);
  p.neg_odd = _mm512_loadu_si512(rq.short_neg.data() + col + 8);
  p.shift_even = _mm512_loadu_si512(rq.short_shift.data() + col);
  p.shift_odd = _mm512_loadu_si512(rq.short_shift.data() + col + 8);
  p.relu = rq.short_relu;
  return p;
}

// Sums that started at the folded bias (tile()); the clamp to [min, max]
// is skipped at the int8 limits, where the saturating store does it.
inline __m512i short16(__m512i x, const Short16& p, __m512i min, __m512i max, bool clamp_min,
                       bool clamp_max) {
  const __m512i te = _mm512_mul_epi32(x, p.mult);
  const __m512i to = _mm512_mul_epi32(_mm512_srli_epi64(x, 32), p.mult_odd);
  __m512i ue = _mm512_add_epi64(te, p.add_even);
  __m512i uo = _mm512_add_epi64(to, p.add_odd);
  if (!p.relu) {
    ue = _mm512_mask_sub_epi64(ue, _mm512_movepi64_mask(te), ue, p.neg_even);
    uo = _mm512_mask_sub_epi64(uo, _mm512_movepi64_mask(to), uo, p.neg_odd);
  }
  ue = _mm512_srav_epi64(ue, p.shift_even);
  uo = _mm512_srav_epi64(uo, p.shift_odd);
  // The odd results' low halves into the odd 32-bit lanes.
  __m512i y = _mm512_mask_shuffle_epi32(ue, 0xAAAA, uo, _MM_PERM_CDAB);
  if (clamp_min) y = _mm512_max_epi32(y, min);
  if (clamp_max) y = _mm512_min_epi32(y, max);
  return y;
}

// The activation's clamp on bytes that the saturating packs made from
// short16's unclamped results: the same bytes as clamping the int32 values
// (saturation and clamps are monotone, and [min, max] lies in int8), on a
// quarter of the vectors.
inline __m512i clamp_bytes(__m512i v, __m512i min8, __m512i max8, bool clamp_min,
                           bool clamp_max) {
  if (clamp_min) v = _mm512_max_epi8(v, min8);
  if (clamp_max) v = _mm512_min_epi8(v, max8);
  return v;
}

// Rows [0, mr) (mr <= MR; rows past mr repeat the last and are not
// stored) x NB panels from column n (panel-aligned), stored up to n1.
// Rows i, i + 1, ... of the block. FLIPPED: the rows of A already hold
// x ^ 0x80 (QGemmBlock::a_flipped). INDIRECT: the rows are segments through
// QGemmBlock::ind.
template <int MR, int NB, bool FLIPPED, bool INDIRECT>
void tile(const QGemmArgs& args, int64_t i, int64_t mr, int64_t n, int8_t* y) {
  const QGemmBlock& b = args.block;
  const int64_t segments = INDIRECT ? b.segments : 1;
  const int64_t groups = args.kp / 4 / segments;  // per segment
  const int64_t panel_bytes = args.kp * kQGemmNr;
  const int8_t* w = args.packed + (n / kQGemmNr) * panel_bytes;
  const int8_t* rows[MR];
  if (!INDIRECT) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) rows[r] = b.a + (i + std::min<int64_t>(r, mr - 1)) * b.lda;
  }
  // The sums start at the folded bias (adds wrap, as the reference's).
  // Bias past the panels' last channel is 0 (QGemm::pack pads it).
  __m512i acc[MR][NB];
  __m512i bias[NB];
#pragma GCC unroll 4
  for (int j = 0; j < NB; ++j) {
    bias[j] = _mm512_loadu_si512(args.rq->bias.data() + n + j * kQGemmNr);
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
    for (int j = 0; j < NB; ++j) acc[r][j] = bias[j];
  }
  const __m512i flip = _mm512_set1_epi32(static_cast<int32_t>(0x80808080u));
  for (int64_t seg = 0; seg < segments; ++seg, w += groups * 64) {
    if (INDIRECT) {
#pragma GCC unroll 16
      for (int r = 0; r < MR; ++r) {
        rows[r] = b.ind[(i + std::min<int64_t>(r, mr - 1)) * segments + seg];
      }
    }
    const auto step = [&](int64_t g) __attribute__((always_inline)) {
      __m512i wv[NB];
#pragma GCC unroll 4
      for (int j = 0; j < NB; ++j) wv[j] = _mm512_loadu_si512(w + j * panel_bytes + g * 64);
#pragma GCC unroll 16
      for (int r = 0; r < MR; ++r) {
        int32_t v;
        std::memcpy(&v, rows[r] + 4 * g, 4);
        const __m512i u =
            FLIPPED ? _mm512_set1_epi32(v) : _mm512_xor_si512(_mm512_set1_epi32(v), flip);
#pragma GCC unroll 4
        for (int j = 0; j < NB; ++j) acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], u, wv[j]);
      }
    };
    if (INDIRECT) {
      // Unrolled: GCC steps the row pointers of this loop one by one, here
      // once every 4 groups.
#pragma GCC unroll 4
      for (int64_t g = 0; g < groups; ++g) step(g);
    } else {
      for (int64_t g = 0; g < groups; ++g) step(g);
    }
  }
  // Through memory, with constant indices only: the accumulators stay in
  // registers in the loop above (a run-time row index into acc would make
  // GCC keep the whole array on the stack and store it every iteration).
  alignas(64) int32_t sums[MR][NB * kQGemmNr];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
    for (int j = 0; j < NB; ++j) _mm512_store_si512(&sums[r][j * kQGemmNr], acc[r][j]);
  }
  const QGemmRequant& rq = *args.rq;
  if (rq.short_form) {
    const __m512i min = _mm512_set1_epi32(rq.min), max = _mm512_set1_epi32(rq.max);
    const __m512i min8 = _mm512_set1_epi8(static_cast<char>(rq.min));
    const __m512i max8 = _mm512_set1_epi8(static_cast<char>(rq.max));
    const bool clamp_min = rq.min > -128, clamp_max = rq.max < 127;
    if (NB == 4 && n + 4 * kQGemmNr <= b.n1) {
      // 64 channels of a row in one store: the four results packed with
      // saturation (int32 -> int16 -> int8, as the saturating store), then
      // their 4-byte groups put back in channel order.
      Short16 p[4];
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) p[j] = load_short(rq, n + j * kQGemmNr);
      const __m512i order =
          _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
      for (int r = 0; r < MR; ++r) {
        if (r >= mr) break;
        __m512i q[4];
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {
          q[j] = short16(_mm512_load_si512(&sums[r][j * kQGemmNr]), p[j], min, max, false, false);
        }
        const __m512i bytes = clamp_bytes(_mm512_packs_epi16(_mm512_packs_epi32(q[0], q[1]),
                                                             _mm512_packs_epi32(q[2], q[3])),
                                          min8, max8, clamp_min, clamp_max);
        _mm512_storeu_si512(y + r * b.ldy + n, _mm512_permutexvar_epi32(order, bytes));
      }
      return;
    }
    if (NB == 1 && MR % 4 == 0 && n + kQGemmNr <= b.n1) {
      // One full panel: four rows' results packed with saturation (as the
      // saturating store) and their 4-byte groups put back in row order,
      // then stored as four 16-byte rows (one 64-byte store when the rows
      // are contiguous), in place of four narrowing stores.
      const Short16 p = load_short(rq, n);
      const __m512i order =
          _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
      int r = 0;
#pragma GCC unroll 4
      for (int r4 = 0; r4 + 4 <= MR; r4 += 4) {
        if (r4 + 4 > mr) break;
        __m512i q[4];
#pragma GCC unroll 4
        for (int t = 0; t < 4; ++t) {
          q[t] = short16(_mm512_load_si512(&sums[r4 + t][0]), p, min, max, false, false);
        }
        const __m512i bytes = _mm512_permutexvar_epi32(
            order, clamp_bytes(_mm512_packs_epi16(_mm512_packs_epi32(q[0], q[1]),
                                                  _mm512_packs_epi32(q[2], q[3])),
                               min8, max8, clamp_min, clamp_max));
        int8_t* dst = y + r4 * b.ldy + n;
        if (b.ldy == kQGemmNr) {
          _mm512_storeu_si512(dst, bytes);
        } else {
          _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm512_castsi512_si128(bytes));
          _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + b.ldy),
                           _mm512_extracti32x4_epi32(bytes, 1));
          _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 2 * b.ldy),
                           _mm512_extracti32x4_epi32(bytes, 2));
          _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 3 * b.ldy),
                           _mm512_extracti32x4_epi32(bytes, 3));
        }
        r = r4 + 4;
      }
      for (; r < mr; ++r) {
        _mm512_mask_cvtsepi32_storeu_epi8(
            y + r * b.ldy + n, __mmask16(0xFFFF),
            short16(_mm512_load_si512(&sums[r][0]), p, min, max, clamp_min, clamp_max));
      }
      return;
    }
#pragma GCC unroll 4
    for (int j = 0; j < NB; ++j) {
      const int64_t col = n + j * kQGemmNr;
      if (col >= b.n1) break;
      const int64_t nc = std::min<int64_t>(kQGemmNr, b.n1 - col);
      const __mmask16 store_mask = nc == 16 ? __mmask16(0xFFFF) : __mmask16((1u << nc) - 1);
      const Short16 p = load_short(rq, col);
      for (int r = 0; r < MR; ++r) {
        if (r >= mr) break;
        _mm512_mask_cvtsepi32_storeu_epi8(
            y + r * b.ldy + col, store_mask,
            short16(_mm512_load_si512(&sums[r][j * kQGemmNr]), p, min, max, clamp_min,
                    clamp_max));
      }
    }
    return;
  }
#pragma GCC unroll 4
  for (int j = 0; j < NB; ++j) {
    const int64_t col = n + j * kQGemmNr;
    if (col >= b.n1) break;
    const int64_t nc = std::min<int64_t>(kQGemmNr, b.n1 - col);
    const __mmask16 store_mask = nc == 16 ? __mmask16(0xFFFF) : __mmask16((1u << nc) - 1);
    const Params16 p = load_params(rq, col);
    for (int r = 0; r < MR; ++r) {
      if (r >= mr) break;
      _mm512_mask_cvtsepi32_storeu_epi8(y + r * b.ldy + col, store_mask,
                                        requant16(_mm512_load_si512(&sums[r][j * kQGemmNr]), p, rq));
    }
  }
}

// The rows of one column block of NB panels: tiles of MR rows, a remainder
// of at most MR / 2 rows one row at a time.
template <int MR, int NB, bool FLIPPED, bool INDIRECT>
void column_block(const QGemmArgs& args, int64_t n) {
  const QGemmBlock& b = args.block;
  int64_t i = 0;
  for (; i + MR <= b.m; i += MR) {
    tile<MR, NB, FLIPPED, INDIRECT>(args, i, MR, n, b.y + i * b.ldy);
  }
  const int64_t rest = b.m - i;
  if (rest > MR / 2) {
    tile<MR, NB, FLIPPED, INDIRECT>(args, i, rest, n, b.y + i * b.ldy);
  } else {
    for (; i < b.m; ++i) tile<1, NB, FLIPPED, INDIRECT>(args, i, 1, n, b.y + i * b.ldy);
  }
}

template <bool FLIPPED, bool INDIRECT>
void column_blocks(const QGemmArgs& args) {
  const QGemmBlock& b = args.block;
  // Column blocks of 4 panels (64 channels: with K <= 4608 their weights
  // stay in L2 while the rows stream past), then the remaining 1 to 3.
  for (int64_t n = b.n0; n < b.n1; n += 4 * kQGemmNr) {
    const int64_t panels = std::min<int64_t>(4, (b.n1 - n + kQGemmNr - 1) / kQGemmNr);
    switch (panels) {
      case 4: column_block<6, 4, FLIPPED, INDIRECT>(args, n); break;
      case 3: column_block<8, 3, FLIPPED, INDIRECT>(args, n); break;
      case 2: column_block<8, 2, FLIPPED, INDIRECT>(args, n); break;
      default: column_block<8, 1, FLIPPED, INDIRECT>(args, n); break;
    }
  }
}


// K = 16, N = 16, contiguous rows (lda = ldy = 16), the one-rounding form:
// the 1x1 16 -> 16 convolutions of the segmentation models, where the
// general tile spends more on the requantization and the per-row
// broadcasts, flips and masked narrowing stores than on the dot products.
// Four rows at a time in one vector, one row per 128-bit lane: a 64-byte
// load (one flip) holds the four rows' 16 bytes, vpshufd broadcasts the
// 4-byte group g within each lane, and accumulator q (0..3) holds in lane p
// the sums of row p for channels 4q .. 4q + 3 against weights broadcast
// to every lane. The requantization's per-channel terms are permuted to
// that order; packs_epi32 then packs_epi16 (saturating, per 128-bit lane,
// as the saturating store) leave each lane holding its row's 16 channels
// in order, so the four rows go out in one 64-byte store. The arithmetic
// per output value is that of short16 in tile(): the same bits.
void rows4_k16n16(const QGemmArgs& args) {
  const QGemmBlock& b = args.block;
  const QGemmRequant& rq = *args.rq;
  __m512i w[4][4];  // [group][channel quad]
#pragma GCC unroll 4
  for (int g = 0; g < 4; ++g) {
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) {
      w[g][q] = _mm512_broadcast_i32x4(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(args.packed + g * 64 + q * 16)));
    }
  }
  const Short16 src = load_short(rq, 0);
  const __m512i bias16 = _mm512_loadu_si512(rq.bias.data());
  __m512i bias[4];
  Short16 p[4];
#pragma GCC unroll 4
  for (int q = 0; q < 4; ++q) {
    // 32-bit lane l: channel 4q + l % 4. 64-bit lane e: the even channel
    // 4q + 2 (e % 2) (index 2q + e % 2 of the even terms) and the odd one
    // after it (the same index of the odd terms).
    const __m512i idx32 = _mm512_add_epi32(_mm512_set1_epi32(4 * q),
                                           _mm512_setr_epi32(0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2,
                                                             3, 0, 1, 2, 3));
    const __m512i idx64 = _mm512_add_epi64(_mm512_set1_epi64(2 * q),
                                           _mm512_setr_epi64(0, 1, 0, 1, 0, 1, 0, 1));
    bias[q] = _mm512_permutexvar_epi32(idx32, bias16);
    p[q].mult = _mm512_permutexvar_epi32(idx32, src.mult);
    p[q].mult_odd = _mm512_srli_epi64(p[q].mult, 32);
    p[q].add_even = _mm512_permutexvar_epi64(idx64, src.add_even);
    p[q].add_odd = _mm512_permutexvar_epi64(idx64, src.add_odd);
    p[q].neg_even = _mm512_permutexvar_epi64(idx64, src.neg_even);
    p[q].neg_odd = _mm512_permutexvar_epi64(idx64, src.neg_odd);
    p[q].shift_even = _mm512_permutexvar_epi64(idx64, src.shift_even);
    p[q].shift_odd = _mm512_permutexvar_epi64(idx64, src.shift_odd);
    p[q].relu = src.relu;
  }
  const __m512i min = _mm512_set1_epi32(rq.min), max = _mm512_set1_epi32(rq.max);
  const __m512i min8 = _mm512_set1_epi8(static_cast<char>(rq.min));
  const __m512i max8 = _mm512_set1_epi8(static_cast<char>(rq.max));
  const bool clamp_min = rq.min > -128, clamp_max = rq.max < 127;
  const __m512i flip = _mm512_set1_epi32(static_cast<int32_t>(0x80808080u));
  const int64_t m4 = b.m / 4 * 4;
  for (int64_t i = 0; i < m4; i += 4) {
    __m512i v = _mm512_loadu_si512(b.a + i * 16);
    if (!b.a_flipped) v = _mm512_xor_si512(v, flip);
    const __m512i u0 = _mm512_shuffle_epi32(v, _MM_PERM_AAAA);
    const __m512i u1 = _mm512_shuffle_epi32(v, _MM_PERM_BBBB);
    const __m512i u2 = _mm512_shuffle_epi32(v, _MM_PERM_CCCC);
    const __m512i u3 = _mm512_shuffle_epi32(v, _MM_PERM_DDDD);
    __m512i r[4];
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) {
      __m512i acc = _mm512_dpbusd_epi32(bias[q], u0, w[0][q]);
      acc = _mm512_dpbusd_epi32(acc, u1, w[1][q]);
      acc = _mm512_dpbusd_epi32(acc, u2, w[2][q]);
      acc = _mm512_dpbusd_epi32(acc, u3, w[3][q]);
      r[q] = short16(acc, p[q], min, max, false, false);
    }
    const __m512i bytes =
        clamp_bytes(_mm512_packs_epi16(_mm512_packs_epi32(r[0], r[1]), _mm512_packs_epi32(r[2], r[3])),
                    min8, max8, clamp_min, clamp_max);
    _mm512_storeu_si512(b.y + i * 16, bytes);
  }
  if (m4 < b.m) {
    QGemmArgs rest = args;
    rest.block.m = b.m - m4;
    rest.block.a = b.a + m4 * 16;
    rest.block.y = b.y + m4 * 16;
    if (b.a_flipped) {
      column_blocks<true, false>(rest);
    } else {
      column_blocks<false, false>(rest);
    }
  }
}

}  // namespace

void qgemm_block_avx512vnni(const QGemmArgs& args) {
  const QGemmBlock& b = args.block;
  if (b.ind == nullptr && args.kp == 16 && b.n0 == 0 && b.n1 == 16 && b.lda == 16 &&
      b.ldy == 16 && args.rq->short_form) {
    rows4_k16n16(args);
    return;
  }
  if (args.block.ind != nullptr) {
    if (args.block.a_flipped) {
      column_blocks<true, true>(args);
    } else {
      column_blocks<false, true>(args);
    }
  } else if (args.block.a_flipped) {
    column_blocks<true, false>(args);
  } else {
    column_blocks<false, false>(args);
  }
}

}  // namespace opscope::native
