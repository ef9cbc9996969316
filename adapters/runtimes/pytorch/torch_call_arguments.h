// What the argument-reading events of the discovery forward() learn from
// a call's arguments (pytorch_module.h, read_arguments). Part of the
// libtorch plugin.
#pragma once

#include <ATen/record_function.h>

namespace opscope::pytorch {

// Whether the call is a depthwise convolution: groups > 1 and equal to its
// input's channels. PyTorch has one operator for every convolution
// (aten::conv2d, aten::_convolution, XNNPACK's prepacked::conv2d_clamp_run,
// quantized::conv2d*); the groups tell them apart.
bool is_depthwise(const at::RecordFunction& fn);

}  // namespace opscope::pytorch
