// The native backend's kernels, registered explicitly (no static
// initializers): one line per op. Kernels of other files declare their
// make_native_*_i8 / native_supports_* pair in a header of their own and
// add their line here.
#include <string>

#include "engine/backends/native/kernels/native_kernels.h"
#include "engine/backends/native/native_kernel_table.h"

namespace opscope::native {
namespace {

#if OPSCOPE_WITH_XNNPACK
// ADD beside XNNPACK: TFLite-rounded ADD goes to XNNPACK (below); ONNX
// Runtime's float ADD of a QDQ model (Requantization::kFloat, graph.h),
// which XNNPACK declines, stays here.
bool supports_add_beside_xnnpack(const Graph& graph, const Node& node, std::string* why_not) {
  if (node.op == OpKind::kAdd && !is_float_requantization(node.requantization)) {
    if (why_not) *why_not = "TFLite-rounded int8 ADD goes to XNNPACK, which is faster";
    return false;
  }
  return native_supports_add(graph, node, why_not);
}
#endif

const NativeKernelEntry kNativeKernels[] = {
    {OpKind::kConv2D, native_supports_conv2d_i8, make_native_conv2d_i8},
    {OpKind::kFullyConnected, native_supports_fully_connected_i8,
     make_native_fully_connected_i8},
    {OpKind::kDepthwiseConv2D, native_supports_depthwise_conv2d,
     make_native_depthwise_conv2d_i8},
    {OpKind::kResizeBilinear, native_supports_resize_bilinear, make_native_resize_bilinear_i8},
    {OpKind::kHardSwish, native_supports_hard_swish, make_native_hard_swish_i8},
    {OpKind::kLogistic, native_supports_logistic, make_native_logistic_i8},
#if !OPSCOPE_WITH_XNNPACK
    // Exact (TFLite's rounding) int8 ADD costs three fixed-point multiplies
    // per element: about 4x XNNPACK's int8 ADD here (docs/native-kernels.md),
    // 24x faster than the reference. With XNNPACK built in, ADD goes there,
    // except ONNX Runtime's float ADD (QDQ models), which XNNPACK declines.
    {OpKind::kAdd, native_supports_add, make_native_add_i8},
#else
    {OpKind::kAdd, supports_add_beside_xnnpack, make_native_add_i8},
#endif
    {OpKind::kMul, native_supports_mul, make_native_mul_i8},
    {OpKind::kTransposeConv, native_supports_transpose_conv_f32, make_native_transpose_conv_f32},
};

bool fail(std::string* why_not, std::string reason) {
  if (why_not) *why_not = std::move(reason);
  return false;
}

std::string input_name(const Node& node, int i) { return "input " + std::to_string(i); }

}  // namespace

const NativeKernelEntry* find_native_kernel(OpKind op) {
  for (const NativeKernelEntry& e : kNativeKernels) {
    if (e.op == op) return &e;
  }
  return nullptr;
}

bool native_expect_i8_io(const Graph& graph, const Node& node, std::string* why_not) {
  if (node.inputs.empty() || node.inputs[0] < 0) return fail(why_not, "input 0 is absent");
  const Tensor& in = graph.tensors[node.inputs[0]];
  if (in.dtype != DType::kI8) {
    return fail(why_not, "native runs int8 ops only (input 0 is " +
                             std::string(to_string(in.dtype)) + ")");
  }
  if (node.outputs.size() != 1) return fail(why_not, "expects one output");
  const Tensor& out = graph.tensors[node.outputs[0]];
  if (out.dtype != DType::kI8) {
    return fail(why_not, "output is " + std::string(to_string(out.dtype)) + ", not i8");
  }
  return true;
}

bool native_expect_constant_i8_weights(const Graph& graph, const Node& node, int i,
                                       std::string* why_not) {
  if (static_cast<int>(node.inputs.size()) <= i || node.inputs[i] < 0) {
    return fail(why_not, input_name(node, i) + " (weights) is absent");
  }
  const Tensor& w = graph.tensors[node.inputs[i]];
  if (!w.is_constant()) {
    return fail(why_not, input_name(node, i) + " (weights) is not constant: weights are packed at prepare");
  }
  if (w.dtype != DType::kI8) {
    return fail(why_not, input_name(node, i) + " (weights) is " +
                             std::string(to_string(w.dtype)) + ", not i8");
  }
  if (static_cast<int>(node.inputs.size()) > i + 1 && node.inputs[i + 1] >= 0) {
    const Tensor& b = graph.tensors[node.inputs[i + 1]];
    if (!b.is_constant() || b.dtype != DType::kI32) {
      return fail(why_not, "bias is not a constant i32 tensor");
    }
  }
  return true;
}

}  // namespace opscope::native
