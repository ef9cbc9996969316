// The output stage shared by the int8 conv-like kernels (CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED), with TFLite's semantics:
//
//   y[c] = clamp(out_zp + MultiplyByQuantizedMultiplier(acc[c] + bias[c],
//                                                       M[c]), act_min, act_max)
//
// where acc[c] = sum (x - in_zp) * w and M[c] = in_scale * w_scale[c] /
// out_scale (one per output channel; per-tensor weights repeat one scale).
//
// With Requantization::kFloat (an op made by QDQ fusion, graph.h) the
// multiply is ONNX Runtime's instead (MLAS's requantization of QLinearConv
// and QGemm): y[c] = requantize_float(acc[c] + bias[c], S[c], out_zp,
// act_min, act_max) with S[c] = (in_scale * w_scale[c]) / out_scale
// computed in float, in that order.
//
// acc[c] + bias[c] is an int32 sum that wraps modulo 2^32, as the int32
// accumulators of TFLite's kernels and of XNNPACK do (both start from or add
// the bias in int32). The dot product itself cannot overflow (at most
// kGemmS16MaxK terms), but a bias near the int32 limits can: a quantizer
// gives one to a channel whose weight scale is tiny (hand_landmark_full has
// biases of 2^31 - 1 on channels with weight scales near 1e-9). Saturating
// there instead put those outputs 2 to 6 LSB away from TFLite.
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

  // What store_row() applies, for kernels that vectorize it (the native
  // backend): one multiplier and one bias per channel, the output zero
  // point and the activation clamp.
  const std::vector<QuantizedMultiplier>& multipliers() const { return multipliers_; }
  // Requantization::kFloat: the float scale per channel (empty otherwise).
  Requantization requantization() const { return requantization_; }
  const std::vector<float>& float_scales() const { return float_scales_; }
  const std::vector<int32_t>& bias() const { return bias_; }
  int32_t output_zero_point() const { return output_zp_; }
  Int8Range range() const { return range_; }

  // Writes y[c] for c < channels from the raw dot products acc[c] (bias not
  // yet added; the sum wraps in int32, see above).
  void store_row(const int32_t* acc, int8_t* y) const {
    const int64_t n = static_cast<int64_t>(bias_.size());
    if (requantization_ == Requantization::kFloat) {
      for (int64_t c = 0; c < n; ++c) {
        const auto sum = static_cast<int32_t>(static_cast<uint32_t>(acc[c]) +
                                              static_cast<uint32_t>(bias_[c]));
        y[c] = static_cast<int8_t>(
            requantize_float(sum, float_scales_[c], output_zp_, range_.min, range_.max));
      }
      return;
    }
    for (int64_t c = 0; c < n; ++c) {
      // Two's-complement wrap (defined for unsigned; the conversion back is
      // modular since C++20).
      const auto sum = static_cast<int32_t>(static_cast<uint32_t>(acc[c]) +
                                            static_cast<uint32_t>(bias_[c]));
      const int32_t v = multiply_by_quantized_multiplier(sum, multipliers_[c]) + output_zp_;
      y[c] = static_cast<int8_t>(v < range_.min ? range_.min : (v > range_.max ? range_.max : v));
    }
  }

 private:
  QParams input_;
  int32_t output_zp_ = 0;
  Int8Range range_;
  std::vector<QuantizedMultiplier> multipliers_;
  Requantization requantization_ = Requantization::kFixedPoint;
  std::vector<float> float_scales_;
  std::vector<int32_t> bias_;  // zeros when the op has none
};

}  // namespace opscope::reference::int8
