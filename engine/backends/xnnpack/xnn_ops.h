// The XNNPACK backend's op table: which OpKinds it claims, with a support
// check and a factory for each. Listed explicitly in xnn_op_table.cc.
#pragma once

#include "engine/backends/xnnpack/xnn_node_op.h"

namespace opscope::xnnpack {

struct XnnOpEntry {
  OpKind op;
  XnnSupportFn supports;
  XnnFactoryFn create;
};

// nullptr when the backend has no entry for `op`.
const XnnOpEntry* find_xnn_op(OpKind op);

// ops/convolution.cc: CONV_2D, DEPTHWISE_CONV_2D (f32, qs8, qc8), TRANSPOSE_CONV (f32)
bool supports_conv2d(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_conv2d(const Graph&, int);
bool supports_depthwise_conv2d(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_depthwise_conv2d(const Graph&, int);
bool supports_transpose_conv(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_transpose_conv(const Graph&, int);

// ops/fully_connected.cc: f32 and qs8 (per-tensor int8 weights)
bool supports_fully_connected(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_fully_connected(const Graph&, int);

// ops/convert.cc: QUANTIZE (f32 -> int8), DEQUANTIZE (int8 -> f32), per tensor
bool supports_quantize(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_quantize(const Graph&, int);
bool supports_dequantize(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_dequantize(const Graph&, int);

// ops/binary.cc: ADD, SUB, MUL, MAXIMUM, MINIMUM with broadcasting
bool supports_binary(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_binary(const Graph&, int);

// ops/unary.cc: RELU, RELU6, HARD_SWISH, LOGISTIC, LEAKY_RELU, PRELU
bool supports_unary(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_unary(const Graph&, int);

// ops/pooling.cc: AVERAGE_POOL_2D, MAX_POOL_2D, MEAN over H and W
bool supports_pool2d(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_pool2d(const Graph&, int);
bool supports_mean(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_mean(const Graph&, int);

// ops/misc.cc: RESIZE_BILINEAR, SOFTMAX, PAD, DEPTH_TO_SPACE, and the
// reshape-like ops (RESHAPE, SQUEEZE, EXPAND_DIMS) as a copy
bool supports_resize_bilinear(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_resize_bilinear(const Graph&, int);
bool supports_softmax(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_softmax(const Graph&, int);
bool supports_pad(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_pad(const Graph&, int);
bool supports_depth_to_space(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_depth_to_space(const Graph&, int);
bool supports_reshape_like(const Graph&, const Node&, std::string*);
Result<std::unique_ptr<XnnNodeOp>> create_reshape_like(const Graph&, int);

}  // namespace opscope::xnnpack
