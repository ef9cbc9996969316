// Naming and node building shared by the f32 and int8 XNNPACK convolution
// tests (xnnpack_conv_test.cc, xnnpack_conv_int8_test.cc).
#pragma once

#include <string>

#include "tests/engine/backends/xnn_test_util.h"

namespace opscope::testing {

inline const char* activation_name(Activation a) {
  switch (a) {
    case Activation::kNone: return "none";
    case Activation::kRelu: return "relu";
    case Activation::kReluN1To1: return "relu_n1_to_1";
    case Activation::kRelu6: return "relu6";
    case Activation::kTanh: return "tanh";
  }
  return "?";
}


// The part of a test name that says the window of a conv case (ConvCase or
// Q8Case): "_c8_o16_k3_s1_same_relu_bias".
template <typename Case>
std::string window_name(const Case& p) {
  std::string s = "_c" + std::to_string(p.c);
  s += p.depthwise ? "_m" + std::to_string(p.multiplier) : "_o" + std::to_string(p.out_c);
  s += "_k" + std::to_string(p.k) + "_s" + std::to_string(p.stride);
  if (p.dilation != 1) s += "_d" + std::to_string(p.dilation);
  s += p.padding == Padding::kSame ? "_same" : "_valid";
  s += std::string("_") + activation_name(p.activation);
  s += p.bias ? "_bias" : "_nobias";
  return s;
}

// A CONV_2D or DEPTHWISE_CONV_2D node with the window and activation of a
// conv case (ConvCase or Q8Case), no tensors yet.
template <typename Case>
OneNodeGraph conv_node(const Case& p) {
  if (p.depthwise) {
    DepthwiseConv2DAttrs a;
    a.padding = p.padding;
    a.stride_h = a.stride_w = p.stride;
    a.dilation_h = a.dilation_w = p.dilation;
    a.depth_multiplier = p.multiplier;
    a.activation = p.activation;
    return OneNodeGraph(OpKind::kDepthwiseConv2D, a);
  }
  Conv2DAttrs a;
  a.padding = p.padding;
  a.stride_h = a.stride_w = p.stride;
  a.dilation_h = a.dilation_w = p.dilation;
  a.activation = p.activation;
  return OneNodeGraph(OpKind::kConv2D, a);
}

}  // namespace opscope::testing
