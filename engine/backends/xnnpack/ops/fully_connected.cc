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

class FullyConnectedF32 final : public XnnNodeOp {
 public:
  using XnnNodeOp::XnnNodeOp;
  xnn_operator_t* op_slot() { return &op_; }

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    const Node& n = g.nodes[node_];
    const xnn_status st = xnn_setup_fully_connected_nc_f32(
        op_, fc_batch(g, n),
        static_cast<const float*>(runtime_input(g, n.inputs[0], buffers, &input_copy_)),
        static_cast<float*>(buffers[n.outputs[0]]), pool);
    if (st != xnn_status_success) {
      return xnn_error(g, node_, "xnn_setup_fully_connected_nc_f32", st);
    }
    return Status::ok();
  }

 private:
  OwnedConstant input_copy_;  // a constant input, padded
};

class FullyConnectedQs8 final : public XnnNodeOp {
 public:
  using XnnNodeOp::XnnNodeOp;
  xnn_operator_t* op_slot() { return &op_; }

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    const Node& n = g.nodes[node_];
    const xnn_status st = xnn_setup_fully_connected_nc_qs8(
        op_, fc_batch(g, n),
        static_cast<const int8_t*>(runtime_input(g, n.inputs[0], buffers, &input_copy_)),
        static_cast<int8_t*>(buffers[n.outputs[0]]), pool);
    if (st != xnn_status_success) {
      return xnn_error(g, node_, "xnn_setup_fully_connected_nc_qs8", st);
    }
    return Status::ok();
  }

 private:
  OwnedConstant input_copy_;
};

bool supports_fully_connected_qs8(const Graph& g, const Node& n, Activation activation,
                                  std::string* why) {
  const Tensor& input = g.tensors[n.inputs[0]];
  const Tensor& output = g.tensors[n.outputs[0]];
  if (output.dtype != DType::kI8) {
    if (why) *why = "output '" + output.name + "' is " + std::string(to_string(output.dtype)) +
                    " for an i8 input";
    return false;
  }
  if (!expect_qs8_per_tensor(input, "input 0", why)) return false;
  if (!expect_qs8_per_tensor(output, "output", why)) return false;
  if (!expect_qs8_filter(g.tensors[n.inputs[1]], /*output_axis=*/0,
                         /*allow_per_channel=*/false, "weights", why)) {
    return false;
  }
  if (!expect_i32_bias(g, n, 2, why)) return false;
  const Qs8Params in = qs8_params(input), out = qs8_params(output);
  if (!expect_requantization_scale(in.scale, g.tensors[n.inputs[1]].quantization.scales,
                                   out.scale, why)) {
    return false;
  }
  return expect_qs8_activation(activation, out, why);
}

}  // namespace

bool supports_fully_connected(const Graph& g, const Node& n, std::string* why) {
  if (n.inputs.size() < 2 || n.inputs[0] < 0 || n.inputs[1] < 0 || n.outputs.size() != 1) {
    if (why) *why = "expects (input, weights, bias?) and one output";
    return false;
  }
  if (!expect_rank(g, n, 1, 2, why)) return false;
  const Activation activation = n.attr<FullyConnectedAttrs>().activation;
  const DType dtype = g.tensors[n.inputs[0]].dtype;
  if (dtype == DType::kI8) return supports_fully_connected_qs8(g, n, activation, why);
  if (dtype != DType::kF32) {
    if (why) *why = "input 0 is " + std::string(to_string(dtype)) +
                    "; the XNNPACK FULLY_CONNECTED here takes f32 or int8 (qs8), not uint8";
    return false;
  }
  if (!expect_f32_io(g, n, why)) return false;
  if (!expect_constant_inputs(g, n, {1, 2}, why)) return false;
  return expect_fused_clamp(activation, why);
}

Result<std::unique_ptr<XnnNodeOp>> create_fully_connected(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const Activation activation = n.attr<FullyConnectedAttrs>().activation;
  const Shape& weights = g.tensors[n.inputs[1]].shape;  // [O, I]
  const size_t out_size = static_cast<size_t>(weights[0]);
  const size_t in_size = static_cast<size_t>(weights[1]);
  if (g.tensors[n.inputs[0]].dtype == DType::kI8) {
    const Qs8Params in = qs8_params(g.tensors[n.inputs[0]]);
    const Qs8Params out = qs8_params(g.tensors[n.outputs[0]]);
    const Qs8FilterParams w = qs8_filter_params(g.tensors[n.inputs[1]]);
    const Qs8Range range = qs8_activation_range(activation, out);
    auto op = std::make_unique<FullyConnectedQs8>(node);
    const xnn_status st = xnn_create_fully_connected_nc_qs8(
        in_size, out_size, /*input_stride=*/in_size, /*output_stride=*/out_size,
        in.zero_point, in.scale, w.scales[0], g.tensors[n.inputs[1]].constant_as<int8_t>(),
        optional_i32_bias(g, n, 2), out.zero_point, out.scale, range.min, range.max,
        /*flags=*/0, op->op_slot());
    if (st != xnn_status_success) {
      return xnn_error(g, node, "xnn_create_fully_connected_nc_qs8", st);
    }
    return std::unique_ptr<XnnNodeOp>(std::move(op));
  }
  const reference::ActivationRange r = reference::activation_range(activation);
  auto op = std::make_unique<FullyConnectedF32>(node);
  const xnn_status st = xnn_create_fully_connected_nc_f32(
      in_size, out_size, /*input_stride=*/in_size, /*output_stride=*/out_size,
      g.tensors[n.inputs[1]].constant_as<float>(), optional_bias(g, n, 2), r.min, r.max,
      /*flags=*/0, op->op_slot());
  if (st != xnn_status_success) {
    return xnn_error(g, node, "xnn_create_fully_connected_nc_f32", st);
  }
  return std::unique_ptr<XnnNodeOp>(std::move(op));
}

}  // namespace opscope::xnnpack
