// CONV_2D, f32: im2col into scratch, then the blocked GEMM against the OHWI
// filter packed as B[K = KH*KW*I, O].
#include <algorithm>
#include <vector>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/backends/reference/kernels/conv2d_kernel.h"
#include "engine/backends/reference/kernels/gemm.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/linear_ops.h"

namespace opscope::reference {
namespace {

class Conv2DF32 final : public Conv2DKernel {
 public:
  Status prepare(PrepareContext& ctx) override;
  void run(const RunContext& ctx) override;

 private:
  // Writes the patches of output pixels [first, first + rows) of one image
  // into col (rows x patch_, row-major, (ky, kx, c) order like the filter).
  void im2col(const float* image, int64_t first, int64_t rows,
              float* col) const;

  int64_t patch_ = 0;       // K of the GEMM: k_h_ * k_w_ * in_c_
  int64_t chunk_rows_ = 0;  // output pixels per im2col chunk
  bool direct_ = false;     // 1x1, stride 1, unpadded: A is the input itself
  // The packed filter when it is constant; empty when run() packs it.
  std::vector<float> packed_filter_;
  size_t filter_offset_ = 0, col_offset_ = 0;  // scratch regions
};

Status Conv2DF32::prepare(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_conv2d_inputs(ctx));
  OPSCOPE_ASSIGN_OR_RETURN(const shapes::ConvGeometry g, shapes::conv2d_geometry(ctx));
  bind(ctx, g, ctx.node().attr<Conv2DAttrs>().activation);

  patch_ = k_h_ * k_w_ * in_c_;
  // A 1x1 stride-1 conv with no padding is a plain GEMM over all pixels.
  direct_ = k_h_ == 1 && k_w_ == 1 && stride_h_ == 1 && stride_w_ == 1 &&
            pad_top_ == 0 && pad_left_ == 0 && out_h_ == in_h_ &&
            out_w_ == in_w_;

  // B[p, o] = filter[o, p]: the OHWI filter is B transposed.
  ScratchLayout layout;
  packed_filter_.clear();
  if (ctx.input(1).is_constant()) {
    packed_filter_.resize(gemm_packed_b_floats(patch_, out_c_));
    gemm_pack_b(patch_, out_c_, ctx.input(1).constant_as<float>(), 1, patch_,
                packed_filter_.data());
  } else {
    // E.g. a filter dequantized from f16 at run time.
    filter_offset_ = layout.add_floats(gemm_packed_b_floats(patch_, out_c_));
  }
  if (!direct_) {
    // im2col works on chunks of output pixels (gemm_chunk_rows).
    chunk_rows_ = gemm_chunk_rows(out_h_ * out_w_, patch_);
    col_offset_ = layout.add_floats(chunk_rows_ * patch_);
  }
  ctx.set_scratch_bytes(layout.bytes());
  return Status::ok();
}

void Conv2DF32::im2col(const float* image, int64_t first, int64_t rows,
                       float* col) const {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t oy = (first + r) / out_w_;
    const int64_t ox = (first + r) % out_w_;
    float* dst = col + r * patch_;
    for (int64_t ky = 0; ky < k_h_; ++ky) {
      const int64_t iy = oy * stride_h_ - pad_top_ + ky * dilation_h_;
      if (iy < 0 || iy >= in_h_) {
        std::fill(dst, dst + k_w_ * in_c_, 0.0f);
        dst += k_w_ * in_c_;
        continue;
      }
      for (int64_t kx = 0; kx < k_w_; ++kx) {
        const int64_t ix = ox * stride_w_ - pad_left_ + kx * dilation_w_;
        if (ix < 0 || ix >= in_w_) {
          std::fill(dst, dst + in_c_, 0.0f);
        } else {
          const float* src = image + (iy * in_w_ + ix) * in_c_;
          std::copy(src, src + in_c_, dst);
        }
        dst += in_c_;
      }
    }
  }
}

void Conv2DF32::run(const RunContext& ctx) {
  const float* input = ctx.data<const float>(input_id_);
  const float* bias = bias_id_ >= 0 ? ctx.data<const float>(bias_id_) : nullptr;
  float* output = ctx.data<float>(output_id_);
  const float* filter = packed_filter_.data();
  if (packed_filter_.empty()) {
    float* packed = scratch_floats(ctx, filter_offset_);
    gemm_pack_b(patch_, out_c_, ctx.data<const float>(filter_id_), 1, patch_,
                packed);
    filter = packed;
  }
  const ActivationRange clamp = activation_range(activation_);
  const int64_t pixels = out_h_ * out_w_;

  if (direct_) {
    gemm_packed(batch_ * pixels, out_c_, in_c_, input, in_c_, filter, bias,
                output, out_c_, clamp);
    if (activation_ == Activation::kTanh) {
      apply_activation(output, batch_ * pixels * out_c_, Activation::kTanh);
    }
    return;
  }
  float* col = scratch_floats(ctx, col_offset_);
  for (int64_t n = 0; n < batch_; ++n) {
    const float* image = input + n * in_h_ * in_w_ * in_c_;
    float* out_image = output + n * pixels * out_c_;
    for (int64_t first = 0; first < pixels; first += chunk_rows_) {
      const int64_t rows = std::min(chunk_rows_, pixels - first);
      im2col(image, first, rows, col);
      float* out = out_image + first * out_c_;
      gemm_packed(rows, out_c_, patch_, col, patch_, filter, bias, out,
                  out_c_, clamp);
      if (activation_ == Activation::kTanh) {
        apply_activation(out, rows * out_c_, Activation::kTanh);
      }
    }
  }
}

}  // namespace

std::unique_ptr<Kernel> make_conv2d_f32() {
  return std::make_unique<Conv2DF32>();
}

}  // namespace opscope::reference
