// CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV on XNNPACK.
//
// f32: all three. int8 (CONV_2D and DEPTHWISE_CONV_2D only): int8 input and
// output quantized per tensor, a constant symmetric int8 filter quantized
// per tensor (XNNPACK's qs8 operator) or per output channel (qc8), an int32
// bias. The int8 arithmetic is TFLite's: acc = bias + sum((x - x_zp) * w),
// y = y_zp + acc * x_scale * w_scale / y_scale rounded, clamped to the fused
// activation's range in the output's quantized domain. XNNPACK rounds the
// requantization in float (to nearest-even), TFLite in fixed point (half away
// from zero): results may differ by 1 in the last bit.
//
// Layouts: the OHWI filter is XNNPACK's convolution and deconvolution layout
// (GOHWI with one group); the depthwise filter [1, KH, KW, C*M] is its
// XNN_FLAG_DEPTHWISE_CONVOLUTION layout (groups = C, M outputs per group).
//
// Shapes: compile() runs the reference kernel's prepare first, so when a
// factory runs, every input shape is final and the output's shape is set.
#include <limits>
#include <string>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/shapes/window.h"
#include "engine/backends/xnnpack/ops/op_util.h"
#include "engine/backends/xnnpack/xnn_ops.h"

namespace opscope::xnnpack {
namespace {

// A convolution's parameters as xnn_create_convolution2d_nhwc_* takes them.
struct ConvGeometry {
  Pads2D pads;
  uint32_t kernel_h = 1, kernel_w = 1;
  uint32_t stride_h = 1, stride_w = 1;
  uint32_t dilation_h = 1, dilation_w = 1;
  uint32_t groups = 1;
  size_t group_input_channels = 1, group_output_channels = 1;
  size_t input_stride = 1, output_stride = 1;  // channels per pixel
  uint32_t flags = 0;
};

// The window part of a geometry: the kernel size (filter dims 1 and 2),
// strides, dilations and the pads for input `in` (Conv2DAttrs or
// DepthwiseConv2DAttrs).
template <typename Attrs>
ConvGeometry window_geometry(const Attrs& a, const Shape& in, const Shape& filter) {
  ConvGeometry geo;
  geo.kernel_h = static_cast<uint32_t>(filter[1]);
  geo.kernel_w = static_cast<uint32_t>(filter[2]);
  geo.stride_h = a.stride_h;
  geo.stride_w = a.stride_w;
  geo.dilation_h = a.dilation_h;
  geo.dilation_w = a.dilation_w;
  geo.pads = resolve_pads(a.padding, a.explicit_pads, in[1], in[2], filter[1], filter[2],
                          a.stride_h, a.stride_w, a.dilation_h, a.dilation_w);
  return geo;
}

ConvGeometry conv2d_geometry(const Graph& g, const Node& n) {
  const Shape& in = g.tensors[n.inputs[0]].shape;
  const Shape& filter = g.tensors[n.inputs[1]].shape;  // OHWI
  ConvGeometry geo = window_geometry(n.attr<Conv2DAttrs>(), in, filter);
  const int64_t out_c = filter[0], in_c = filter[3];
  geo.groups = static_cast<uint32_t>(in[3] / in_c);  // grouped when > 1
  geo.group_input_channels = static_cast<size_t>(in_c);
  geo.group_output_channels = static_cast<size_t>(out_c / geo.groups);
  geo.input_stride = static_cast<size_t>(in[3]);
  geo.output_stride = static_cast<size_t>(out_c);
  return geo;
}

ConvGeometry depthwise_geometry(const Graph& g, const Node& n) {
  const Shape& in = g.tensors[n.inputs[0]].shape;
  const Shape& filter = g.tensors[n.inputs[1]].shape;  // [1, KH, KW, C*M]
  ConvGeometry geo = window_geometry(n.attr<DepthwiseConv2DAttrs>(), in, filter);
  // Like TFLite (and the reference kernel), the multiplier comes from the
  // shapes, not from the attribute some converters leave stale.
  geo.groups = static_cast<uint32_t>(in[3]);
  geo.group_input_channels = 1;
  geo.group_output_channels = static_cast<size_t>(filter[3] / in[3]);
  geo.input_stride = static_cast<size_t>(in[3]);
  geo.output_stride = static_cast<size_t>(filter[3]);
  geo.flags = XNN_FLAG_DEPTHWISE_CONVOLUTION;
  return geo;
}

// An NHWC convolution (regular, grouped or depthwise), f32.
class ConvolutionF32 final : public XnnOneInputOp {
 public:
  using XnnOneInputOp::XnnOneInputOp;

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    const Shape& in = input_shape(g);
    return setup_status(g, "xnn_setup_convolution2d_nhwc_f32",
                        xnn_setup_convolution2d_nhwc_f32(op_, in[0], in[1], in[2],
                                                         input<float>(g, buffers),
                                                         output<float>(g, buffers), pool));
  }
};

// An NHWC convolution, int8: qs8 (per-tensor filter) or qc8 (per-channel).
class ConvolutionQ8 final : public XnnOneInputOp {
 public:
  ConvolutionQ8(int node, bool per_channel) : XnnOneInputOp(node), per_channel_(per_channel) {}

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    const Shape& in = input_shape(g);
    const int8_t* x = input<int8_t>(g, buffers);
    int8_t* y = output<int8_t>(g, buffers);
    if (per_channel_) {
      return setup_status(
          g, "xnn_setup_convolution2d_nhwc_qc8",
          xnn_setup_convolution2d_nhwc_qc8(op_, in[0], in[1], in[2], x, y, pool));
    }
    return setup_status(g, "xnn_setup_convolution2d_nhwc_qs8",
                        xnn_setup_convolution2d_nhwc_qs8(op_, in[0], in[1], in[2], x, y, pool));
  }

