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
// scale of the others (1 when the whole tensor is zero).
Tensor quantize_symmetric_int8(const Tensor& w, int axis, std::string name);

// int32 bias with scale input_scale * weight_scale[c] (one per output
// channel, axis 0; per tensor when there is one weight scale), zero point 0,
// saturated to the int32 range.
Tensor quantize_bias_int32(const Tensor& b, float input_scale,
                           const std::vector<float>& weight_scales, std::string name);

// Asymmetric per-tensor int8 of an f32 constant operand (a MUL's or ADD's
// constant input) over its own range widened to hold 0.
Tensor quantize_asymmetric_int8(const Tensor& c, std::string name);

}  // namespace opscope
