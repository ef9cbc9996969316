// CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV on XNNPACK.
#include <limits>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/backends/reference/kernels/window.h"
#include "engine/backends/xnnpack/ops/op_util.h"
#include "engine/backends/xnnpack/xnn_ops.h"

namespace opscope::xnnpack {
namespace {

// An NHWC convolution (regular or depthwise), f32.
class ConvolutionF32 final : public XnnNodeOp {
 public:
  using XnnNodeOp::XnnNodeOp;
  xnn_operator_t* op_slot() { return &op_; }

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    const Node& n = g.nodes[node_];
    const Shape& in = g.tensors[n.inputs[0]].shape;
    const xnn_status st = xnn_setup_convolution2d_nhwc_f32(
        op_, in[0], in[1], in[2], static_cast<const float*>(buffers[n.inputs[0]]),
        static_cast<float*>(buffers[n.outputs[0]]), pool);
    if (st != xnn_status_success) {
      return xnn_error(g, node_, "xnn_setup_convolution2d_nhwc_f32", st);
    }
    return Status::ok();
  }
};

}  // namespace

bool supports_conv2d(const Graph& g, const Node& n, std::string* why) {
  if (!expect_f32_io(g, n, why)) return false;
  if (!expect_constant_inputs(g, n, {1, 2}, why)) return false;
  if (!expect_fused_clamp(n.attr<Conv2DAttrs>().activation, why)) return false;
  return expect_rank(g, n, 0, 4, why) && expect_rank(g, n, 1, 4, why);
}

Result<std::unique_ptr<XnnNodeOp>> create_conv2d(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const auto& a = n.attr<Conv2DAttrs>();
  const Shape& in = g.tensors[n.inputs[0]].shape;
  const Shape& filter = g.tensors[n.inputs[1]].shape;  // OHWI
  const int64_t out_c = filter[0], kh = filter[1], kw = filter[2], in_c = filter[3];
  const int64_t groups = in[3] / in_c;  // grouped convolution when > 1
  const Pads2D pads = resolve_pads(a.padding, a.explicit_pads, in[1], in[2], kh, kw,
                                   a.stride_h, a.stride_w, a.dilation_h, a.dilation_w);
  const reference::ActivationRange r = reference::activation_range(a.activation);
  auto op = std::make_unique<ConvolutionF32>(node);
  const xnn_status st = xnn_create_convolution2d_nhwc_f32(
      pads.top, pads.right, pads.bottom, pads.left, kh, kw, a.stride_h, a.stride_w,
      a.dilation_h, a.dilation_w, groups, in_c, out_c / groups, in[3], out_c,
      g.tensors[n.inputs[1]].constant_as<float>(), optional_bias(g, n, 2), r.min, r.max,
      /*flags=*/0, op->op_slot());
  if (st != xnn_status_success) {
    return xnn_error(g, node, "xnn_create_convolution2d_nhwc_f32", st);
  }
  return std::unique_ptr<XnnNodeOp>(std::move(op));
}

}  // namespace opscope::xnnpack