 private:
  bool per_channel_;
};

Result<std::unique_ptr<XnnNodeOp>> create_convolution_f32(const Graph& g, int node,
                                                          const ConvGeometry& geo,
                                                          Activation activation) {
  const Node& n = g.nodes[node];
  const reference::ActivationRange r = reference::activation_range(activation);
  auto op = std::make_unique<ConvolutionF32>(node);
  const xnn_status st = xnn_create_convolution2d_nhwc_f32(
      geo.pads.top, geo.pads.right, geo.pads.bottom, geo.pads.left, geo.kernel_h,
      geo.kernel_w, geo.stride_h, geo.stride_w, geo.dilation_h, geo.dilation_w, geo.groups,
      geo.group_input_channels, geo.group_output_channels, geo.input_stride,
      geo.output_stride, g.tensors[n.inputs[1]].constant_as<float>(), optional_bias(g, n, 2),
      r.min, r.max, geo.flags, op->op_slot());
  return xnn_created(g, node, "xnn_create_convolution2d_nhwc_f32", st, std::move(op));
}

Result<std::unique_ptr<XnnNodeOp>> create_convolution_q8(const Graph& g, int node,
                                                         const ConvGeometry& geo,
                                                         Activation activation) {
  const Qs8LinearParams q = qs8_linear_params(g, g.nodes[node], activation);
  auto op = std::make_unique<ConvolutionQ8>(node, q.filter.per_channel);
  // XNNPACK copies the per-channel scales into the packed weights at create.
  const xnn_status st =
      q.filter.per_channel
          ? xnn_create_convolution2d_nhwc_qc8(
                geo.pads.top, geo.pads.right, geo.pads.bottom, geo.pads.left, geo.kernel_h,
                geo.kernel_w, geo.stride_h, geo.stride_w, geo.dilation_h, geo.dilation_w,
                geo.groups, geo.group_input_channels, geo.group_output_channels,
                geo.input_stride, geo.output_stride, q.input.zero_point, q.input.scale,
                q.filter.scales.data(), q.kernel, q.bias, q.output.zero_point, q.output.scale,
                q.range.min, q.range.max, geo.flags, op->op_slot())
          : xnn_create_convolution2d_nhwc_qs8(
                geo.pads.top, geo.pads.right, geo.pads.bottom, geo.pads.left, geo.kernel_h,
                geo.kernel_w, geo.stride_h, geo.stride_w, geo.dilation_h, geo.dilation_w,
                geo.groups, geo.group_input_channels, geo.group_output_channels,
                geo.input_stride, geo.output_stride, q.input.zero_point, q.input.scale,
                q.filter.scales[0], q.kernel, q.bias, q.output.zero_point, q.output.scale,
                q.range.min, q.range.max, geo.flags, op->op_slot());
  return xnn_created(g, node,
                     q.filter.per_channel ? "xnn_create_convolution2d_nhwc_qc8"
                                          : "xnn_create_convolution2d_nhwc_qs8",
                     st, std::move(op));
}

