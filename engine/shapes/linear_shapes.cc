// Shapes of the convolutions, FULLY_CONNECTED and BATCH_MATMUL.
#include <algorithm>
#include <string>

#include "engine/shapes/window.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::shapes {
namespace {


Status expect_window(const PrepareContext& ctx, Padding padding, const Pads2D& pads,
                     int stride_h, int stride_w, int dilation_h, int dilation_w) {
  if (stride_h < 1 || stride_w < 1) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "stride " + std::to_string(stride_h) + "x" + std::to_string(stride_w) +
                         " must be >= 1");
  }
  if (dilation_h < 1 || dilation_w < 1) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "dilation " + std::to_string(dilation_h) + "x" +
                         std::to_string(dilation_w) + " must be >= 1");
  }
  if (padding == Padding::kExplicit &&
      (pads.top < 0 || pads.left < 0 || pads.bottom < 0 || pads.right < 0)) {
    return ctx.error(ErrorCode::kInvalidArgument, "explicit pads must be >= 0");
  }
  return Status::ok();
}

// Input and filter of rank 4, and the attrs of a forward convolution.
template <typename Attrs>
Status forward_conv(PrepareContext& ctx, int64_t out_c) {
  const auto* a = std::get_if<Attrs>(&ctx.node().attrs);
  if (a == nullptr) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "node carries no attributes of the expected kind");
  }
  OPSCOPE_RETURN_IF_ERROR(expect_window(ctx, a->padding, a->explicit_pads, a->stride_h,
                                        a->stride_w, a->dilation_h, a->dilation_w));
  const Shape& in = ctx.input(0).shape;
  const Shape& filter = ctx.input(1).shape;
  const auto h = window_dim(a->padding, in[1], filter[1], a->stride_h, a->dilation_h,
                            a->explicit_pads.top, a->explicit_pads.bottom);
  const auto w = window_dim(a->padding, in[2], filter[2], a->stride_w, a->dilation_w,
                            a->explicit_pads.left, a->explicit_pads.right);
  if (h.out <= 0 || w.out <= 0) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "input " + shape_to_string(in) + " is smaller than the dilated filter " +
                         shape_to_string(filter));
  }
  ctx.output(0).shape = {in[0], h.out, w.out, out_c};
  f32_if_f32(ctx);
  return Status::ok();
}

Status expect_conv_inputs(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 3));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(0, 4));
  return ctx.expect_input_rank(1, 4);
}

Status expect_filter_channels(PrepareContext& ctx) {
  const Shape& in = ctx.input(0).shape;
  const Shape& filter = ctx.input(1).shape;
  if (filter[3] != in[3]) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "filter " + shape_to_string(filter) + " has " + std::to_string(filter[3]) +
                         " input channels but input " + shape_to_string(in) + " has " +
                         std::to_string(in[3]));
  }
  if (filter[0] < 1 || filter[1] < 1 || filter[2] < 1) {
    return ctx.error(ErrorCode::kShapeMismatch, "filter " + shape_to_string(filter) + " is empty");
  }
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

}  // namespace

Status conv2d(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_conv_inputs(ctx));
  OPSCOPE_RETURN_IF_ERROR(expect_filter_channels(ctx));
  return forward_conv<Conv2DAttrs>(ctx, ctx.input(1).shape[0]);
}

Status depthwise_conv2d(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_conv_inputs(ctx));
  const Shape& in = ctx.input(0).shape;
  const Shape& filter = ctx.input(1).shape;
  if (filter[0] != 1 || filter[1] < 1 || filter[2] < 1 || filter[3] < 1) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "filter " + shape_to_string(filter) + " should be 1xKHxKWx(C*M)");
  }
  // The multiplier comes from the shapes (the attribute may be stale).
  if (in[3] < 1 || filter[3] % in[3] != 0) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "filter " + shape_to_string(filter) + " has " + std::to_string(filter[3]) +
                         " channels, not a multiple of the " + std::to_string(in[3]) +
                         " channels of input " + shape_to_string(in));
  }
  return forward_conv<DepthwiseConv2DAttrs>(ctx, filter[3]);
}

