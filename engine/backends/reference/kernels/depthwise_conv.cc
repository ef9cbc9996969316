// DEPTHWISE_CONV_2D, f32: a direct NHWC loop. Each output pixel's C*M
// values are accumulated in place, one filter tap at a time, with the
// innermost loop running over channels so that it vectorizes.
#include <algorithm>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/linear_ops.h"
#include "engine/backends/reference/kernels/row_ops.h"
#include "engine/backends/reference/kernels/window.h"

namespace opscope::reference {
namespace {

class DepthwiseConv2DF32 final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override;
  void run(const RunContext& ctx) override;

 private:
  int input_id_ = -1, filter_id_ = -1, bias_id_ = -1, output_id_ = -1;
  int64_t batch_ = 0, in_h_ = 0, in_w_ = 0, in_c_ = 0;
  int64_t out_h_ = 0, out_w_ = 0, out_c_ = 0, k_h_ = 0, k_w_ = 0;
  int64_t multiplier_ = 1;
  int64_t stride_h_ = 1, stride_w_ = 1, dilation_h_ = 1, dilation_w_ = 1;
  int64_t pad_top_ = 0, pad_left_ = 0;
  Activation activation_ = Activation::kNone;
};

Status DepthwiseConv2DF32::prepare(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_f32_op(ctx, 2, 3));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(0, 4));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(1, 4));
  const auto& attrs = ctx.node().attr<DepthwiseConv2DAttrs>();
  OPSCOPE_RETURN_IF_ERROR(expect_window(ctx, attrs.padding,
                                        attrs.explicit_pads, attrs.stride_h,
                                        attrs.stride_w, attrs.dilation_h,
                                        attrs.dilation_w));
  const Shape& in = ctx.input(0).shape;
  const Shape& filter = ctx.input(1).shape;
  if (filter[0] != 1 || filter[1] < 1 || filter[2] < 1 || filter[3] < 1) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "filter " + describe_input(ctx, 1) +
                         " should be 1xKHxKWx(C*M)");
  }
  // Like TFLite, the multiplier comes from the shapes: the attribute is
  // redundant and some converters leave it stale.
  if (in[3] < 1 || filter[3] % in[3] != 0) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "filter " + describe_input(ctx, 1) + " has " +
                         std::to_string(filter[3]) +
                         " channels, not a multiple of the " +
                         std::to_string(in[3]) + " channels of input " +
                         describe_input(ctx, 0));
  }
  OPSCOPE_RETURN_IF_ERROR(expect_bias(ctx, 2, filter[3]));

  batch_ = in[0];
  in_h_ = in[1];
  in_w_ = in[2];
  in_c_ = in[3];
  k_h_ = filter[1];
  k_w_ = filter[2];
  out_c_ = filter[3];
  multiplier_ = out_c_ / in_c_;
  stride_h_ = attrs.stride_h;
  stride_w_ = attrs.stride_w;
  dilation_h_ = attrs.dilation_h;
  dilation_w_ = attrs.dilation_w;
  const Pads2D& pads = attrs.explicit_pads;
  const WindowDim h = window_dim(attrs.padding, in_h_, k_h_, attrs.stride_h,
                                 attrs.dilation_h, pads.top, pads.bottom);
  const WindowDim w = window_dim(attrs.padding, in_w_, k_w_, attrs.stride_w,
                                 attrs.dilation_w, pads.left, pads.right);
  if (h.out <= 0 || w.out <= 0) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "input " + describe_input(ctx, 0) +
                         " is smaller than the dilated filter " +
                         describe_input(ctx, 1));
  }
  out_h_ = h.out;
  out_w_ = w.out;
  pad_top_ = h.pad_before;
  pad_left_ = w.pad_before;
  activation_ = attrs.activation;
  input_id_ = ctx.input_id(0);
  filter_id_ = ctx.input_id(1);
  bias_id_ = ctx.has_input(2) ? ctx.input_id(2) : -1;
  output_id_ = ctx.output_id(0);
  ctx.output(0).shape = {batch_, out_h_, out_w_, out_c_};
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
        if (bias != nullptr) {
          std::copy(bias, bias + out_c, out);
        } else {
          std::fill(out, out + out_c, 0.0f);
        }
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
