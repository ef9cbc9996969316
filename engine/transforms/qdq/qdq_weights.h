// The constant operands of an int8 op that QDQ fusion builds: int8 weights
// taken back from the integer grid of f32 weights (tensor.h, Quantization),
// and the int32 bias TFLite's int8 spec asks for.
#pragma once

#include <string>
#include <vector>

#include "engine/graph.h"

namespace opscope::qdq {

// A new constant tensor, or why none could be made.
struct ConstantResult {
  int tensor = -1;
  std::string why;  // set when tensor < 0
};

// The int8 integers of f32 constant `w` (its grid: one scale, or one per
// channel along `channel_axis` with `channels` of them; zero points 0, the
// symmetric weights the int8 kernels take). Every value must be on the grid
// exactly. The new tensor is i8 with the grid as its quantization; its
// scales (repeated per channel when per tensor) go to `scales`.
ConstantResult int8_weights(Graph& graph, int w, int channel_axis, int64_t channels,
                            std::vector<float>* scales);

// Bias `b` (f32 constant [channels], or -1 for none) as int32 at scale
// input_scale * weight_scale[c], rounded to nearest, as TFLite's converter
// and ONNX Runtime's QDQ fusion quantize a float bias. -1 in, -1 out.
ConstantResult int32_bias(Graph& graph, int b, float input_scale,
                          const std::vector<float>& weight_scales);

}  // namespace opscope::qdq
