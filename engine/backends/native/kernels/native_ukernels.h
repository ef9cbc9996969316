// The ISA microkernels of the native kernels, each defined in a file
// whose suffix gives it its compile flags (native_env.h) and called only
// after the CPU was found to have that ISA. Internal to kernels/.
#pragma once

#include <cstdint>

namespace opscope::native::ukernels {

// ------------------------------------------------------------ RESIZE_BILINEAR
// One output row: out[ox][c] for ox < out_w, c < channels, from the input
// rows `top` and `bottom` (vertical weight of bottom: w_row in 1/1024) and
// the per-column tables (element offsets of the left and right pixels and
// the right pixel's weight in 1/1024). The caller guarantees the int32 sums
// cannot overflow (every weight in [-512, 1024]).
struct ResizeRow {
  const int8_t* top = nullptr;
  const int8_t* bottom = nullptr;
  int32_t w_row = 0;
  const int32_t* col_lo = nullptr;  // offsets in elements (pixel * channels)
  const int32_t* col_hi = nullptr;
  const int32_t* col_w = nullptr;
  int64_t out_w = 0;
  int64_t channels = 0;
  int8_t* out = nullptr;
  // AVX-512 only: in_w * channels int32 (plus 64 bytes of slack) for the
  // row's vertical sums, (1024 - w_row) top + w_row bottom, which the
  // horizontal step then weighs by column: the same four-term sum,
  // factored (ResizeBilinearI8).
  int64_t in_row = 0;
  int32_t* vsum = nullptr;
};
// The same in int16 (resize_bilinear_i8_row16_avx512), for tables whose
// weights share power-of-two factors 2^tr (rows) and 2^tc (columns): with
// every weight divided by them, one_r = 1024 >> tr, one_c = 1024 >> tc and
// shift = 20 - tr - tc, the sum is v / 2^(tr + tc) and the reference's
// rounding becomes (v' + 2^(shift-1) - 1 + [v' > 0]) >> shift; usable where
// |v'| and every partial sum fit int16 (ResizeBilinearI8::prepare checks).
// w_row and col_w16 hold the divided weights; vsum16 in_w * channels int16.
struct ResizeRow16 {
  const int8_t* top = nullptr;
  const int8_t* bottom = nullptr;
  int16_t w_row = 0, one_r = 0, one_c = 0;
  int shift = 20;
  const int32_t* col_lo = nullptr;  // offsets in elements (pixel * channels)
  const int32_t* col_hi = nullptr;
  const int16_t* col_w16 = nullptr;
  int64_t out_w = 0, channels = 0, in_row = 0;
  int16_t* vsum16 = nullptr;
  int8_t* out = nullptr;
};
void resize_bilinear_i8_row16_avx512(const ResizeRow16& r);
void resize_bilinear_i8_row_avx2(const ResizeRow& r);
void resize_bilinear_i8_row_avx512(const ResizeRow& r);

// ------------------------------------------------------------ 256-entry LUT
// y[i] = table[(uint8_t)x[i]] for i < n.
void lut_i8_avx512vbmi(const int8_t* table, const int8_t* x, int8_t* y, int64_t n);
// The same with AVX2 pshufb; `table` is followed by 256 bytes of running
// XORs of its 16-entry blocks, per 128-entry half: byte h * 128 + 16 k + j
// is table[h * 128 + 16 k + j] ^ table[h * 128 + 16 (k - 1) + j] (k > 0).
void lut_i8_avx2(const int8_t* table, const int8_t* x, int8_t* y, int64_t n);
// Whether the CPU has AVX-512 VBMI (vpermb), which lut_i8_avx512vbmi needs
// beside kAvx512Vnni's features.
bool cpu_has_avx512vbmi();

// ------------------------------------------------------------ DEPTHWISE_CONV_2D
// Per-channel output stage, arrays padded to a multiple of 16 channels.
struct DepthwiseParams {
  int64_t in_h = 0, in_w = 0, channels = 0;  // channels unpadded
  int64_t out_h = 0, out_w = 0;
  int64_t k_h = 0, k_w = 0, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0;
  // The output rows and columns whose whole window lies inside the input.
  int64_t oy_begin = 0, oy_end = 0, ox_begin = 0, ox_end = 0;
  int32_t input_zp = 0, output_zp = 0, act_min = -128, act_max = 127;
  const int32_t* weights = nullptr;      // [k_h * k_w][padded channels], widened
  const int32_t* bias = nullptr;         // [padded]: the model's bias (0 if none)
  const int32_t* bias_inner = nullptr;   // bias - input_zp * sum of the channel's weights
  const int32_t* multiplier = nullptr;   // Q31 mantissas
  const int32_t* left_shift = nullptr;   // max(shift, 0)
  const int32_t* right_shift = nullptr;  // max(-shift, 0)
  bool any_left_shift = false;           // some channel's shift is > 0
  // aarch64 only: the weights as int16, [k_h * k_w][padded channels].
  const int16_t* weights16 = nullptr;
  // The AVX-512 layout: 32 channels per block, two taps per int16 pair
  // (vpdpwssd). Block b's 32 weights of taps (2p, 2p + 1) sit at
  // pair_weights + (p * blocks + b) * 64 in the order of
  // _mm512_unpacklo_epi16 (first 32) and _mm512_unpackhi_epi16 (next 32) of
  // the two taps' widened inputs; an odd last tap pairs with weight 0. The
  // per-channel arrays (size blocks * 32) are in the order of those
  // unpacks' int32 accumulators: lo lane j is channel 8 (j / 4) + j % 4, hi
  // lane j channel 8 (j / 4) + 4 + j % 4.
  // channels <= 16: two output pixels per block instead (pixel_pairs):
  // virtual channel v < 32 is channel v % 16 of pixel ox + v / 16.
  bool pixel_pairs = false;
  const int16_t* pair_weights = nullptr;
  const int32_t* bias_p = nullptr;
  const int32_t* bias_inner_p = nullptr;
  const int32_t* multiplier_p = nullptr;
  const int32_t* left_shift_p = nullptr;
  const int32_t* right_shift_p = nullptr;
  // ONNX Runtime's float requantization (Requantization::kFloat, graph.h):
  // the float scale per lane of the pair layout above, or null for
  // TFLite's fixed-point stage. The vpdpbusd path (quad) then finds the
  // scales as floats in the multiplier's place of quad_consts.
  const float* float_scale_p = nullptr;
  // The AVX-512 VNNI u8 x s8 path (vpdpbusd, four taps per int32 lane), used
  // when `quad` is set. The output is written as 64-byte chunks: with
  // quad_flat a chunk is 64 consecutive bytes of an output row (any number
  // of pixels and channels; with stride_w > 1 one masked load per pixel and
  // tap, at most 2: channels >= 64), else 64 channels of one pixel. A
  // chunk starting at channel s uses phase s / quad_step; byte i of it has
  // channel (s + i) % channels. Per phase: quad_groups groups of four taps,
  // each 4 vectors of 64 bytes (vector r, int32 lane 4 L + j holds the four
  // taps' weights of chunk byte 16 L + 4 r + j, the order of unpacking the
  // taps bytewise then wordwise), then kQuadConsts arrays of 64 int32 in
  // the same lane order: the bias (bias - (input_zp + 128) * sum w, the
  // input being read as x + 128), the multiplier, left and right shift,
  // and the right shift's rounding mask and half. Missing taps have weight 0.
  // With quad_short (no left shift, every right shift at most
  // kQGemmShortMaxShift, the fixed-point stage), the one-rounding form of
  // qgemm.h replaces the fields after the multiplier: int64 arrays of 64
  // lanes each (per vector r: its 8 even lanes, then its 8 odd ones), the
  // offset with the output zero point folded in, the negative products'
  // correction, and the shift (a smaller table per phase to keep in L1).
  // quad_relu: act_min >= output_zp, where the correction changes no
  // output byte (a negative product gives at most the zero point either
  // way, and the clamp lifts it to act_min).
  bool quad = false, quad_flat = false, quad_short = false, quad_relu = false;
  int64_t quad_step = 64, quad_groups = 0;
  const int8_t* quad_weights = nullptr;
  const int32_t* quad_consts = nullptr;
};
constexpr int64_t kQuadConsts = 8;  // in units of 64 int32 (the larger layout's)
// One image (batch item): input [in_h, in_w, channels] to output
// [out_h, out_w, channels].
void depthwise_i8_avx2(const DepthwiseParams& p, const int8_t* input, int8_t* output);
void depthwise_i8_avx512(const DepthwiseParams& p, const int8_t* input, int8_t* output);
// NEON (aarch64): 16 channels of one pixel per step, (x - input_zp) * w
// with int16 multiply-accumulates into int32 over the taps inside the
// input, and the model's bias (every pixel as the reference's border
// pixels: no folded zero point). Uses weights16, bias, multiplier,
// left_shift and right_shift.
void depthwise_i8_neon(const DepthwiseParams& p, const int8_t* input, int8_t* output);

// ------------------------------------------------------------ ADD, MUL
// TFLite's int8 ADD and MUL (reference/kernels/int8/binary_int8.cc) on one
// contiguous row. ADD: a' = MBQM((a - a_zp) << 20, M_a), b' likewise, y =
// y_zp + MBQM(a' + b', M_y); M_a and M_b are at most 1/2 (no left shift),
// applied as SRDHM(d << 20, m) = d * (m >> 16) * 32 + ((d * (m & 0xffff) +
// 2^10) >> 11), exact in int32 for |d| <= 255. MUL: y = y_zp + MBQM((a -
// a_zp) * (b - b_zp), M_y). Then clamped to [act_min, act_max].
struct BinaryParams {
  bool mul = false;
  int32_t a_zp = 0, b_zp = 0, y_zp = 0, act_min = -128, act_max = 127;
  int32_t a_mult = 0, a_right = 0;  // ADD only
  int32_t b_mult = 0, b_right = 0;
  int32_t y_mult = 0, y_left = 0, y_right = 0;
  // MUL with TFLite's fixed point: the one-rounding form of qgemm.h for
  // the product p = (a - a_zp)(b - b_zp), |p| <= 255^2 < 2^16, so a left
  // shift up to 15 cannot saturate: y = (p * y_mult + short_add -
  // [p * y_mult < 0] short_neg) >> short_shift, the output zero point
  // folded into short_add (binary_i8.cc, mul_short_terms).
  bool mul_short = false;
  int64_t short_add = 0, short_neg = 0;
  int32_t short_shift = 0;
  // ONNX Runtime's float form (Requantization::kFloat, graph.h; the
  // reference's binary_int8.cc): the offset o of ORT's values, ADD's R_a,
  // R_b and F, MUL's R (in ra) and zp_y + o (in fixed). row_portable
  // (binary_i8.cc), binary_i8_row_avx2 and the two AVX-512 functions
  // compute it (the repeated-row one a row per call).
  bool float_mode = false;
  int32_t offset = 0;
  float ra = 0, rb = 0, fixed = 0;
};
// out[i] = op(a[i * a_step], b[i * b_step]) for i < n; steps are 0 or 1.
void binary_i8_row_avx2(const BinaryParams& p, const int8_t* a, int64_t a_step, const int8_t* b,
                        int64_t b_step, int8_t* out, int64_t n);
void binary_i8_row_avx512(const BinaryParams& p, const int8_t* a, int64_t a_step, const int8_t* b,
                          int64_t b_step, int8_t* out, int64_t n);
// `outer` rows of `inner` elements: out[o * inner + i] = op(a[o * a_row + i],
// b[o * b_row + i]), one of a_row and b_row 0 (a row repeated: the SE
// blocks' channel vectors) and the other `inner`. The setup is done once;
// a repeated row of up to 64 elements stays in registers.
void binary_i8_rows_avx512(const BinaryParams& p, const int8_t* a, int64_t a_row, const int8_t* b,
                           int64_t b_row, int8_t* out, int64_t inner, int64_t outer);
// MUL by a repeated row through per-channel linear forms (mul_linear_i8.h):
// y[o * inner + i] = clamp(((x * p[i] + q[i]) >> t[i]) + y_zp, act_min,
// act_max) for x = x[o * inner + i], q = q_neg where the product (x - x_zp)
// k_i is negative (bit i of k_neg: k_i < 0), else q_pos; with one_sign
// every product has one sign and q_pos serves. inner <= 64, the arrays
// padded to a multiple of 16.
struct MulLinearRows {
  const int32_t *p = nullptr, *q_pos = nullptr, *q_neg = nullptr, *t = nullptr;
  uint64_t k_neg = 0;
  int32_t x_zp = 0, y_zp = 0, act_min = -128, act_max = 127;
  bool one_sign = false;
};
void mul_linear_rows_avx512(const MulLinearRows& r, const int8_t* x, int8_t* y, int64_t inner,
                            int64_t outer);

// --------------------------------------- TRANSPOSE_CONV f32, no overlapping
// For each of `pixels` input pixels p (x + p * in_c, in_c floats) and each
// packed weight row r < n (w + r * in_cp: in_c floats, zero up to in_cp, a
// multiple of 16; rows up to a multiple of 4 exist and are zero):
//   out[p * pixel_step + r] = bias[r] + dot(x_p, w_r)
// (pixel_step >= n; bias has a multiple of 4 entries too). Sums in float,
// in any order.
struct TConvRows {
  const float* x = nullptr;
  int64_t pixels = 0, in_c = 0, in_cp = 0;
  const float* w = nullptr;
  const float* bias = nullptr;
  int64_t n = 0;
  int64_t pixel_step = 0;
  float* out = nullptr;
};
void transpose_conv_f32_rows_avx2(const TConvRows& r);
void transpose_conv_f32_rows_avx512(const TConvRows& r);

}  // namespace opscope::native::ukernels
