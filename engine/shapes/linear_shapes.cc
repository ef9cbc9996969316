// Shapes of the convolutions, FULLY_CONNECTED and BATCH_MATMUL, and the
// geometry their reference kernels precompute from.
#include <algorithm>
#include <string>

#include "engine/shapes/broadcast.h"
#include "engine/shapes/shape_rules.h"
#include "engine/shapes/window.h"

namespace opscope::shapes {
namespace {

// The window attributes every conv carries. TRANSPOSE_CONV has no dilation:
// 1.
struct ConvWindow {
  Padding padding = Padding::kValid;
  Pads2D pads;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
};

// Conv2DAttrs, DepthwiseConv2DAttrs or TransposeConvAttrs, checked: strides
// and dilations >= 1, explicit pads >= 0.
template <typename Attrs>
Result<ConvWindow> conv_window(const PrepareContext& ctx, const Attrs& a) {
  ConvWindow w;
  w.padding = a.padding;
  w.pads = a.explicit_pads;
  w.stride_h = a.stride_h;
  w.stride_w = a.stride_w;
  if constexpr (requires { a.dilation_h; }) {
    w.dilation_h = a.dilation_h;
    w.dilation_w = a.dilation_w;
  }
  if (w.stride_h < 1 || w.stride_w < 1) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "stride " + std::to_string(w.stride_h) + "x" + std::to_string(w.stride_w) +
                         " must be >= 1");
  }
  if (w.dilation_h < 1 || w.dilation_w < 1) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "dilation " + std::to_string(w.dilation_h) + "x" +
                         std::to_string(w.dilation_w) + " must be >= 1");
  }
  const Pads2D& p = w.pads;
  if (w.padding == Padding::kExplicit && (p.top < 0 || p.left < 0 || p.bottom < 0 || p.right < 0)) {
    return ctx.error(ErrorCode::kInvalidArgument, "explicit pads must be >= 0");
  }
  return w;
}

// Input and filter of rank 4, then the node's window attributes.
template <typename Attrs>
Result<ConvWindow> conv_inputs(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 3));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(0, 4));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(1, 4));
  const auto* a = std::get_if<Attrs>(&ctx.node().attrs);
  if (a == nullptr) {
    return ctx.error(ErrorCode::kInvalidGraph, "node carries no attributes of the expected kind");
  }
  return conv_window(ctx, *a);
}

// CONV_2D, TRANSPOSE_CONV: an OHWI filter with the input's channel count as
// I and no empty dim, and a bias of O values when present.
Status expect_ohwi_filter(PrepareContext& ctx) {
  const Shape& in = ctx.input(0).shape;
  const Shape& filter = ctx.input(1).shape;
  if (filter[3] != in[3]) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "filter " + describe_input(ctx, 1) + " has " + std::to_string(filter[3]) +
                         " input channels but input " + describe_input(ctx, 0) + " has " +
                         std::to_string(in[3]));
  }
  if (filter[0] < 1 || filter[1] < 1 || filter[2] < 1) {
    return ctx.error(ErrorCode::kShapeMismatch, "filter " + describe_input(ctx, 1) + " is empty");
  }
  return expect_bias(ctx, 2, filter[0]);
}

// The NHWC input's sizes, KH and KW (filter dims 1 and 2), `out_c` output
// channels, and the window's strides and dilations.
ConvGeometry conv_sizes(PrepareContext& ctx, int64_t out_c, const ConvWindow& window) {
  const Shape& in = ctx.input(0).shape;
  const Shape& filter = ctx.input(1).shape;
  ConvGeometry g;
  g.batch = in[0];
  g.in_h = in[1];
  g.in_w = in[2];
  g.in_c = in[3];
  g.out_c = out_c;
  g.k_h = filter[1];
  g.k_w = filter[2];
  g.stride_h = window.stride_h;
  g.stride_w = window.stride_w;
  g.dilation_h = window.dilation_h;
  g.dilation_w = window.dilation_w;
  return g;
}

// The output size and leading pads of a forward window (CONV_2D,
// DEPTHWISE_CONV_2D); fails when the input is smaller than the dilated
// filter. Sets output 0.
Status set_forward_output(PrepareContext& ctx, const ConvWindow& window, ConvGeometry& g) {
  const Pads2D& pads = window.pads;
  const WindowDim h = window_dim(window.padding, g.in_h, g.k_h, window.stride_h,
                                 window.dilation_h, pads.top, pads.bottom);
  const WindowDim w = window_dim(window.padding, g.in_w, g.k_w, window.stride_w,
                                 window.dilation_w, pads.left, pads.right);
  if (h.out <= 0 || w.out <= 0) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "input " + describe_input(ctx, 0) + " is smaller than the dilated filter " +
                         describe_input(ctx, 1));
  }
  g.out_h = h.out;
  g.out_w = w.out;
  g.pad_top = h.pad_before;
  g.pad_left = w.pad_before;
  ctx.output(0).shape = {g.batch, g.out_h, g.out_w, g.out_c};
  f32_if_f32(ctx);
  return Status::ok();
}

