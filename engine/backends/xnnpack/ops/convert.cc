// QUANTIZE (f32 -> int8) and DEQUANTIZE (int8 -> f32) on XNNPACK, per-tensor
// quantization only.
//
// DEQUANTIZE computes scale * (q - zero_point) in f32, exactly like the
// reference kernel. QUANTIZE multiplies by 1 / scale and rounds to nearest
// even where TFLite divides and rounds half away from zero: a value within
// an ulp of a rounding tie may land 1 LSB away.
//
// The tensor is converted as [batch, channels] = [elements / last dim, last
// dim]; with contiguous rows XNNPACK treats it as one run. A tensor with no
// elements becomes a no-op (XNNPACK rejects zero channels).
#include <string>

#include "engine/backends/xnnpack/ops/op_util.h"
#include "engine/backends/xnnpack/xnn_ops.h"

namespace opscope::xnnpack {
namespace {

class QuantizeQs8 final : public XnnOneInputOp {
 public:
  using XnnOneInputOp::XnnOneInputOp;

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    return setup_status(g, "xnn_setup_convert_nc_f32_qs8",
                        xnn_setup_convert_nc_f32_qs8(op_, batch_channels(input_shape(g)).batch,
                                                     input<float>(g, buffers),
                                                     output<int8_t>(g, buffers), pool));
  }
};

class DequantizeQs8 final : public XnnOneInputOp {
 public:
  using XnnOneInputOp::XnnOneInputOp;

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    return setup_status(g, "xnn_setup_convert_nc_qs8_f32",
                        xnn_setup_convert_nc_qs8_f32(op_, batch_channels(input_shape(g)).batch,
                                                     input<int8_t>(g, buffers),
                                                     output<float>(g, buffers), pool));
  }
};

bool expect_convert_io(const Graph& g, const Node& n, DType in_dtype, DType out_dtype,
                       std::string* why) {
  if (!expect_arity(g, n, 1, why)) return false;
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  if (in.dtype != in_dtype || out.dtype != out_dtype) {
    if (why) *why = std::string(to_string(in.dtype)) + " -> " +
                    std::string(to_string(out.dtype)) + "; XNNPACK converts here only " +
                    std::string(to_string(in_dtype)) + " -> " +
                    std::string(to_string(out_dtype)) + " (int8 per tensor)";
    return false;
  }
  return true;
}

bool is_empty(const Tensor& t) { return t.elements() == 0; }

}  // namespace

bool supports_quantize(const Graph& g, const Node& n, std::string* why) {
  if (!expect_convert_io(g, n, DType::kF32, DType::kI8, why)) return false;
  return expect_qs8_per_tensor(g.tensors[n.outputs[0]], "output", why);
}

Result<std::unique_ptr<XnnNodeOp>> create_quantize(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const Tensor& in = g.tensors[n.inputs[0]];
  if (is_empty(in)) return std::unique_ptr<XnnNodeOp>(new XnnNoOp(node));
  const size_t channels = batch_channels(in.shape).channels;
  const Qs8Params out = qs8_params(g.tensors[n.outputs[0]]);
  auto op = std::make_unique<QuantizeQs8>(node);
  const xnn_status st = xnn_create_convert_nc_f32_qs8(
      channels, /*input_stride=*/channels, /*output_stride=*/channels, out.scale,
      out.zero_point, /*output_min=*/-128, /*output_max=*/127, /*flags=*/0, op->op_slot());
  return xnn_created(g, node, "xnn_create_convert_nc_f32_qs8", st, std::move(op));
}

bool supports_dequantize(const Graph& g, const Node& n, std::string* why) {
  if (!expect_convert_io(g, n, DType::kI8, DType::kF32, why)) return false;
  return expect_qs8_per_tensor(g.tensors[n.inputs[0]], "input 0", why);
}

Result<std::unique_ptr<XnnNodeOp>> create_dequantize(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const Tensor& in = g.tensors[n.inputs[0]];
  if (is_empty(in)) return std::unique_ptr<XnnNodeOp>(new XnnNoOp(node));
  const size_t channels = batch_channels(in.shape).channels;
  const Qs8Params q = qs8_params(in);
  auto op = std::make_unique<DequantizeQs8>(node);
  const xnn_status st = xnn_create_convert_nc_qs8_f32(
      channels, /*input_stride=*/channels, /*output_stride=*/channels, q.scale, q.zero_point,
      /*flags=*/0, op->op_slot());
  return xnn_created(g, node, "xnn_create_convert_nc_qs8_f32", st, std::move(op));
}

}  // namespace opscope::xnnpack