// Shared by CONV_2D and DEPTHWISE_CONV_2D: dispatch on the input's dtype.
bool supports_convolution(const Graph& g, const Node& n, Activation activation,
                          int filter_output_axis, std::string* why) {
  if (!expect_linear_operands(n, "filter", why)) return false;
  if (!expect_rank(g, n, 0, 4, why) || !expect_rank(g, n, 1, 4, why)) return false;
  const DType dtype = g.tensors[n.inputs[0]].dtype;
  if (dtype == DType::kI8) {
    // int8: a filter per tensor or per channel along `filter_output_axis`.
    return expect_qs8_linear(g, n, activation, filter_output_axis,
                             /*allow_per_channel=*/true, "filter", why);
  }
  if (dtype != DType::kF32) {
    if (why) *why = "input 0 is " + std::string(to_string(dtype)) +
                    "; XNNPACK convolutions here take f32 or int8 (qs8/qc8), not uint8";
    return false;
  }
  return expect_f32_linear(g, n, activation, why);
}

Result<std::unique_ptr<XnnNodeOp>> create_convolution(const Graph& g, int node,
                                                      const ConvGeometry& geo,
                                                      Activation activation) {
  if (g.tensors[g.nodes[node].inputs[0]].dtype == DType::kI8) {
    return create_convolution_q8(g, node, geo, activation);
  }
  return create_convolution_f32(g, node, geo, activation);
}

// ---------------------------------------------------------------------------
// TRANSPOSE_CONV
// ---------------------------------------------------------------------------

// XNNPACK's deconvolution computes the full transposed convolution of size
// (in - 1) * stride + k, drops `pad_before` pixels at the start and
// `pad_after` at the end, and may grow the end by `adjustment` < stride extra
// pixels (reached by no input pixel: bias only). TFLite's output pixel o is
// full-output pixel o + pad_before, where pad_before is that of the forward
// convolution from the output back to the input. So pad_after and the
// adjustment follow from the output size the model states (or the one the
// reference kernel derives).
struct DeconvDim {
  uint32_t pad_before = 0, pad_after = 0, adjustment = 0;
};

// One spatial dim; false (with a reason) when XNNPACK cannot produce `out`.
bool deconv_dim(Padding padding, int64_t in, int64_t out, int64_t k, int stride,
                int explicit_before, const char* dim_name, DeconvDim* d, std::string* why) {
  int64_t before = 0;
  switch (padding) {
    case Padding::kSame:
      before = shapes::window_dim(padding, out, k, stride, 1).pad_before;
      break;
    case Padding::kValid: before = 0; break;
    case Padding::kExplicit: before = explicit_before; break;
  }
  const int64_t rest = (in - 1) * stride + k - before - out;
  if (before < 0 || rest <= -stride) {
    if (why) *why = std::string("the output ") + dim_name + " " + std::to_string(out) +
                    " needs an adjustment of " + std::to_string(-rest) +
                    " pixels; XNNPACK takes less than the stride (" + std::to_string(stride) +
                    ")";
    return false;
  }
  d->pad_before = static_cast<uint32_t>(before);
  d->pad_after = static_cast<uint32_t>(rest >= 0 ? rest : 0);
  d->adjustment = static_cast<uint32_t>(rest >= 0 ? 0 : -rest);
  return true;
}

// The output's spatial size: stated by the model, or derived like the
// reference kernel (and TFLite's converters) do.
int64_t transpose_conv_out_size(const TransposeConvAttrs& a, int64_t in, int64_t k, int stride,
                                int pad_before, int pad_after, int dim) {
  if (!a.output_shape.empty()) return a.output_shape[dim];
  switch (a.padding) {
    case Padding::kSame: return in * stride;
    case Padding::kValid: return (in - 1) * stride + k;
    case Padding::kExplicit: return (in - 1) * stride + k - pad_before - pad_after;
  }
  return 0;
}

struct DeconvGeometry {
  DeconvDim h, w;
};

bool deconv_geometry(const Graph& g, const Node& n, int64_t out_h, int64_t out_w,
                     DeconvGeometry* geo, std::string* why) {
  const auto& a = n.attr<TransposeConvAttrs>();
  const Shape& in = g.tensors[n.inputs[0]].shape;
  const Shape& filter = g.tensors[n.inputs[1]].shape;
  return deconv_dim(a.padding, in[1], out_h, filter[1], a.stride_h, a.explicit_pads.top,
                    "height", &geo->h, why) &&
         deconv_dim(a.padding, in[2], out_w, filter[2], a.stride_w, a.explicit_pads.left,
                    "width", &geo->w, why);
}

class DeconvolutionF32 final : public XnnOneInputOp {
 public:
  DeconvolutionF32(int node, const DeconvGeometry& geo) : XnnOneInputOp(node), geo_(geo) {}

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    const Shape& in = input_shape(g);
    return setup_status(g, "xnn_setup_deconvolution2d_nhwc_f32",
                        xnn_setup_deconvolution2d_nhwc_f32(
                            op_, in[0], in[1], in[2], geo_.h.adjustment, geo_.w.adjustment,
                            input<float>(g, buffers), output<float>(g, buffers), pool));
  }

 private:
  DeconvGeometry geo_;
};

}  // namespace

