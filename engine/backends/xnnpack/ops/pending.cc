// Ops of the XNNPACK table not implemented yet: they claim nothing, so the
// partitioner leaves their nodes to the reference backend. Each op file
// that lands removes its entries here.
#include "engine/backends/xnnpack/xnn_ops.h"

namespace opscope::xnnpack {

bool supports_depthwise_conv2d(const Graph&, const Node&, std::string* why) {
  if (why) *why = "not implemented in the XNNPACK backend yet";
  return false;
}
Result<std::unique_ptr<XnnNodeOp>> create_depthwise_conv2d(const Graph&, int) {
  return Status(ErrorCode::kInternal, "create_depthwise_conv2d: not implemented");
}

bool supports_transpose_conv(const Graph&, const Node&, std::string* why) {
  if (why) *why = "not implemented in the XNNPACK backend yet";
  return false;
}
Result<std::unique_ptr<XnnNodeOp>> create_transpose_conv(const Graph&, int) {
  return Status(ErrorCode::kInternal, "create_transpose_conv: not implemented");
}

bool supports_fully_connected(const Graph&, const Node&, std::string* why) {
  if (why) *why = "not implemented in the XNNPACK backend yet";
  return false;
}
Result<std::unique_ptr<XnnNodeOp>> create_fully_connected(const Graph&, int) {
  return Status(ErrorCode::kInternal, "create_fully_connected: not implemented");
}

bool supports_binary(const Graph&, const Node&, std::string* why) {
  if (why) *why = "not implemented in the XNNPACK backend yet";
  return false;
}
Result<std::unique_ptr<XnnNodeOp>> create_binary(const Graph&, int) {
  return Status(ErrorCode::kInternal, "create_binary: not implemented");
}

bool supports_unary(const Graph&, const Node&, std::string* why) {
  if (why) *why = "not implemented in the XNNPACK backend yet";
  return false;
}
Result<std::unique_ptr<XnnNodeOp>> create_unary(const Graph&, int) {
  return Status(ErrorCode::kInternal, "create_unary: not implemented");
}

bool supports_pool2d(const Graph&, const Node&, std::string* why) {
  if (why) *why = "not implemented in the XNNPACK backend yet";
  return false;
}
Result<std::unique_ptr<XnnNodeOp>> create_pool2d(const Graph&, int) {
  return Status(ErrorCode::kInternal, "create_pool2d: not implemented");
}

bool supports_mean(const Graph&, const Node&, std::string* why) {
  if (why) *why = "not implemented in the XNNPACK backend yet";
  return false;
}
Result<std::unique_ptr<XnnNodeOp>> create_mean(const Graph&, int) {
  return Status(ErrorCode::kInternal, "create_mean: not implemented");
}

bool supports_resize_bilinear(const Graph&, const Node&, std::string* why) {
  if (why) *why = "not implemented in the XNNPACK backend yet";
  return false;
}
Result<std::unique_ptr<XnnNodeOp>> create_resize_bilinear(const Graph&, int) {
  return Status(ErrorCode::kInternal, "create_resize_bilinear: not implemented");
}

bool supports_softmax(const Graph&, const Node&, std::string* why) {
  if (why) *why = "not implemented in the XNNPACK backend yet";
  return false;
}
Result<std::unique_ptr<XnnNodeOp>> create_softmax(const Graph&, int) {
  return Status(ErrorCode::kInternal, "create_softmax: not implemented");
}

bool supports_pad(const Graph&, const Node&, std::string* why) {
  if (why) *why = "not implemented in the XNNPACK backend yet";
  return false;
}
Result<std::unique_ptr<XnnNodeOp>> create_pad(const Graph&, int) {
  return Status(ErrorCode::kInternal, "create_pad: not implemented");
}

bool supports_depth_to_space(const Graph&, const Node&, std::string* why) {
  if (why) *why = "not implemented in the XNNPACK backend yet";
  return false;
}
Result<std::unique_ptr<XnnNodeOp>> create_depth_to_space(const Graph&, int) {
  return Status(ErrorCode::kInternal, "create_depth_to_space: not implemented");
}

bool supports_reshape_like(const Graph&, const Node&, std::string* why) {
  if (why) *why = "not implemented in the XNNPACK backend yet";
  return false;
}
Result<std::unique_ptr<XnnNodeOp>> create_reshape_like(const Graph&, int) {
  return Status(ErrorCode::kInternal, "create_reshape_like: not implemented");
}

}  // namespace opscope::xnnpack