// TRANSPOSE_CONV's output size when the model gives none, as TFLite's
// converters derive it.
int64_t derived_out_size(Padding padding, int64_t in, int64_t k, int stride, int pad_before,
                         int pad_after) {
  switch (padding) {
    case Padding::kSame: return in * stride;
    case Padding::kValid: return (in - 1) * stride + k;
    case Padding::kExplicit: return (in - 1) * stride + k - pad_before - pad_after;
  }
  return 0;
}

// TRANSPOSE_CONV's padding, as TFLite's: that of a forward conv from the
// output back to the input (for consistent shapes, SAME's total is
// (in - 1) * stride + k - out).
int64_t transpose_pad_before(Padding padding, int64_t out, int64_t k, int stride,
                             int explicit_before) {
  switch (padding) {
    case Padding::kSame: return window_dim(padding, out, k, stride, 1).pad_before;
    case Padding::kValid: return 0;
    case Padding::kExplicit: return explicit_before;
  }
  return 0;
}

}  // namespace

std::string describe_input(PrepareContext& ctx, int index) {
  const Tensor& t = ctx.input(index);
  return "'" + t.name + "' " + shape_to_string(t.shape);
}

Status expect_bias(PrepareContext& ctx, int index, int64_t channels) {
  if (!ctx.has_input(index)) return Status::ok();
  const Shape& shape = ctx.input(index).shape;
  if (shape.size() != 1 || shape[0] != channels) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "bias " + describe_input(ctx, index) + " should have " +
                         std::to_string(channels) + " elements");
  }
  return Status::ok();
}

Result<ConvGeometry> conv2d_geometry(PrepareContext& ctx) {
  OPSCOPE_ASSIGN_OR_RETURN(const ConvWindow window, conv_inputs<Conv2DAttrs>(ctx));
  OPSCOPE_RETURN_IF_ERROR(expect_ohwi_filter(ctx));
  ConvGeometry g = conv_sizes(ctx, /*out_c=*/ctx.input(1).shape[0], window);
  OPSCOPE_RETURN_IF_ERROR(set_forward_output(ctx, window, g));
  return g;
}

Status conv2d(PrepareContext& ctx) { return conv2d_geometry(ctx).status(); }

Result<ConvGeometry> depthwise_conv2d_geometry(PrepareContext& ctx) {
  OPSCOPE_ASSIGN_OR_RETURN(const ConvWindow window, conv_inputs<DepthwiseConv2DAttrs>(ctx));
  const Shape& in = ctx.input(0).shape;
  const Shape& filter = ctx.input(1).shape;
  if (filter[0] != 1 || filter[1] < 1 || filter[2] < 1 || filter[3] < 1) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "filter " + describe_input(ctx, 1) + " should be 1xKHxKWx(C*M)");
  }
  // Like TFLite, the multiplier comes from the shapes: the attribute is
  // redundant and some converters leave it stale.
  if (in[3] < 1 || filter[3] % in[3] != 0) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "filter " + describe_input(ctx, 1) + " has " + std::to_string(filter[3]) +
                         " channels, not a multiple of the " + std::to_string(in[3]) +
                         " channels of input " + describe_input(ctx, 0));
  }
  OPSCOPE_RETURN_IF_ERROR(expect_bias(ctx, 2, filter[3]));
  ConvGeometry g = conv_sizes(ctx, /*out_c=*/filter[3], window);
  OPSCOPE_RETURN_IF_ERROR(set_forward_output(ctx, window, g));
  return g;
}

Status depthwise_conv2d(PrepareContext& ctx) { return depthwise_conv2d_geometry(ctx).status(); }

Result<ConvGeometry> transpose_conv_geometry(PrepareContext& ctx) {
  OPSCOPE_ASSIGN_OR_RETURN(const ConvWindow window, conv_inputs<TransposeConvAttrs>(ctx));
  OPSCOPE_RETURN_IF_ERROR(expect_ohwi_filter(ctx));
  const auto& a = std::get<TransposeConvAttrs>(ctx.node().attrs);
  ConvGeometry g = conv_sizes(ctx, /*out_c=*/ctx.input(1).shape[0], window);
  const Pads2D& pads = a.explicit_pads;
  if (!a.output_shape.empty()) {
    const Shape& s = a.output_shape;
    if (s.size() != 4 || s[0] != g.batch || s[3] != g.out_c || s[1] < 1 || s[2] < 1) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "output shape " + shape_to_string(s) + " does not fit input " +
                           describe_input(ctx, 0) + " and filter " + describe_input(ctx, 1));
    }
    g.out_h = s[1];
    g.out_w = s[2];
  } else {
    g.out_h = derived_out_size(a.padding, g.in_h, g.k_h, a.stride_h, pads.top, pads.bottom);
    g.out_w = derived_out_size(a.padding, g.in_w, g.k_w, a.stride_w, pads.left, pads.right);
    if (g.out_h < 1 || g.out_w < 1) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "explicit pads leave no output for input " + describe_input(ctx, 0));
    }
  }
  g.pad_top = transpose_pad_before(a.padding, g.out_h, g.k_h, a.stride_h, pads.top);
  g.pad_left = transpose_pad_before(a.padding, g.out_w, g.k_w, a.stride_w, pads.left);
  ctx.output(0).shape = {g.batch, g.out_h, g.out_w, g.out_c};
  f32_if_f32(ctx);
  return g;
}

