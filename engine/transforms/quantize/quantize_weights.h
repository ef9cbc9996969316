// Constant tensors to int8/int32: the weight, bias and operand encodings of
// TFLite's full-integer models.
#pragma once

#include <string>
#include <vector>

#include "engine/tensor.h"

namespace opscope {

// Symmetric int8 (zero point 0, values in [-127, 127]) of an f32 constant:
// one scale per slice along `axis` (scale = max|w| / 127), or one for the
// whole tensor when `axis` is negative. An all-zero slice gets the largest
// scale of the others (1 when the whole tensor is zero). `min_scales` (one
// per slice, or one for all; empty: none) raises a slice's scale to at
// least that value: see min_weight_scales_for_bias.
Tensor quantize_symmetric_int8(const Tensor& w, int axis, std::string name,
                               const std::vector<float>& min_scales = {});

// The smallest weight scales that keep the int32 bias (scale input_scale *
// weight_scale) of a conv/FC within ±2^30: a channel whose weights are tiny
// next to its bias would otherwise get a bias at the int32 limits, and
// acc + bias wraps (TFLite's and XNNPACK's semantics) into garbage. Half the
// int32 range stays free for the accumulator. One value per bias element, or
// a single one (the largest) when `per_tensor`.
std::vector<float> min_weight_scales_for_bias(const Tensor& bias, float input_scale,
                                              bool per_tensor);

// int32 bias with scale input_scale * weight_scale[c] (one per output
// channel, axis 0; per tensor when there is one weight scale), zero point 0,
// saturated to the int32 range.
Tensor quantize_bias_int32(const Tensor& b, float input_scale,
                           const std::vector<float>& weight_scales, std::string name);

// Asymmetric per-tensor int8 of an f32 constant operand (a MUL's or ADD's
// constant input) over its own range widened to hold 0.
Tensor quantize_asymmetric_int8(const Tensor& c, std::string name);

}  // namespace opscope
