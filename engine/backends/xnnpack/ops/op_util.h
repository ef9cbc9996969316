// Checks and conversions shared by the XNNPACK op files.
#pragma once

#include <initializer_list>
#include <string>

#include "engine/graph.h"

namespace opscope::xnnpack {

// Every input present and output is f32 (absent optional inputs allowed).
bool expect_f32_io(const Graph& g, const Node& n, std::string* why);
// The listed inputs, when present, are constant tensors.
bool expect_constant_inputs(const Graph& g, const Node& n,
                            std::initializer_list<int> inputs, std::string* why);
// XNNPACK fuses clamps (none, RELU, RELU_N1_TO_1, RELU6) but not TANH.
bool expect_fused_clamp(Activation activation, std::string* why);
// Input `i` has rank `rank` (declared shape).
bool expect_rank(const Graph& g, const Node& n, int i, int rank, std::string* why);

// Explicit pads for a window op, resolving TFLite SAME/VALID.
Pads2D resolve_pads(Padding padding, const Pads2D& explicit_pads, int64_t in_h,
                    int64_t in_w, int64_t kh, int64_t kw, int stride_h, int stride_w,
                    int dilation_h, int dilation_w);

// The constant f32 bias at input `i`, or nullptr when absent.
const float* optional_bias(const Graph& g, const Node& n, int i);

}  // namespace opscope::xnnpack
