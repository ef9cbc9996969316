#include "engine/backends/reference/kernels/conv2d_kernel.h"

#include "engine/backends/reference/kernels/linear_ops.h"

namespace opscope::reference {

Status Conv2DKernel::expect_conv2d_inputs(PrepareContext& ctx) {
  return expect_f32_op(ctx, 2, 3);
}

void Conv2DKernel::bind(PrepareContext& ctx, const shapes::ConvGeometry& g,
                        Activation activation) {
  batch_ = g.batch;
  in_h_ = g.in_h;
  in_w_ = g.in_w;
  in_c_ = g.in_c;
  out_h_ = g.out_h;
  out_w_ = g.out_w;
  out_c_ = g.out_c;
  k_h_ = g.k_h;
  k_w_ = g.k_w;
  stride_h_ = g.stride_h;
  stride_w_ = g.stride_w;
  dilation_h_ = g.dilation_h;
  dilation_w_ = g.dilation_w;
  pad_top_ = g.pad_top;
  pad_left_ = g.pad_left;
  activation_ = activation;
  input_id_ = ctx.input_id(0);
  filter_id_ = ctx.input_id(1);
  bias_id_ = ctx.has_input(2) ? ctx.input_id(2) : -1;
  output_id_ = ctx.output_id(0);
}

}  // namespace opscope::reference
