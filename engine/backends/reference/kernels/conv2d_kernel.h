// The state shared by the reference backend's NHWC 2D convolutions (f32 and
// int8), with inputs (input, filter, bias?): CONV_2D and TRANSPOSE_CONV (OHWI
// filter) and DEPTHWISE_CONV_2D ([1, KH, KW, C*M]).
//
// A kernel's prepare() checks dtypes (and quantization), then takes the
// output shape and the window geometry from the op's shape rule
// (shapes::conv2d_geometry and its siblings, which make every shape check)
// through bind(). run() then reads the fields.
#pragma once

#include <cstdint>

#include "engine/attributes.h"
#include "engine/kernel.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {

class Conv2DKernel : public Kernel {
 protected:
  // (input, filter, bias?) all f32 with one f32 output.
  static Status expect_conv2d_inputs(PrepareContext& ctx);
  // The geometry from the shape rule, the tensor ids and the activation for
  // run().
  void bind(PrepareContext& ctx, const shapes::ConvGeometry& g, Activation activation);

  int input_id_ = -1, filter_id_ = -1, bias_id_ = -1, output_id_ = -1;
  int64_t batch_ = 0, in_h_ = 0, in_w_ = 0, in_c_ = 0;
  int64_t out_h_ = 0, out_w_ = 0, out_c_ = 0, k_h_ = 0, k_w_ = 0;
  int64_t stride_h_ = 1, stride_w_ = 1, dilation_h_ = 1, dilation_w_ = 1;
  int64_t pad_top_ = 0, pad_left_ = 0;
  Activation activation_ = Activation::kNone;
};

}  // namespace opscope::reference
