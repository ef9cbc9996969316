// The ISA microkernels of the native int8 kernels, each defined in a file
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
// cannot overflow (|weights| < 2048).
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
};
void resize_bilinear_i8_row_avx2(const ResizeRow& r);
void resize_bilinear_i8_row_avx512(const ResizeRow& r);

// ------------------------------------------------------------ 256-entry LUT
// y[i] = table[(uint8_t)x[i]] for i < n.
void lut_i8_avx512vbmi(const int8_t* table, const int8_t* x, int8_t* y, int64_t n);
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
};
// One image (batch item): input [in_h, in_w, channels] to output
// [out_h, out_w, channels].
void depthwise_i8_avx2(const DepthwiseParams& p, const int8_t* input, int8_t* output);
void depthwise_i8_avx512(const DepthwiseParams& p, const int8_t* input, int8_t* output);

}  // namespace opscope::native::ukernels
