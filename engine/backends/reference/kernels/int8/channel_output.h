// The output stage shared by the int8 conv-like kernels (CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED), with TFLite's semantics:
//
//   y[c] = clamp(out_zp + MultiplyByQuantizedMultiplier(acc[c] + bias[c],
//                                                       M[c]), act_min, act_max)
//
// where acc[c] = sum (x - in_zp) * w and M[c] = in_scale * w_scale[c] /
// out_scale (one per output channel; per-tensor weights repeat one scale).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/attributes.h"
#include "engine/backends/reference/kernels/int8/fixed_point.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"
#include "engine/kernel.h"

namespace opscope::reference::int8 {

class ChannelOutput {
 public:
  // Checks input 0 (int8 activation), the weights at input 1 (symmetric,
  // per tensor or per channel along `weight_axis`, `channels` output
  // channels), the optional int32 bias at input 2 and the int8 output, and
  // precomputes the multipliers, the bias values and the activation clamp.
  // `float_scale_product`: TFLite's FULLY_CONNECTED with per-tensor weights
  // forms in_scale * w_scale in float before dividing in double; every
  // other case (conv, depthwise, per-channel FC) multiplies in double.
  Status prepare(PrepareContext& ctx, int weight_axis, int64_t channels,
                 Activation activation, bool float_scale_product = false);

  // The input's zero point (subtracted from every input value).
  int32_t input_zero_point() const { return input_.zero_point; }

  // Writes y[c] for c < channels from the raw dot products acc[c] (bias not
  // yet added).
  void store_row(const int32_t* acc, int8_t* y) const {
    const int64_t n = static_cast<int64_t>(bias_.size());
    for (int64_t c = 0; c < n; ++c) {
      const int32_t sum = saturate_int32(static_cast<int64_t>(acc[c]) + bias_[c]);
      const int32_t v = multiply_by_quantized_multiplier(sum, multipliers_[c]) + output_zp_;
      y[c] = static_cast<int8_t>(v < range_.min ? range_.min : (v > range_.max ? range_.max : v));
    }
  }

 private:
  QParams input_;
  int32_t output_zp_ = 0;
  Int8Range range_;
  std::vector<QuantizedMultiplier> multipliers_;
  std::vector<int32_t> bias_;  // zeros when the op has none
};

}  // namespace opscope::reference::int8
