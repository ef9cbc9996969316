// Prepare-time checks and precomputation shared by the int8 kernels: the
// per-tensor quantization of activations, per-channel symmetric weights,
// int32 bias, a fused activation's clamp in the quantized domain, and the
// requantization multipliers. Every error comes from ctx.error(...), so its
// message names the node, and says which tensor and why.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/attributes.h"
#include "engine/backends/reference/kernels/int8/fixed_point.h"
#include "engine/kernel.h"

namespace opscope::reference::int8 {

// The per-tensor quantization of an int8 activation.
struct QParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// A clamp in the quantized domain, within [-128, 127].
struct Int8Range {
  int32_t min = -128;
  int32_t max = 127;
};

// Checks that `t` is i8 and quantized per tensor: one finite scale > 0 (a
// per-channel axis with a single scale counts as per tensor) and at most one
// zero point, within [-128, 127] (absent: 0). `what` names it in messages
// ("input 0", "output").
Result<QParams> int8_params(const PrepareContext& ctx, const Tensor& t,
                            std::string_view what);

// int8_params of input `i`, which must be present.
Result<QParams> int8_input_params(PrepareContext& ctx, int i);

// Checks the node has exactly one output and returns its int8_params. The
// output keeps the dtype and quantization the graph gave it (the model
// states them): it must already be i8.
Result<QParams> int8_output_params(PrepareContext& ctx);

// The weights at input `i` of a conv-like op: present, constant, i8,
// symmetric (every zero point 0), with one scale or one per output channel
// along `channel_axis` (whose size must be `channels`). Returns one finite
// scale > 0 per channel (a per-tensor scale repeated).
Result<std::vector<float>> int8_weight_scales(PrepareContext& ctx, int i,
                                              int channel_axis, int64_t channels);

// The optional bias at input `i`: absent, or constant i32 of shape
// [channels]. When it carries scales (one, or one per channel), each must
// equal input_scale * weight_scale[c] within 0.1 %: a bias quantized with
// another scale would silently shift every output.
Status expect_int32_bias(PrepareContext& ctx, int i, int64_t channels, float input_scale,
                         const std::vector<float>& weight_scales);

// The clamp of a fused activation in the output's quantized domain, as
// TFLite's CalculateActivationRangeQuantized: RELU [q(0), 127], RELU6
// [q(0), q(6)], RELU_N1_TO_1 [q(-1), q(1)], with q(x) = zp + round(x /
// scale) in float, limited to [-128, 127]. TANH cannot be fused into an
// int8 op (kUnsupportedOp); an empty range is kInvalidArgument.
Result<Int8Range> int8_activation_range(const PrepareContext& ctx, Activation activation,
                                        QParams out);

// Per-output-channel multipliers of a conv-like op: input_scale *
// weight_scale[c] / output_scale, in double, as TFLite's
// PopulateConvolutionQuantizationParams.
std::vector<QuantizedMultiplier> conv_multipliers(float input_scale,
                                                  const std::vector<float>& weight_scales,
                                                  float output_scale);

// Checks a dot product of `k` terms cannot overflow the int32 accumulator.
Status expect_accumulator_fits(const PrepareContext& ctx, int64_t k);

// The op's output uses the input's quantization (data movement and pools in
// TFLite require it): both must agree to within a relative 1e-6 in scale and
// exactly in zero point.
Status expect_same_params(const PrepareContext& ctx, QParams in, QParams out);

}  // namespace opscope::reference::int8
