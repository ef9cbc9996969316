// The int8 GEMM of the native backend's CONV_2D and FULLY_CONNECTED, with
// TFLite's per-channel requantization fused in:
//
//   y[i, j] = requantize_j(bias[j] + sum_p (a[i, p] - a_zp) * w[j, p])
//
// exactly as the reference kernels compute it (ChannelOutput::store_row).
//
// How it stays exact on every ISA. The dot-product instructions (vpdpbusd)
// multiply unsigned bytes by signed bytes, so the microkernels read each
// activation byte x as u = x ^ 0x80 = x + 128 (in [0, 255]) and sum u * w in
// int32. Since (x - a_zp) = u - (128 + a_zp),
//
//   sum (x - a_zp) * w = sum u * w - (128 + a_zp) * colsum(w)
//
// and the second term is folded into the bias at pack time. Every sum is
// taken modulo 2^32 (the reference's bias add wraps too, and no partial sum
// of u * w can overflow for K <= 65535), so the result is identical. The
// AVX2 path forms the same sums with 16-bit multiply-adds (vpmaddwd of
// sign-extended bytes: exact, no vpmaddubsw saturation); the portable path
// in plain C++. The requantization's fixed-point steps are integer
// operations that vectorize exactly (qgemm_requant.h).
//
// aarch64 (NEON dot product, qgemm_neondot.cc) differs in the sums only:
// Armv8.2's sdot is s8 x s8 (there is no u8 x s8 before Armv8.6's usdot),
// so it sums x * w with the activations as they are and starts at
// QGemmRequant::bias_s8 = bias - a_zp * colsum(w) (mod 2^32), made by pack
// on aarch64 only. Its requantization is requantize_one's steps on 4 lanes
// (SQRDMULH is the reference's high multiply exactly; the rounding shift is
// written as the reference's, not with SRSHL, which rounds negative ties
// up).
//
// Packed weights: panels of kQGemmNr = 16 output channels; in a panel, K is
// padded to a multiple of 4 (kp) and stored as kp / 4 groups of 16 x 4
// bytes: group g holds w[j, 4g .. 4g + 3] for the panel's 16 channels j, so
// one 64-byte load feeds one 512-bit vpdpbusd (two 256-bit ones). Padding
// (channels past N, K past k) is zero.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/backends/native/aligned_vector.h"
#include "engine/backends/native/native_env.h"
#include "engine/backends/reference/kernels/int8/channel_output.h"

