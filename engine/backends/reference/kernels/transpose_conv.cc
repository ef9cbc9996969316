// TRANSPOSE_CONV (and MediaPipe's Convolution2DTransposeBias), f32.
//
// Every input pixel contributes filter-tap-weighted copies of itself to a
// KH x KW window of the output. As a GEMM: col[HW, KH*KW*O] =
// input[HW, I] * B[I, KH*KW*O] with B[i, (t, o)] = filter[o, t, i], then a
// col2im pass scatter-adds each row of col into its output window.
#include <algorithm>
#include <vector>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/backends/reference/kernels/conv2d_kernel.h"
#include "engine/backends/reference/kernels/gemm.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/linear_ops.h"
#include "engine/backends/reference/kernels/row_ops.h"

namespace opscope::reference {
namespace {

class TransposeConvF32 final : public Conv2DKernel {
 public:
  Status prepare(PrepareContext& ctx) override;
  void run(const RunContext& ctx) override;

 private:
  // Reorders the OHWI filter into the [KH*KW*O, I] order that gemm_pack_b
  // reads as B transposed (the (t, o) column order of col).
  void reorder_filter(const float* filter, float* reordered) const;
  // Adds col rows of input pixels [first, first + rows) into their windows
  // of one output image.
  void col2im(const float* col, int64_t first, int64_t rows,
              float* out_image) const;

  int64_t col_cols_ = 0;    // KH * KW * O
  int64_t chunk_rows_ = 0;  // input pixels per GEMM + col2im chunk
  // The packed filter when it is constant; empty when run() packs it.
  std::vector<float> packed_filter_;
  size_t reorder_offset_ = 0, filter_offset_ = 0, col_offset_ = 0;
};

Status TransposeConvF32::prepare(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_conv2d_inputs(ctx));
  OPSCOPE_ASSIGN_OR_RETURN(const shapes::ConvGeometry g, shapes::transpose_conv_geometry(ctx));
  bind(ctx, g, ctx.node().attr<TransposeConvAttrs>().activation);

  col_cols_ = k_h_ * k_w_ * out_c_;
  ScratchLayout layout;
  packed_filter_.clear();
  if (ctx.input(1).is_constant()) {
    std::vector<float> reordered(col_cols_ * in_c_);
    reorder_filter(ctx.input(1).constant_as<float>(), reordered.data());
    packed_filter_.resize(gemm_packed_b_floats(in_c_, col_cols_));
    gemm_pack_b(in_c_, col_cols_, reordered.data(), 1, in_c_,
                packed_filter_.data());
  } else {
    reorder_offset_ = layout.add_floats(col_cols_ * in_c_);
    filter_offset_ = layout.add_floats(gemm_packed_b_floats(in_c_, col_cols_));
  }
  // col is computed for chunks of input pixels (gemm_chunk_rows), so it is
  // still in cache for the scatter.
  chunk_rows_ = gemm_chunk_rows(in_h_ * in_w_, col_cols_);
  col_offset_ = layout.add_floats(chunk_rows_ * col_cols_);
  ctx.set_scratch_bytes(layout.bytes());
  return Status::ok();
}

void TransposeConvF32::reorder_filter(const float* filter,
                                      float* reordered) const {
  const int64_t taps = k_h_ * k_w_;
  for (int64_t o = 0; o < out_c_; ++o) {
    for (int64_t t = 0; t < taps; ++t) {
      const float* src = filter + (o * taps + t) * in_c_;
      std::copy(src, src + in_c_, reordered + (t * out_c_ + o) * in_c_);
    }
  }
}

void TransposeConvF32::col2im(const float* col, int64_t first, int64_t rows,
                              float* out_image) const {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t iy = (first + r) / in_w_;
    const int64_t ix = (first + r) % in_w_;
    const float* src_row = col + r * col_cols_;
    for (int64_t ky = 0; ky < k_h_; ++ky) {
      const int64_t oy = iy * stride_h_ + ky - pad_top_;
      if (oy < 0 || oy >= out_h_) continue;
      for (int64_t kx = 0; kx < k_w_; ++kx) {
        const int64_t ox = ix * stride_w_ + kx - pad_left_;
        if (ox < 0 || ox >= out_w_) continue;
        const float* src = src_row + (ky * k_w_ + kx) * out_c_;
        float* dst = out_image + (oy * out_w_ + ox) * out_c_;
        row_add(dst, src, out_c_);
      }
    }
  }
}

void TransposeConvF32::run(const RunContext& ctx) {
  const float* input = ctx.data<const float>(input_id_);
  const float* bias = bias_id_ >= 0 ? ctx.data<const float>(bias_id_) : nullptr;
  float* output = ctx.data<float>(output_id_);
  const float* filter = packed_filter_.data();
  if (packed_filter_.empty()) {
    float* reordered = scratch_floats(ctx, reorder_offset_);
    float* packed = scratch_floats(ctx, filter_offset_);
    reorder_filter(ctx.data<const float>(filter_id_), reordered);
    gemm_pack_b(in_c_, col_cols_, reordered, 1, in_c_, packed);
    filter = packed;
  }
  float* col = scratch_floats(ctx, col_offset_);
  const int64_t in_pixels = in_h_ * in_w_;
  const int64_t out_values = out_h_ * out_w_ * out_c_;

  for (int64_t n = 0; n < batch_; ++n) {
    const float* image = input + n * in_pixels * in_c_;
    float* out_image = output + n * out_values;
    // Output pixels no window reaches keep just the bias.
    for (int64_t p = 0; p < out_h_ * out_w_; ++p) {
      row_init_bias(out_image + p * out_c_, bias, out_c_);
    }
    for (int64_t first = 0; first < in_pixels; first += chunk_rows_) {
      const int64_t rows = std::min(chunk_rows_, in_pixels - first);
      gemm_packed(rows, col_cols_, in_c_, image + first * in_c_, in_c_, filter,
                  nullptr, col, col_cols_);
      col2im(col, first, rows, out_image);
    }
    apply_activation(out_image, out_values, activation_);
  }
}

}  // namespace

std::unique_ptr<Kernel> make_transpose_conv_f32() {
  return std::make_unique<TransposeConvF32>();
}

}  // namespace opscope::reference
