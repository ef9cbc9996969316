// FULLY_CONNECTED on XNNPACK: f32, and int8 with per-tensor weights (qs8).
//
// output[batch, O] = input[batch, I] * weights[O, I]^T + bias. The weights
// [O, I] are XNNPACK's default layout (no XNN_FLAG_TRANSPOSE_WEIGHTS). The
// input is read as [elements / I, I] whatever its rank: TFLite's flattening,
// and with keep_num_dims the same memory (only the output's shape differs,
// which the reference prepare sets).
//
// int8 follows TFLite: y = y_zp + (bias + sum((x - x_zp) * w)) * x_scale *
// w_scale / y_scale, clamped to the fused activation's quantized range.
// This XNNPACK (February 2022) has no per-channel (qc8) fully-connected
// operator, so per-channel weights stay on the reference backend.
#include <string>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/backends/xnnpack/ops/op_util.h"
#include "engine/backends/xnnpack/xnn_ops.h"

namespace opscope::xnnpack {
namespace {

// Rows of the GEMM: the input's elements over I (final shapes).
size_t fc_batch(const Graph& g, const Node& n) {
  const int64_t in_size = g.tensors[n.inputs[1]].shape[1];
  return in_size > 0 ? static_cast<size_t>(g.tensors[n.inputs[0]].elements() / in_size) : 0;
}

// The GEMM over the flattened input; f32, or int8 with per-tensor weights.
class FullyConnectedOp final : public XnnOneInputOp {
 public:
  FullyConnectedOp(int node, bool qs8) : XnnOneInputOp(node), qs8_(qs8) {}

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    const size_t batch = fc_batch(g, g.nodes[node_]);
    if (qs8_) {
      return setup_status(g, "xnn_setup_fully_connected_nc_qs8",
                          xnn_setup_fully_connected_nc_qs8(op_, batch, input<int8_t>(g, buffers),
                                                           output<int8_t>(g, buffers), pool));
    }
    return setup_status(g, "xnn_setup_fully_connected_nc_f32",
                        xnn_setup_fully_connected_nc_f32(op_, batch, input<float>(g, buffers),
                                                         output<float>(g, buffers), pool));
  }

 private:
  bool qs8_;
};

}  // namespace

bool supports_fully_connected(const Graph& g, const Node& n, std::string* why) {
  if (!expect_linear_operands(n, "weights", why)) return false;
  if (!expect_rank(g, n, 1, 2, why)) return false;
  const Activation activation = n.attr<FullyConnectedAttrs>().activation;
  const DType dtype = g.tensors[n.inputs[0]].dtype;
  if (dtype == DType::kI8) {
    return expect_qs8_linear(g, n, activation, /*filter_output_axis=*/0,
                             /*allow_per_channel=*/false, "weights", why);
  }
  if (dtype != DType::kF32) {
    if (why) *why = "input 0 is " + std::string(to_string(dtype)) +
                    "; the XNNPACK FULLY_CONNECTED here takes f32 or int8 (qs8), not uint8";
    return false;
  }
  return expect_f32_linear(g, n, activation, why);
}

Result<std::unique_ptr<XnnNodeOp>> create_fully_connected(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const Activation activation = n.attr<FullyConnectedAttrs>().activation;
  const Shape& weights = g.tensors[n.inputs[1]].shape;  // [O, I]
  const size_t out_size = static_cast<size_t>(weights[0]);
  const size_t in_size = static_cast<size_t>(weights[1]);
  if (g.tensors[n.inputs[0]].dtype == DType::kI8) {
    const Qs8LinearParams q = qs8_linear_params(g, n, activation);
    auto op = std::make_unique<FullyConnectedOp>(node, /*qs8=*/true);
    const xnn_status st = xnn_create_fully_connected_nc_qs8(
        in_size, out_size, /*input_stride=*/in_size, /*output_stride=*/out_size,
        q.input.zero_point, q.input.scale, q.filter.scales[0], q.kernel, q.bias,
        q.output.zero_point, q.output.scale, q.range.min, q.range.max, /*flags=*/0,
        op->op_slot());
    return xnn_created(g, node, "xnn_create_fully_connected_nc_qs8", st, std::move(op));
  }
  const reference::ActivationRange r = reference::activation_range(activation);
  auto op = std::make_unique<FullyConnectedOp>(node, /*qs8=*/false);
  const xnn_status st = xnn_create_fully_connected_nc_f32(
      in_size, out_size, /*input_stride=*/in_size, /*output_stride=*/out_size,
      g.tensors[n.inputs[1]].constant_as<float>(), optional_bias(g, n, 2), r.min, r.max,
      /*flags=*/0, op->op_slot());
  return xnn_created(g, node, "xnn_create_fully_connected_nc_f32", st, std::move(op));
}

}  // namespace opscope::xnnpack