Status transpose_conv(PrepareContext& ctx) { return transpose_conv_geometry(ctx).status(); }

Result<FullyConnectedGeometry> fully_connected_geometry(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 3));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(1, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  const auto* a = std::get_if<FullyConnectedAttrs>(&ctx.node().attrs);
  const bool keep_num_dims = a != nullptr && a->keep_num_dims;
  const Shape& in = ctx.input(0).shape;
  const Shape& weights = ctx.input(1).shape;
  if (in.empty()) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "input " + describe_input(ctx, 0) + " should have rank >= 1");
  }
  FullyConnectedGeometry g;
  g.in_size = weights[1];
  g.out_size = weights[0];
  // TFLite flattens any input whose size is a multiple of I (e.g. an NHWC
  // feature map straight into a classifier); keep_num_dims needs [..., I].
  const int64_t elements = num_elements(in);
  const bool fits = keep_num_dims ? in.back() == g.in_size
                                  : g.in_size > 0 && elements % g.in_size == 0;
  if (!fits) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "weights " + describe_input(ctx, 1) + " take " +
                         std::to_string(g.in_size) + " input features but input " +
                         describe_input(ctx, 0) +
                         (keep_num_dims ? " has " + std::to_string(in.back())
                                        : std::string(" is not a multiple")));
  }
  OPSCOPE_RETURN_IF_ERROR(expect_bias(ctx, 2, g.out_size));
  g.batch = g.in_size > 0 ? elements / g.in_size : 0;
  Shape out = in;
  if (keep_num_dims) {
    out.back() = g.out_size;
  } else {
    out = {g.batch, g.out_size};
  }
  ctx.output(0).shape = std::move(out);
  f32_if_f32(ctx);
  return g;
}

Status fully_connected(PrepareContext& ctx) { return fully_connected_geometry(ctx).status(); }

Result<BatchMatMulGeometry> batch_matmul_geometry(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 1));
  const Shape& a = ctx.input(0).shape;
  const Shape& b = ctx.input(1).shape;
  if (a.size() < 2 || b.size() < 2) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "inputs " + describe_input(ctx, 0) + " and " + describe_input(ctx, 1) +
                         " should have rank >= 2");
  }
  const auto* attrs = std::get_if<BatchMatMulAttrs>(&ctx.node().attrs);
  BatchMatMulGeometry g;
  g.adj_x = attrs != nullptr && attrs->adj_x;
  g.adj_y = attrs != nullptr && attrs->adj_y;
  const size_t ra = a.size(), rb = b.size();
  g.m = g.adj_x ? a[ra - 1] : a[ra - 2];
  g.k = g.adj_x ? a[ra - 2] : a[ra - 1];
  const int64_t k_b = g.adj_y ? b[rb - 1] : b[rb - 2];
  g.n = g.adj_y ? b[rb - 2] : b[rb - 1];
  if (g.k != k_b) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "inner dims differ: a " + describe_input(ctx, 0) +
                         (g.adj_x ? " (adj_x)" : "") + " has K=" + std::to_string(g.k) +
                         ", b " + describe_input(ctx, 1) + (g.adj_y ? " (adj_y)" : "") +
                         " has K=" + std::to_string(k_b));
  }
  // The batch dims broadcast, aligned from the right; each operand's are
  // padded with leading 1s to the output's batch rank.
  const Shape a_batch(a.begin(), a.end() - 2), b_batch(b.begin(), b.end() - 2);
  if (!broadcast_shape(a_batch, b_batch, &g.batch)) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "batch dims of " + describe_input(ctx, 0) + " and " +
                         describe_input(ctx, 1) + " do not broadcast");
  }
  g.a_batch.assign(g.batch.size() - a_batch.size(), 1);
  g.a_batch.insert(g.a_batch.end(), a_batch.begin(), a_batch.end());
  g.b_batch.assign(g.batch.size() - b_batch.size(), 1);
  g.b_batch.insert(g.b_batch.end(), b_batch.begin(), b_batch.end());
  Shape out = g.batch;
  out.push_back(g.m);
  out.push_back(g.n);
  ctx.output(0).shape = std::move(out);
  f32_if_f32(ctx);
  return g;
}

Status batch_matmul(PrepareContext& ctx) { return batch_matmul_geometry(ctx).status(); }

}  // namespace opscope::shapes