namespace opscope::native {

inline constexpr int64_t kQGemmNr = 16;

inline int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

// Per-channel requantization, padded to a multiple of kQGemmNr channels
// (padding channels are computed and never stored). Arrays, for vector
// loads: the folded bias, the Q31 multiplier, its left shift and its right
// shift's mask and half-mask (rounding_divide_by_pot's terms).
//
// When no channel shifts left and every right shift s is at most
// kQGemmShortMaxShift, the two roundings and the zero point collapse into
// one 64-bit rounding shift of t = (acc + bias) * multiplier:
//
//   y = floor((t + 2^30 + [s > 0] (2^(30+s) - 2^31 [t < 0]) + zp 2^(31+s)) / 2^(31+s))
//
// Exact: floor(floor(a / 2^31) / 2^s) = floor(a / 2^(31+s)); the reference's
// ties-away-from-zero second rounding adds 2^(s-1) - [h < 0] to
// h = floor((t + 2^30) / 2^31); h < 0 implies t < 0, and where t < 0 but
// h = 0 both offsets give 0; |t| <= 2^62 leaves room for the offsets. The
// short path's per-channel terms are int64 in panel order: the 8 even
// channels of a 16-channel panel, then its 8 odd ones (the 64-bit lanes
// of a vector multiply).
inline constexpr int kQGemmShortMaxShift = 23;

// One channel's terms of that form: the offset, the t < 0 correction and
// the shift; and whether a channel's multiplier allows the form.
struct ShortTerms {
  int64_t add = 0, neg = 0, shift = 31;
};
inline bool fits_short_form(int32_t multiplier, int32_t left_shift, int32_t right_shift) {
  return left_shift == 0 && multiplier >= 0 && right_shift <= kQGemmShortMaxShift;
}
inline ShortTerms short_terms(int32_t right_shift, int32_t output_zp) {
  const int64_t s = right_shift;
  ShortTerms t;
  t.add = (int64_t{1} << 30) + (s > 0 ? int64_t{1} << (30 + s) : 0) +
          static_cast<int64_t>(output_zp) * (int64_t{1} << (31 + s));
  t.neg = s > 0 ? int64_t{1} << 31 : 0;
  t.shift = 31 + s;
  return t;
}

struct QGemmRequant {
  AlignedVector<int32_t> bias, multiplier, left_shift, right_shift, rmask, rhalf;
  // aarch64 only (empty elsewhere): the bias for kernels that sum the int8
  // activations as signed bytes, x * w rather than (x ^ 0x80) * w (NEON
  // sdot, qgemm_neondot.cc): bias - a_zp * colsum(w) = the folded bias +
  // 128 * colsum(w), modulo 2^32, padded as bias.
  AlignedVector<int32_t> bias_s8;
  int32_t output_zp = 0, min = -128, max = 127;
  bool any_left_shift = false;
  bool short_form = false;  // every channel fits the one-rounding form
  // min >= output_zp (a ReLU's clamp): the short form may skip its t < 0
  // correction. It changes no output: t < 0 gives at most zp with or
  // without it (h <= 0, and ties of h < 0 round to at most 0), and the
  // clamp lifts anything up to zp to min.
  bool short_relu = false;
  // The short form's offset (2^30 + ... + zp 2^(31+s)), its t < 0
  // correction (2^31 or 0) and its shift (31 + s), in panel order.
  AlignedVector<int64_t> short_add, short_neg, short_shift;
  // ONNX Runtime's requantization (Requantization::kFloat, graph.h;
  // ChannelOutput): y = requantize_float(acc + bias, float_scale[j], zp,
  // min, max) instead of the fixed-point steps, with the same folded int32
  // sums. The vector forms convert, multiply, clamp and round with cvtps2dq
  // under the default rounding mode (ties to even): the scalar steps lane
  // by lane. short_form is off in this mode.
  bool float_mode = false;
  AlignedVector<float> float_scale;  // padded as bias
};

// What one call of a block function computes: rows [0, m) of A (int8, row
// stride lda bytes, each row readable up to kp bytes: bytes past k are
// multiplied by zero weights), channels [n0, n1) (n0 a multiple of
// kQGemmNr), into y (row stride ldy).
struct QGemmBlock {
  int64_t m = 0, n0 = 0, n1 = 0;
  const int8_t* a = nullptr;
  int64_t lda = 0;
  int8_t* y = nullptr;
  int64_t ldy = 0;
  // The rows of A already hold x ^ 0x80 (the unsigned bytes the
  // dot-product instructions read), as an im2col can write them for free.
  // Only where QGemm::reads_flipped(isa).
  bool a_flipped = false;
  // Indirect rows, in place of a and lda (only where
  // QGemm::reads_indirect(isa)): row i is `segments`
  // runs of kp / segments bytes (a multiple of 4; kp = k) that start at
  // ind[i * segments + s], as a convolution's window rows in NHWC.
  const int8_t* const* ind = nullptr;
  int64_t segments = 1;
};

class QGemm {
 public:
  // Packs w ([n, k], row j at w + j * k) and folds the input zero point
  // into the bias of `out` (the reference's output stage, prepared).
  void pack(int64_t n, int64_t k, const int8_t* w, int32_t a_zero_point,
            const reference::int8::ChannelOutput& out);

  int64_t n() const { return n_; }
  int64_t k() const { return k_; }
  int64_t kp() const { return kp_; }

  // Computes one block on the calling thread with `isa`'s microkernels.
  // Never allocates.
  void run(Isa isa, const QGemmBlock& block) const;
  // Whether `isa`'s microkernels take blocks with a_flipped set.
  static bool reads_flipped(Isa isa) { return isa == Isa::kAvx512Vnni; }
  // Whether `isa`'s microkernels take blocks with ind set.
  static bool reads_indirect(Isa isa) { return isa == Isa::kAvx512Vnni; }

  const int8_t* packed() const { return packed_.data(); }
  const QGemmRequant& requant() const { return rq_; }

 private:
  int64_t n_ = 0, k_ = 0, kp_ = 0;
  AlignedVector<int8_t> packed_;
  QGemmRequant rq_;
};

// The arguments of one ISA's block function: the block plus the packed
// weights and requantization of the QGemm.
struct QGemmArgs {
  QGemmBlock block;
  int64_t kp = 0;
  const int8_t* packed = nullptr;  // panel p at packed + p * kp * kQGemmNr
  const QGemmRequant* rq = nullptr;
};

// One function per ISA file (qgemm_<isa>.cc); each is only called after a
// CPU check for its ISA.
void qgemm_block_portable(const QGemmArgs& args);
void qgemm_block_avx2(const QGemmArgs& args);
void qgemm_block_avxvnni(const QGemmArgs& args);
void qgemm_block_avx512vnni(const QGemmArgs& args);
void qgemm_block_neondot(const QGemmArgs& args);

// Splits `count` items (rows, or panels) among at most `threads` tasks and
// runs fn(context, task, begin, end) for each task, through `threadpool`
// (a pthreadpool_t) when it is set and more than one task results, else on
// the calling thread. Never allocates.
using RangeFn = void (*)(void* context, int64_t task, int64_t begin, int64_t end);
void parallel_ranges(void* threadpool, int threads, int64_t count, int64_t grain,
                     RangeFn fn, void* context);

}  // namespace opscope::native
