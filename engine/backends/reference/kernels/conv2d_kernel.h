// The state and prepare steps shared by the reference backend's NHWC 2D
// convolutions, all f32 with inputs (input, filter, bias?): CONV_2D and
// TRANSPOSE_CONV (OHWI filter) and DEPTHWISE_CONV_2D ([1, KH, KW, C*M]).
//
// A kernel's prepare() calls the steps below in their order (skipping those
// marked for other ops); each check returns the first problem with a message
// naming the node. run() then reads the fields.
#pragma once

#include <cstdint>

#include "engine/attributes.h"
#include "engine/kernel.h"

namespace opscope::reference {

// A 2D window as the conv attributes carry it. TRANSPOSE_CONV has no
// dilation: 1.
struct ConvWindow {
  Padding padding = Padding::kValid;
  Pads2D pads;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
};

// Conv2DAttrs, DepthwiseConv2DAttrs or TransposeConvAttrs.
template <typename Attrs>
ConvWindow conv_window(const Attrs& a) {
  ConvWindow w;
  w.padding = a.padding;
  w.pads = a.explicit_pads;
  w.stride_h = a.stride_h;
  w.stride_w = a.stride_w;
  if constexpr (requires { a.dilation_h; }) {
    w.dilation_h = a.dilation_h;
    w.dilation_w = a.dilation_w;
  }
  return w;
}

// Checks strides and dilations are >= 1 and explicit pads are >= 0.
Status expect_window(const PrepareContext& ctx, const ConvWindow& window);

class Conv2DKernel : public Kernel {
 protected:
  // 1. (input, filter, bias?) all f32 with one f32 output; input and filter
  //    of rank 4. Then read the attributes and check them with
  //    expect_window().
  static Status expect_conv2d_inputs(PrepareContext& ctx);
  // 2. CONV_2D, TRANSPOSE_CONV: an OHWI filter with the input's channel
  //    count as I, no empty dim, and a bias of O values when present.
  static Status expect_ohwi_filter(PrepareContext& ctx);
  // 3. The NHWC input's sizes, KH and KW (filter dims 1 and 2), `out_c`
  //    output channels, and the window's strides and dilations.
  void set_sizes(PrepareContext& ctx, int64_t out_c, const ConvWindow& window);
  // 4. CONV_2D, DEPTHWISE_CONV_2D: the output size and leading pads of the
  //    forward window; fails when the input is smaller than the dilated
  //    filter.
  Status set_forward_output(PrepareContext& ctx, const ConvWindow& window);
  // 5. Once the output size is known: the tensor ids and the activation for
  //    run(), and the output's shape {batch, out_h, out_w, out_c}.
  void bind(PrepareContext& ctx, Activation activation);

  int input_id_ = -1, filter_id_ = -1, bias_id_ = -1, output_id_ = -1;
  int64_t batch_ = 0, in_h_ = 0, in_w_ = 0, in_c_ = 0;
  int64_t out_h_ = 0, out_w_ = 0, out_c_ = 0, k_h_ = 0, k_w_ = 0;
  int64_t stride_h_ = 1, stride_w_ = 1, dilation_h_ = 1, dilation_w_ = 1;
  int64_t pad_top_ = 0, pad_left_ = 0;
  Activation activation_ = Activation::kNone;
};

}  // namespace opscope::reference