bool supports_conv2d(const Graph& g, const Node& n, std::string* why) {
  // Per-channel int8 filters of CONV_2D are quantized along O (OHWI axis 0).
  return supports_convolution(g, n, n.attr<Conv2DAttrs>().activation, 0, why);
}

Result<std::unique_ptr<XnnNodeOp>> create_conv2d(const Graph& g, int node) {
  return create_convolution(g, node, conv2d_geometry(g, g.nodes[node]),
                            g.nodes[node].attr<Conv2DAttrs>().activation);
}

bool supports_depthwise_conv2d(const Graph& g, const Node& n, std::string* why) {
  // Per-channel int8 filters of DEPTHWISE_CONV_2D are quantized along C*M
  // (axis 3 of [1, KH, KW, C*M]).
  return supports_convolution(g, n, n.attr<DepthwiseConv2DAttrs>().activation, 3, why);
}

Result<std::unique_ptr<XnnNodeOp>> create_depthwise_conv2d(const Graph& g, int node) {
  return create_convolution(g, node, depthwise_geometry(g, g.nodes[node]),
                            g.nodes[node].attr<DepthwiseConv2DAttrs>().activation);
}

bool supports_transpose_conv(const Graph& g, const Node& n, std::string* why) {
  if (!expect_linear_operands(n, "filter", why)) return false;
  const DType dtype = g.tensors[n.inputs[0]].dtype;
  if (dtype != DType::kF32) {
    if (why) *why = "input 0 is " + std::string(to_string(dtype)) +
                    "; the XNNPACK TRANSPOSE_CONV here takes f32 only";
    return false;
  }
  const auto& a = n.attr<TransposeConvAttrs>();
  if (!expect_f32_linear(g, n, a.activation, why)) return false;
  if (!expect_rank(g, n, 0, 4, why) || !expect_rank(g, n, 1, 4, why)) return false;
  if (a.stride_h < 1 || a.stride_w < 1) {
    if (why) *why = "stride must be >= 1";
    return false;
  }
  // The declared shapes are those compile() will see for a model read from a
  // file, so the output size can be checked here already.
  const Shape& in = g.tensors[n.inputs[0]].shape;
  const Shape& filter = g.tensors[n.inputs[1]].shape;
  if (!a.output_shape.empty() && a.output_shape.size() != 4) {
    if (why) *why = "output_shape is not NHWC";
    return false;
  }
  const Pads2D& p = a.explicit_pads;
  const int64_t out_h =
      transpose_conv_out_size(a, in[1], filter[1], a.stride_h, p.top, p.bottom, 1);
  const int64_t out_w =
      transpose_conv_out_size(a, in[2], filter[2], a.stride_w, p.left, p.right, 2);
  DeconvGeometry geo;
  return deconv_geometry(g, n, out_h, out_w, &geo, why);
}

Result<std::unique_ptr<XnnNodeOp>> create_transpose_conv(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const auto& a = n.attr<TransposeConvAttrs>();
  const Shape& in = g.tensors[n.inputs[0]].shape;
  const Shape& filter = g.tensors[n.inputs[1]].shape;  // OHWI
  const Shape& out = g.tensors[n.outputs[0]].shape;    // set by the reference prepare
  DeconvGeometry geo;
  std::string why;
  if (!deconv_geometry(g, n, out[1], out[2], &geo, &why)) return xnn_unsupported(g, node, why);
  const reference::ActivationRange r = reference::activation_range(a.activation);
  auto op = std::make_unique<DeconvolutionF32>(node, geo);
  const xnn_status st = xnn_create_deconvolution2d_nhwc_f32(
      geo.h.pad_before, geo.w.pad_after, geo.h.pad_after, geo.w.pad_before,
      static_cast<uint32_t>(filter[1]), static_cast<uint32_t>(filter[2]), a.stride_h,
      a.stride_w, /*dilation_height=*/1, /*dilation_width=*/1, /*groups=*/1,
      /*group_input_channels=*/static_cast<size_t>(in[3]),
      /*group_output_channels=*/static_cast<size_t>(filter[0]),
      /*input_pixel_stride=*/static_cast<size_t>(in[3]),
      /*output_pixel_stride=*/static_cast<size_t>(filter[0]),
      g.tensors[n.inputs[1]].constant_as<float>(), optional_bias(g, n, 2), r.min, r.max,
      /*flags=*/0, op->op_slot());
  return xnn_created(g, node, "xnn_create_deconvolution2d_nhwc_f32", st, std::move(op));
}

}  // namespace opscope::xnnpack
