// Shapes of the pools, reductions, resizes, DEPTH_TO_SPACE and PAD.
#include <string>
#include <vector>

#include "engine/backends/reference/kernels/int_params.h"
#include "engine/backends/reference/kernels/window.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::shapes {

using reference::normalize_axis;
using reference::read_int_input;

Status pool2d(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(0, 4));
  OPSCOPE_ASSIGN_OR_RETURN(const Pool2DAttrs a, reference::node_attrs<Pool2DAttrs>(ctx));
  if (a.filter_h < 1 || a.filter_w < 1 || a.stride_h < 1 || a.stride_w < 1 ||
      a.dilation_h < 1 || a.dilation_w < 1) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "filter " + std::to_string(a.filter_h) + "x" + std::to_string(a.filter_w) +
                         ", stride " + std::to_string(a.stride_h) + "x" +
                         std::to_string(a.stride_w) + " and dilation " +
                         std::to_string(a.dilation_h) + "x" + std::to_string(a.dilation_w) +
                         " must be positive");
  }
  const Shape& in = ctx.input(0).shape;
  const Pads2D& p = a.explicit_pads;
  const auto h = reference::window_dim(a.padding, in[1], a.filter_h, a.stride_h, a.dilation_h,
                                       p.top, p.bottom);
  const auto w = reference::window_dim(a.padding, in[2], a.filter_w, a.stride_w, a.dilation_w,
                                       p.left, p.right);
  if (h.out <= 0 || w.out <= 0) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "filter " + std::to_string(a.filter_h) + "x" + std::to_string(a.filter_w) +
                         " does not fit input " + shape_to_string(in));
  }
  ctx.output(0).shape = {in[0], h.out, w.out, in[3]};
  f32_if_f32(ctx);
  return Status::ok();
}

// MEAN, REDUCE_MAX: the listed axes (negative allowed, duplicates harmless)
// go, or stay as 1 with keep_dims.
Status reduce(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_ASSIGN_OR_RETURN(const ReduceAttrs attrs, reference::node_attrs<ReduceAttrs>(ctx));
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> axes, read_int_input(ctx, 1, "axes"));
  const Shape in = ctx.input(0).shape;
  const int rank = static_cast<int>(in.size());
  std::vector<bool> reduced(rank, false);
  for (int64_t axis : axes) {
    OPSCOPE_ASSIGN_OR_RETURN(const int a, normalize_axis(ctx, axis, rank, "axis"));
    reduced[a] = true;
  }
  Shape out;
  for (int d = 0; d < rank; ++d) {
    if (!reduced[d]) {
      out.push_back(in[d]);
    } else if (attrs.keep_dims) {
      out.push_back(1);
    }
  }
  ctx.output(0).shape = std::move(out);
  f32_if_f32(ctx);
  return Status::ok();
}

Status resize_bilinear(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(0, 4));
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
  ctx.output(0).shape = {in[0], size[0], size[1], in[3]};
  f32_if_f32(ctx);
  return Status::ok();
}

// ONNX Resize: the reader fixes the output shape in the attrs.
Status resize(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_ASSIGN_OR_RETURN(const ResizeNdAttrs a, reference::node_attrs<ResizeNdAttrs>(ctx));
  const Shape& in = ctx.input(0).shape;
  if (in.empty() || in.size() > 4) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "input " + shape_to_string(in) + " must have rank 1 to 4");
  }
  if (a.output_shape.size() != in.size()) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "output shape " + shape_to_string(a.output_shape) +
                         " does not match the rank of input " + shape_to_string(in));
  }
  ctx.output(0).shape = a.output_shape;
  f32_if_f32(ctx);
  return Status::ok();
}

Status depth_to_space(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(0, 4));
  OPSCOPE_ASSIGN_OR_RETURN(const DepthToSpaceAttrs attrs,
                           reference::node_attrs<DepthToSpaceAttrs>(ctx));
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

// paddings [rank, 2]: before and after each dim, >= 0.
Status pad(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 3));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  const Shape& in = ctx.input(0).shape;
  const int rank = static_cast<int>(in.size());
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> pads,
                           read_int_input(ctx, 1, "paddings", 2));
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
