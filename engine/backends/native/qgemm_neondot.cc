// The native int8 GEMM's aarch64 microkernel (qgemm.h) for CPUs with the
// dot-product extension (Armv8.2 sdot/udot; HWCAP_ASIMDDP). Compiled with
// -march=armv8.2-a+dotprod; called only after that CPU check.
//
// The sums. Armv8.2's dot product has s8 x s8 (sdot) and u8 x u8 (udot)
// forms but no u8 x s8 one (usdot is Armv8.6 i8mm), so this kernel does not
// read the activations as x ^ 0x80 like the x86 kernels: it multiplies the
// int8 activations x as they are by the int8 weights, and starts each sum
// at QGemmRequant::bias_s8 = bias - a_zp * colsum(w) (mod 2^32, made at
// pack time on aarch64) instead of the folded bias. sdot never saturates,
// so every int32 sum is sum x * w modulo 2^32, and
//   bias_s8 + sum x * w = bias + sum (x - a_zp) * w   (mod 2^32),
// the reference's accumulator exactly.
//
// The tile: MR <= 4 rows x one panel of 16 channels, 4 int32x4 accumulators
// per row. A panel group (16 channels x 4 bytes of K) is 4 vectors, each
// 4 channels x 4 bytes: the lane layout of sdot. One 16-byte load of a row
// covers 4 groups of K; vdotq_laneq_s32 takes group l's 4 bytes from lane l.
//
// The requantization is requantize_one (qgemm_requant.h) on 4 lanes
// (requantize_neon.h, where each step is proven identical).
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "engine/backends/native/qgemm.h"
#include "engine/backends/native/requantize_neon.h"

namespace opscope::native {
namespace {

// Stores channels [0, nc) (nc <= 16) of 16 result bytes.
inline void store16(int8_t* y, int8x16_t bytes, int64_t nc) {
  if (nc == kQGemmNr) {
    vst1q_s8(y, bytes);
  } else {
    int8_t tmp[kQGemmNr];
    vst1q_s8(tmp, bytes);
    std::memcpy(y, tmp, static_cast<size_t>(nc));
  }
}

// One panel group (64 bytes of weights at w) times lane L (4 bytes of K)
// of each row's activation vector. The lane is a template argument: the
// instruction encodes it.
template <int MR, int L>
inline void dot_group(int32x4_t (&acc)[MR][4], const int8_t* w, const int8x16_t (&x)[MR]) {
  const int8x16_t w0 = vld1q_s8(w), w1 = vld1q_s8(w + 16);
  const int8x16_t w2 = vld1q_s8(w + 32), w3 = vld1q_s8(w + 48);
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    acc[r][0] = vdotq_laneq_s32(acc[r][0], w0, x[r], L);
    acc[r][1] = vdotq_laneq_s32(acc[r][1], w1, x[r], L);
    acc[r][2] = vdotq_laneq_s32(acc[r][2], w2, x[r], L);
    acc[r][3] = vdotq_laneq_s32(acc[r][3], w3, x[r], L);
  }
}

// Rows [0, MR) of a (row stride lda) times the panel of channels
// [n, n + 16), requantized into y (row stride ldy).
template <int MR>
void tile(const QGemmArgs& args, const int8_t* a, int64_t n, int8_t* y) {
  const QGemmBlock& b = args.block;
  const int64_t groups = args.kp / 4;
  const int8_t* w = args.packed + (n / kQGemmNr) * args.kp * kQGemmNr;
  int32x4_t acc[MR][4];
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = acc[r][2] = acc[r][3] = vdupq_n_s32(0);
  int8x16_t x[MR];
  int64_t g = 0;
  // Four groups per step: 16 bytes of each row, all within its kp bytes.
  for (; g + 4 <= groups; g += 4) {
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) x[r] = vld1q_s8(a + r * b.lda + 4 * g);
    const int8_t* wg = w + g * kQGemmNr * 4;
    dot_group<MR, 0>(acc, wg, x);
    dot_group<MR, 1>(acc, wg + 64, x);
    dot_group<MR, 2>(acc, wg + 128, x);
    dot_group<MR, 3>(acc, wg + 192, x);
  }
  // The last kp / 4 % 4 groups, 4 bytes of each row at a time (lane 0).
  for (; g < groups; ++g) {
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) {
      int32_t v;
      std::memcpy(&v, a + r * b.lda + 4 * g, 4);
      x[r] = vreinterpretq_s8_s32(vdupq_n_s32(v));
    }
    dot_group<MR, 0>(acc, w + g * kQGemmNr * 4, x);
  }
  const QGemmRequant& rq = *args.rq;
  const int64_t nc = std::min<int64_t>(kQGemmNr, b.n1 - n);
  int32x4_t bias[4];
  neon::Requant4 p[4];
  for (int q = 0; q < 4; ++q) {
    const int64_t col = n + 4 * q;
    bias[q] = vld1q_s32(rq.bias_s8.data() + col);
    p[q] = neon::load_requant4(rq.multiplier.data() + col, rq.left_shift.data() + col,
                               rq.right_shift.data() + col);
  }
  for (int r = 0; r < MR; ++r) {
    int32x4_t out[4];
    for (int q = 0; q < 4; ++q) {
      // The bias add wraps modulo 2^32, as requantize_one's.
      out[q] = neon::requantize4(vaddq_s32(acc[r][q], bias[q]), p[q], rq.any_left_shift,
                                 rq.output_zp, rq.min, rq.max);
    }
    store16(y + r * b.ldy, neon::narrow16(out[0], out[1], out[2], out[3]), nc);
  }
}

}  // namespace

void qgemm_block_neondot(const QGemmArgs& args) {
  // ONNX Runtime's float requantization (QGemmRequant::float_mode): the
  // portable microkernel, exact by construction (requantize_one).
  if (args.rq->float_mode) {
    qgemm_block_portable(args);
    return;
  }
  constexpr int kMr = 4;
  const QGemmBlock& b = args.block;
  for (int64_t n = b.n0; n < b.n1; n += kQGemmNr) {
    int64_t i = 0;
    for (; i + kMr <= b.m; i += kMr) tile<kMr>(args, b.a + i * b.lda, n, b.y + i * b.ldy + n);
    const int8_t* a = b.a + i * b.lda;
    int8_t* y = b.y + i * b.ldy + n;
    switch (b.m - i) {
      case 3: tile<3>(args, a, n, y); break;
      case 2: tile<2>(args, a, n, y); break;
      case 1: tile<1>(args, a, n, y); break;
      default: break;
    }
  }
}

}  // namespace opscope::native
