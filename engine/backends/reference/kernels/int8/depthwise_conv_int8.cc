// DEPTHWISE_CONV_2D, int8: a direct NHWC loop. Each output pixel's C*M int32
// sums start at 0 and take one filter tap at a time, (x - input zero point)
// * w, with the innermost loop over channels in fixed blocks so that GCC -O2
// vectorizes it; taps in the padding are skipped (they would add 0). Then
// TFLite's per-channel requantization.
#include <algorithm>
#include <cstring>
#include <vector>

#include "engine/backends/reference/kernels/conv2d_kernel.h"
#include "engine/backends/reference/kernels/int8/channel_output.h"
#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/backends/reference/kernels/linear_ops.h"

namespace opscope::reference::int8 {
namespace {

constexpr int64_t kBlock = 16;

// acc[c] += (x[c] - zp) * w[c] for c < n.
inline void multiply_add_row(int32_t* __restrict acc, const int8_t* __restrict x,
                             const int16_t* __restrict w, int32_t zp, int64_t n) {
  int64_t c = 0;
  for (; c + kBlock <= n; c += kBlock) {
    for (int64_t j = 0; j < kBlock; ++j) {
      acc[c + j] += (static_cast<int32_t>(x[c + j]) - zp) * static_cast<int32_t>(w[c + j]);
    }
  }
  for (; c < n; ++c) acc[c] += (static_cast<int32_t>(x[c]) - zp) * static_cast<int32_t>(w[c]);
}

class DepthwiseConv2DI8 final : public Conv2DKernel {
 public:
  Status prepare(PrepareContext& ctx) override;
  void run(const RunContext& ctx) override;

 private:
  ChannelOutput output_stage_;
  int32_t in_zp_ = 0;
  int64_t multiplier_ = 1;
  std::vector<int16_t> filter_;  // [KH, KW, C*M] widened once
};

Status DepthwiseConv2DI8::prepare(PrepareContext& ctx) {
  OPSCOPE_ASSIGN_OR_RETURN(const shapes::ConvGeometry g,
                           shapes::depthwise_conv2d_geometry(ctx));
  const auto& attrs = ctx.node().attr<DepthwiseConv2DAttrs>();
  OPSCOPE_RETURN_IF_ERROR(
      output_stage_.prepare(ctx, /*weight_axis=*/3, g.out_c, attrs.activation));
  bind(ctx, g, attrs.activation);
  // Like TFLite, the multiplier comes from the shapes.
  multiplier_ = out_c_ / in_c_;
  in_zp_ = output_stage_.input_zero_point();
  const int8_t* w = ctx.input(1).constant_as<int8_t>();
  filter_.assign(w, w + k_h_ * k_w_ * out_c_);
  ctx.set_scratch_bytes(static_cast<size_t>(out_c_) * sizeof(int32_t));
  return Status::ok();
}

void DepthwiseConv2DI8::run(const RunContext& ctx) {
  const int8_t* input = ctx.data<const int8_t>(input_id_);
  int8_t* output = ctx.data<int8_t>(output_id_);
  auto* acc = static_cast<int32_t*>(ctx.scratch);
  const int64_t in_c = in_c_, out_c = out_c_, m = multiplier_;
  for (int64_t n = 0; n < batch_; ++n) {
    const int8_t* image = input + n * in_h_ * in_w_ * in_c;
    for (int64_t oy = 0; oy < out_h_; ++oy) {
      for (int64_t ox = 0; ox < out_w_; ++ox) {
        std::memset(acc, 0, static_cast<size_t>(out_c) * sizeof(int32_t));
        for (int64_t ky = 0; ky < k_h_; ++ky) {
          const int64_t iy = oy * stride_h_ - pad_top_ + ky * dilation_h_;
          if (iy < 0 || iy >= in_h_) continue;
          for (int64_t kx = 0; kx < k_w_; ++kx) {
            const int64_t ix = ox * stride_w_ - pad_left_ + kx * dilation_w_;
            if (ix < 0 || ix >= in_w_) continue;
            const int8_t* x = image + (iy * in_w_ + ix) * in_c;
            const int16_t* f = filter_.data() + (ky * k_w_ + kx) * out_c;
            if (m == 1) {
              multiply_add_row(acc, x, f, in_zp_, in_c);
            } else {
              // Output channel c * m + j reads input channel c.
              for (int64_t c = 0; c < in_c; ++c) {
                const int32_t v = static_cast<int32_t>(x[c]) - in_zp_;
                for (int64_t j = 0; j < m; ++j) acc[c * m + j] += v * f[c * m + j];
              }
            }
          }
        }
        output_stage_.store_row(acc, output + ((n * out_h_ + oy) * out_w_ + ox) * out_c);
      }
    }
  }
}

}  // namespace

std::unique_ptr<Kernel> make_depthwise_conv2d_i8() {
  return std::make_unique<DepthwiseConv2DI8>();
}

}  // namespace opscope::reference::int8
