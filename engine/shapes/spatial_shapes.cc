// Shapes of the pools, reductions, resizes, DEPTH_TO_SPACE and PAD.
#include <cmath>
#include <string>
#include <vector>

#include "engine/shapes/int_params.h"
#include "engine/shapes/window.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::shapes {


Result<PoolWindow> pool2d_window(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(0, 4));
  OPSCOPE_ASSIGN_OR_RETURN(const Pool2DAttrs a, node_attrs<Pool2DAttrs>(ctx));
  if (a.filter_h < 1 || a.filter_w < 1 || a.stride_h < 1 || a.stride_w < 1 ||
      a.dilation_h < 1 || a.dilation_w < 1) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "filter " + std::to_string(a.filter_h) + "x" + std::to_string(a.filter_w) +
                         ", stride " + std::to_string(a.stride_h) + "x" +
                         std::to_string(a.stride_w) + " and dilation " +
                         std::to_string(a.dilation_h) + "x" + std::to_string(a.dilation_w) +
                         " must be positive");
  }
  const Pads2D& p = a.explicit_pads;
  if (a.padding == Padding::kExplicit) {
    // A pad as large as the filter would make windows with no input
    // element; ONNX forbids it too.
    const int64_t ext_h = int64_t{a.filter_h - 1} * a.dilation_h + 1;
    const int64_t ext_w = int64_t{a.filter_w - 1} * a.dilation_w + 1;
    if (p.top < 0 || p.bottom < 0 || p.left < 0 || p.right < 0 || p.top >= ext_h ||
        p.bottom >= ext_h || p.left >= ext_w || p.right >= ext_w) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "explicit pads must be in [0, dilated filter size)");
    }
  }
  const Shape& in = ctx.input(0).shape;
  const WindowDim h =
      window_dim(a.padding, in[1], a.filter_h, a.stride_h, a.dilation_h, p.top, p.bottom);
  const WindowDim w =
      window_dim(a.padding, in[2], a.filter_w, a.stride_w, a.dilation_w, p.left, p.right);
  if (h.out <= 0 || w.out <= 0) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "filter " + std::to_string(a.filter_h) + "x" + std::to_string(a.filter_w) +
                         " does not fit input " + shape_to_string(in));
  }
  PoolWindow window;
  window.out_h = h.out;
  window.out_w = w.out;
  window.rows = window_spans(h, in[1], a.filter_h, a.stride_h, a.dilation_h);
  window.cols = window_spans(w, in[2], a.filter_w, a.stride_w, a.dilation_w);
  if (!every_span_nonempty(window.rows) || !every_span_nonempty(window.cols)) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "a dilated window lies wholly in the padding of input " +
                         shape_to_string(in));
  }
  ctx.output(0).shape = {in[0], h.out, w.out, in[3]};
  // u8 max pools work on raw values: the output is the input's kind.
  if (ctx.input(0).dtype == DType::kU8) {
    forward_dtype(ctx);
  } else {
    f32_if_f32(ctx);
  }
  return window;
}

Status pool2d(PrepareContext& ctx) { return pool2d_window(ctx).status(); }

Result<ReducedAxes> reduce_axes(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_ASSIGN_OR_RETURN(const ReduceAttrs attrs, node_attrs<ReduceAttrs>(ctx));
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> axes, read_int_input(ctx, 1, "axes"));
  const Shape in = ctx.input(0).shape;
  const int rank = static_cast<int>(in.size());
  ReducedAxes r;
  r.reduced.assign(rank, false);
  for (int64_t axis : axes) {
    OPSCOPE_ASSIGN_OR_RETURN(const int a, normalize_axis(ctx, axis, rank, "axis"));
    r.reduced[a] = true;  // duplicates are harmless
  }
  Shape out;
  for (int d = 0; d < rank; ++d) {
    if (!r.reduced[d]) {
      out.push_back(in[d]);
    } else {
      r.count *= in[d];
      if (attrs.keep_dims) out.push_back(1);
    }
  }
  ctx.output(0).shape = std::move(out);
  f32_if_f32(ctx);
  return r;
}

// MEAN, REDUCE_MAX: the listed axes (negative allowed, duplicates harmless)
// go, or stay as 1 with keep_dims.
Status reduce(PrepareContext& ctx) { return reduce_axes(ctx).status(); }

