#include "engine/backends/reference/kernels/conv2d_kernel.h"

#include <string>

#include "engine/backends/reference/kernels/linear_ops.h"
#include "engine/shapes/window.h"

namespace opscope::reference {

Status expect_window(const PrepareContext& ctx, const ConvWindow& w) {
  if (w.stride_h < 1 || w.stride_w < 1) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "stride " + std::to_string(w.stride_h) + "x" +
                         std::to_string(w.stride_w) + " must be >= 1");
  }
  if (w.dilation_h < 1 || w.dilation_w < 1) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "dilation " + std::to_string(w.dilation_h) + "x" +
                         std::to_string(w.dilation_w) + " must be >= 1");
  }
  const Pads2D& pads = w.pads;
  if (w.padding == Padding::kExplicit &&
      (pads.top < 0 || pads.left < 0 || pads.bottom < 0 || pads.right < 0)) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "explicit pads must be >= 0");
  }
  return Status::ok();
}

Status Conv2DKernel::expect_conv2d_inputs(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_f32_op(ctx, 2, 3));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(0, 4));
  return ctx.expect_input_rank(1, 4);
}

Status Conv2DKernel::expect_ohwi_filter(PrepareContext& ctx) {
  const Shape& in = ctx.input(0).shape;
  const Shape& filter = ctx.input(1).shape;
  if (filter[3] != in[3]) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "filter " + describe_input(ctx, 1) + " has " +
                         std::to_string(filter[3]) +
                         " input channels but input " +
                         describe_input(ctx, 0) + " has " +
                         std::to_string(in[3]));
  }
  if (filter[0] < 1 || filter[1] < 1 || filter[2] < 1) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "filter " + describe_input(ctx, 1) + " is empty");
  }
  return expect_bias(ctx, 2, filter[0]);
}

void Conv2DKernel::set_sizes(PrepareContext& ctx, int64_t out_c,
                             const ConvWindow& window) {
  const Shape& in = ctx.input(0).shape;
  const Shape& filter = ctx.input(1).shape;
  batch_ = in[0];
  in_h_ = in[1];
  in_w_ = in[2];
  in_c_ = in[3];
  out_c_ = out_c;
  k_h_ = filter[1];
  k_w_ = filter[2];
  stride_h_ = window.stride_h;
  stride_w_ = window.stride_w;
  dilation_h_ = window.dilation_h;
  dilation_w_ = window.dilation_w;
}

Status Conv2DKernel::set_forward_output(PrepareContext& ctx,
                                        const ConvWindow& window) {
  const Pads2D& pads = window.pads;
  const shapes::WindowDim h = shapes::window_dim(window.padding, in_h_, k_h_, window.stride_h,
                                 window.dilation_h, pads.top, pads.bottom);
  const shapes::WindowDim w = shapes::window_dim(window.padding, in_w_, k_w_, window.stride_w,
                                 window.dilation_w, pads.left, pads.right);
  if (h.out <= 0 || w.out <= 0) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "input " + describe_input(ctx, 0) +
                         " is smaller than the dilated filter " +
                         describe_input(ctx, 1));
  }
  out_h_ = h.out;
  out_w_ = w.out;
  pad_top_ = h.pad_before;
  pad_left_ = w.pad_before;
  return Status::ok();
}

void Conv2DKernel::bind(PrepareContext& ctx, Activation activation) {
  activation_ = activation;
  input_id_ = ctx.input_id(0);
  filter_id_ = ctx.input_id(1);
  bias_id_ = ctx.has_input(2) ? ctx.input_id(2) : -1;
  output_id_ = ctx.output_id(0);
  ctx.output(0).shape = {batch_, out_h_, out_w_, out_c_};
}

}  // namespace opscope::reference
