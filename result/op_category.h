// Coarse operator categories, the same for every runtime: what `compare`
// lines up when the two sides ran on different runtimes (our engine and
// PyTorch), whose nodes do not match one to one.
#pragma once

#include <string_view>

namespace opscope {

// "conv", "depthwise", "linear", "pooling", "activation" or "other".
// The runners set OpStats::category from what they know (the engine's op
// kind; PyTorch's convolution groups); this reads a type name of any
// runtime ("DEPTHWISE_CONV_2D", "int8 Conv+Relu", "aten::hardswish_",
// "prepacked::linear_clamp_run", ...) for rows stored without one. A
// grouped convolution whose type does not say so reads as "conv".
std::string_view op_category_of_type(std::string_view type);

}  // namespace opscope