// RESIZE_BILINEAR (f32 and int8): TFLite's op, NHWC, size i32[2] const.
Status resize_bilinear(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(0, 4));
  OPSCOPE_ASSIGN_OR_RETURN(const ResizeAttrs attrs, node_attrs<ResizeAttrs>(ctx));
  if (attrs.align_corners && attrs.half_pixel_centers) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "align_corners and half_pixel_centers are exclusive");
  }
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> size, read_int_input(ctx, 1, "size"));
  if (size.size() != 2) {
    return ctx.error(ErrorCode::kShapeMismatch, "size input has " +
                                                    std::to_string(size.size()) +
                                                    " values, expected 2 (height, width)");
  }
  if (size[0] < 1 || size[1] < 1) {
    return ctx.error(ErrorCode::kInvalidArgument, "output size " + std::to_string(size[0]) +
                                                      "x" + std::to_string(size[1]) +
                                                      " must be positive");
  }
  const Shape& in = ctx.input(0).shape;
  if (in[1] < 1 || in[2] < 1) {
    return ctx.error(ErrorCode::kShapeMismatch, "input " + shape_to_string(in) + " has no pixels");
  }
  ctx.output(0).shape = {in[0], size[0], size[1], in[3]};
  f32_if_f32(ctx);
  return Status::ok();
}

namespace {

Status check_resize_attrs(const PrepareContext& ctx, const ResizeNdAttrs& a, int rank) {
  const auto r = static_cast<size_t>(rank);
  if (a.output_shape.size() != r || a.scales.size() != r) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "output shape and scales must have one value per axis (" +
                         std::to_string(rank) + ")");
  }
  const bool crop = a.coordinates == ResizeCoordinates::kTfCropAndResize;
  if (crop && (a.roi_start.size() != r || a.roi_end.size() != r)) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "tf_crop_and_resize needs a roi start and end per axis");
  }
  for (size_t d = 0; d < r; ++d) {
    if (!(a.scales[d] > 0.0) || !std::isfinite(a.scales[d])) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "scale " + std::to_string(a.scales[d]) + " of axis " +
                           std::to_string(d) + " must be positive");
    }
    if (a.output_shape[d] < 1) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "output shape " + shape_to_string(a.output_shape) + " has an empty dim");
    }
    if (crop && !(std::isfinite(a.roi_start[d]) && std::isfinite(a.roi_end[d]))) {
      return ctx.error(ErrorCode::kInvalidArgument, "roi must be finite");
    }
  }
  if (a.mode == ResizeMode::kCubic && !std::isfinite(a.cubic_coeff_a)) {
    return ctx.error(ErrorCode::kInvalidArgument, "cubic_coeff_a must be finite");
  }
  return Status::ok();
}

}  // namespace

// ONNX Resize on a rank 1-4 tensor: the reader fixes the output shape (and
// the scales, roi) in the attrs; every axis of the input must be non-empty.
Status resize(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
  OPSCOPE_ASSIGN_OR_RETURN(const ResizeNdAttrs a, node_attrs<ResizeNdAttrs>(ctx));
  const Shape& in = ctx.input(0).shape;
  const int rank = static_cast<int>(in.size());
  if (rank < 1 || rank > 4) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "input " + shape_to_string(in) + " must have rank 1 to 4");
  }
  OPSCOPE_RETURN_IF_ERROR(check_resize_attrs(ctx, a, rank));
  for (int64_t d : in) {
    if (d < 1) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "input " + shape_to_string(in) + " has an empty dim");
    }
  }
  ctx.output(0).shape = a.output_shape;
  f32_if_f32(ctx);
  return Status::ok();
}

Status depth_to_space(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(0, 4));
  OPSCOPE_ASSIGN_OR_RETURN(const DepthToSpaceAttrs attrs,
                           node_attrs<DepthToSpaceAttrs>(ctx));
  const int64_t b = attrs.block_size;
  if (b < 1) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "block size " + std::to_string(b) + " must be >= 1");
  }
  const Shape& in = ctx.input(0).shape;
  if (in[3] % (b * b) != 0) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "depth " + std::to_string(in[3]) +
                         " is not divisible by block size squared " + std::to_string(b * b));
  }
  ctx.output(0).shape = {in[0], in[1] * b, in[2] * b, in[3] / (b * b)};
  forward_dtype(ctx);
  return Status::ok();
}

// paddings [rank, 2]: before and after each dim, >= 0; constant, or
// computed at run time (a value operand: the values the session planned).
Status pad(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 3));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  const Shape& in = ctx.input(0).shape;
  const int rank = static_cast<int>(in.size());
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> pads,
                           read_int_operand(ctx, 1, "paddings", 2));
  const Shape& pads_shape = ctx.input(1).shape;
  if (pads_shape.size() != 2 || pads_shape[0] != rank || pads_shape[1] != 2) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "paddings have shape " + shape_to_string(pads_shape) + ", expected " +
                         std::to_string(rank) + "x2 for input " + shape_to_string(in));
  }
  Shape out(rank);
  for (int d = 0; d < rank; ++d) {
    if (pads[2 * d] < 0 || pads[2 * d + 1] < 0) {
      return ctx.error(ErrorCode::kInvalidArgument, "negative padding is not supported");
    }
    out[d] = in[d] + pads[2 * d] + pads[2 * d + 1];
  }
  ctx.output(0).shape = std::move(out);
  forward_dtype(ctx);
  return Status::ok();
}

}  // namespace opscope::shapes