Status transpose_conv(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_conv_inputs(ctx));
  const auto* a = std::get_if<TransposeConvAttrs>(&ctx.node().attrs);
  if (a == nullptr) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "node carries no attributes of the expected kind");
  }
  OPSCOPE_RETURN_IF_ERROR(
      expect_window(ctx, a->padding, a->explicit_pads, a->stride_h, a->stride_w, 1, 1));
  OPSCOPE_RETURN_IF_ERROR(expect_filter_channels(ctx));
  const Shape& in = ctx.input(0).shape;
  const Shape& filter = ctx.input(1).shape;
  const int64_t out_c = filter[0];
  int64_t out_h = 0, out_w = 0;
  if (!a->output_shape.empty()) {
    const Shape& s = a->output_shape;
    if (s.size() != 4 || s[0] != in[0] || s[3] != out_c || s[1] < 1 || s[2] < 1) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "output shape " + shape_to_string(s) + " does not fit input " +
                           shape_to_string(in) + " and filter " + shape_to_string(filter));
    }
    out_h = s[1];
    out_w = s[2];
  } else {
    const Pads2D& p = a->explicit_pads;
    out_h = derived_out_size(a->padding, in[1], filter[1], a->stride_h, p.top, p.bottom);
    out_w = derived_out_size(a->padding, in[2], filter[2], a->stride_w, p.left, p.right);
    if (out_h < 1 || out_w < 1) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "explicit pads leave no output for input " + shape_to_string(in));
    }
  }
  ctx.output(0).shape = {in[0], out_h, out_w, out_c};
  f32_if_f32(ctx);
  return Status::ok();
}

Status fully_connected(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 3));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(1, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  const auto* a = std::get_if<FullyConnectedAttrs>(&ctx.node().attrs);
  const bool keep_num_dims = a != nullptr && a->keep_num_dims;
  const Shape& in = ctx.input(0).shape;
  const Shape& weights = ctx.input(1).shape;
  if (in.empty()) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "input " + shape_to_string(in) + " should have rank >= 1");
  }
  const int64_t in_size = weights[1], out_size = weights[0];
  // Any input whose size is a multiple of I flattens (TFLite); keep_num_dims
  // needs [..., I].
  const int64_t elements = num_elements(in);
  const bool fits = keep_num_dims ? in.back() == in_size
                                  : in_size > 0 && elements % in_size == 0;
  if (!fits) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "weights " + shape_to_string(weights) + " take " + std::to_string(in_size) +
                         " input features but input " + shape_to_string(in) +
                         (keep_num_dims ? " has " + std::to_string(in.back())
                                        : std::string(" is not a multiple")));
  }
  Shape out = in;
  if (keep_num_dims) {
    out.back() = out_size;
  } else {
    out = {elements / in_size, out_size};
  }
  ctx.output(0).shape = out;
  f32_if_f32(ctx);
  return Status::ok();
}

Status batch_matmul(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 1));
  const Shape& a = ctx.input(0).shape;
  const Shape& b = ctx.input(1).shape;
  if (a.size() < 2 || b.size() < 2) {
    return ctx.error(ErrorCode::kShapeMismatch, "inputs " + shape_to_string(a) + " and " +
                                                    shape_to_string(b) +
                                                    " should have rank >= 2");
  }
  const auto* attrs = std::get_if<BatchMatMulAttrs>(&ctx.node().attrs);
  const bool adj_x = attrs && attrs->adj_x, adj_y = attrs && attrs->adj_y;
  const size_t ra = a.size(), rb = b.size();
  const int64_t m = adj_x ? a[ra - 1] : a[ra - 2];
  const int64_t k = adj_x ? a[ra - 2] : a[ra - 1];
  const int64_t k_b = adj_y ? b[rb - 1] : b[rb - 2];
  const int64_t n = adj_y ? b[rb - 2] : b[rb - 1];
  if (k != k_b) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "inner dims differ: a " + shape_to_string(a) + " has K=" +
                         std::to_string(k) + ", b " + shape_to_string(b) + " has K=" +
                         std::to_string(k_b));
  }
  // Batch dims broadcast, aligned from the right.
  const size_t batch_rank = std::max(ra, rb) - 2;
  Shape out(batch_rank);
  for (size_t i = 0; i < batch_rank; ++i) {
    const size_t from_right = batch_rank - i;
    const int64_t da = from_right <= ra - 2 ? a[ra - 2 - from_right] : 1;
    const int64_t db = from_right <= rb - 2 ? b[rb - 2 - from_right] : 1;
    if (da != db && da != 1 && db != 1) {
      return ctx.error(ErrorCode::kShapeMismatch, "batch dims of " + shape_to_string(a) +
                                                      " and " + shape_to_string(b) +
                                                      " do not broadcast");
    }
    out[i] = da == 1 ? db : da;
  }
  out.push_back(m);
  out.push_back(n);
  ctx.output(0).shape = out;
  f32_if_f32(ctx);
  return Status::ok();
}

}  // namespace opscope::shapes
