// DEPTHWISE_CONV_2D, f32: a direct NHWC loop. Each output pixel's C*M
// values are accumulated in place, one filter tap at a time, with the
// innermost loop running over channels so that it vectorizes.

#include "engine/backends/reference/kernels/activation.h"
#include "engine/backends/reference/kernels/conv2d_kernel.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/linear_ops.h"
#include "engine/backends/reference/kernels/row_ops.h"

namespace opscope::reference {
namespace {

class DepthwiseConv2DF32 final : public Conv2DKernel {
 public:
  Status prepare(PrepareContext& ctx) override;
  void run(const RunContext& ctx) override;

 private:
  int64_t multiplier_ = 1;
};

Status DepthwiseConv2DF32::prepare(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_conv2d_inputs(ctx));
  OPSCOPE_ASSIGN_OR_RETURN(const shapes::ConvGeometry g,
                           shapes::depthwise_conv2d_geometry(ctx));
  bind(ctx, g, ctx.node().attr<DepthwiseConv2DAttrs>().activation);
  // Like TFLite, the multiplier comes from the shapes.
  multiplier_ = out_c_ / in_c_;
  return Status::ok();
}

void DepthwiseConv2DF32::run(const RunContext& ctx) {
  const float* input = ctx.data<const float>(input_id_);
  const float* filter = ctx.data<const float>(filter_id_);
  const float* bias = bias_id_ >= 0 ? ctx.data<const float>(bias_id_) : nullptr;
  float* output = ctx.data<float>(output_id_);
  const ActivationRange clamp = activation_range(activation_);
  const int64_t in_c = in_c_, out_c = out_c_, m = multiplier_;

  for (int64_t n = 0; n < batch_; ++n) {
    const float* image = input + n * in_h_ * in_w_ * in_c;
    for (int64_t oy = 0; oy < out_h_; ++oy) {
      for (int64_t ox = 0; ox < out_w_; ++ox) {
        float* out = output + ((n * out_h_ + oy) * out_w_ + ox) * out_c;
        row_init_bias(out, bias, out_c);
        for (int64_t ky = 0; ky < k_h_; ++ky) {
          const int64_t iy = oy * stride_h_ - pad_top_ + ky * dilation_h_;
          if (iy < 0 || iy >= in_h_) continue;
          for (int64_t kx = 0; kx < k_w_; ++kx) {
            const int64_t ix = ox * stride_w_ - pad_left_ + kx * dilation_w_;
            if (ix < 0 || ix >= in_w_) continue;
            const float* in = image + (iy * in_w_ + ix) * in_c;
            const float* f = filter + (ky * k_w_ + kx) * out_c;
            if (m == 1) {
              row_multiply_add(out, in, f, in_c);
            } else {
              // Output channel c * m + j reads input channel c.
              for (int64_t c = 0; c < in_c; ++c) {
                const float x = in[c];
                float* o = out + c * m;
                const float* fc = f + c * m;
                for (int64_t j = 0; j < m; ++j) o[j] += x * fc[j];
              }
            }
          }
        }
        if (activation_ == Activation::kTanh) {
          apply_activation(out, out_c, Activation::kTanh);
        } else if (activation_ != Activation::kNone) {
          row_clamp(out, out_c, clamp);
        }
      }
    }
  }
}

}  // namespace

std::unique_ptr<Kernel> make_depthwise_conv2d_f32() {
  return std::make_unique<DepthwiseConv2DF32>();
}

}  // namespace opscope::reference
