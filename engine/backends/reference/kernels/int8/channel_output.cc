#include "engine/backends/reference/kernels/int8/channel_output.h"

#include <cstring>

namespace opscope::reference::int8 {

Status ChannelOutput::prepare(PrepareContext& ctx, int weight_axis, int64_t channels,
                              Activation activation, bool float_scale_product) {
  OPSCOPE_ASSIGN_OR_RETURN(input_, int8_input_params(ctx, 0));
  OPSCOPE_ASSIGN_OR_RETURN(const QParams out, int8_output_params(ctx));
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<float> scales,
                           int8_weight_scales(ctx, 1, weight_axis, channels));
  OPSCOPE_RETURN_IF_ERROR(expect_int32_bias(ctx, 2, channels, input_.scale, scales));
  OPSCOPE_ASSIGN_OR_RETURN(range_, int8_activation_range(ctx, activation, out));
  output_zp_ = out.zero_point;
  if (float_scale_product && ctx.input(1).quantization.scales.size() == 1) {
    const float product = input_.scale * scales[0];
    multipliers_.assign(scales.size(), quantize_multiplier(static_cast<double>(product) /
                                                           static_cast<double>(out.scale)));
  } else {
    multipliers_ = conv_multipliers(input_.scale, scales, out.scale);
  }
  requantization_ = is_float_requantization(ctx.node().requantization)
                        ? Requantization::kFloat
                        : Requantization::kFixedPoint;
  float_scales_.clear();
  if (requantization_ == Requantization::kFloat) {
    for (const float w : scales) float_scales_.push_back((input_.scale * w) / out.scale);
  }
  bias_.assign(static_cast<size_t>(channels), 0);
  if (ctx.has_input(2) && channels > 0) {
    // memcpy: constant data may sit unaligned inside a mapped model file.
    std::memcpy(bias_.data(), ctx.input(2).data, bias_.size() * sizeof(int32_t));
  }
  return Status::ok();
}

}  // namespace opscope::reference::int8
