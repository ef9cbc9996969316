// Every op the XNNPACK backend claims, listed explicitly.
#include "engine/backends/xnnpack/xnn_ops.h"

namespace opscope::xnnpack {
namespace {

const XnnOpEntry kTable[] = {
    {OpKind::kConv2D, supports_conv2d, create_conv2d},
    {OpKind::kDepthwiseConv2D, supports_depthwise_conv2d, create_depthwise_conv2d},
    {OpKind::kTransposeConv, supports_transpose_conv, create_transpose_conv},
    {OpKind::kFullyConnected, supports_fully_connected, create_fully_connected},
    {OpKind::kQuantize, supports_quantize, create_quantize},
    {OpKind::kDequantize, supports_dequantize, create_dequantize},
    {OpKind::kAdd, supports_binary, create_binary},
    {OpKind::kSub, supports_binary, create_binary},
    {OpKind::kMul, supports_binary, create_binary},
    {OpKind::kMaximum, supports_binary, create_binary},
    {OpKind::kMinimum, supports_binary, create_binary},
    {OpKind::kRelu, supports_unary, create_unary},
    {OpKind::kRelu6, supports_unary, create_unary},
    {OpKind::kHardSwish, supports_unary, create_unary},
    {OpKind::kLogistic, supports_unary, create_unary},
    {OpKind::kLeakyRelu, supports_unary, create_unary},
    {OpKind::kPRelu, supports_unary, create_unary},
    {OpKind::kAveragePool2D, supports_pool2d, create_pool2d},
    {OpKind::kMaxPool2D, supports_pool2d, create_pool2d},
    {OpKind::kMean, supports_mean, create_mean},
    {OpKind::kResizeBilinear, supports_resize_bilinear, create_resize_bilinear},
    {OpKind::kSoftmax, supports_softmax, create_softmax},
    {OpKind::kPad, supports_pad, create_pad},
    {OpKind::kDepthToSpace, supports_depth_to_space, create_depth_to_space},
    {OpKind::kReshape, supports_reshape_like, create_reshape_like},
    {OpKind::kSqueeze, supports_reshape_like, create_reshape_like},
    {OpKind::kExpandDims, supports_reshape_like, create_reshape_like},
};

}  // namespace

const XnnOpEntry* find_xnn_op(OpKind op) {
  for (const XnnOpEntry& e : kTable) {
    if (e.op == op) return &e;
  }
  return nullptr;
}

}  // namespace opscope::xnnpack
