// Typed attributes of the engine's ops (see op_kind.h for which op has which).
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

namespace opscope {

// A fused activation applied to an op's output.
enum class Activation : uint8_t { kNone, kRelu, kReluN1To1, kRelu6, kTanh };

enum class Padding : uint8_t {
  kSame,      // TFLite SAME: output = ceil(in / stride), extra pad at the end
  kValid,     // no padding
  kExplicit,  // pads given in `explicit_pads`
};

// Explicit pads in pixels (ONNX-style imports).
struct Pads2D {
  int top = 0, left = 0, bottom = 0, right = 0;
};

struct Conv2DAttrs {
  Padding padding = Padding::kValid;
  Pads2D explicit_pads;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  Activation activation = Activation::kNone;
};

struct DepthwiseConv2DAttrs {
  Padding padding = Padding::kValid;
  Pads2D explicit_pads;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int depth_multiplier = 1;
  Activation activation = Activation::kNone;
};

struct TransposeConvAttrs {
  Padding padding = Padding::kValid;
  Pads2D explicit_pads;
  int stride_h = 1, stride_w = 1;
  // Full NHWC output shape when the model states it; empty means the kernel
  // derives it (SAME: in*stride, VALID: (in-1)*stride + k).
  std::vector<int64_t> output_shape;
  Activation activation = Activation::kNone;
};

struct FullyConnectedAttrs {
  Activation activation = Activation::kNone;
  // Keep the input's leading dims instead of flattening them into a batch.
  bool keep_num_dims = false;
};

struct BatchMatMulAttrs {
  bool adj_x = false, adj_y = false;
};

struct ActivationAttrs {
  Activation activation = Activation::kNone;
};

struct LeakyReluAttrs {
  float alpha = 0.2f;
};

// y = clamp(alpha * x + beta, 0, 1) (ONNX HardSigmoid).
struct HardSigmoidAttrs {
  float alpha = 0.2f;
  float beta = 0.5f;
};

struct SoftmaxAttrs {
  float beta = 1.0f;
};

struct Pool2DAttrs {
  Padding padding = Padding::kValid;
  Pads2D explicit_pads;
  int stride_h = 1, stride_w = 1;
  int filter_h = 1, filter_w = 1;
  Activation activation = Activation::kNone;
};

struct ReduceAttrs {
  bool keep_dims = false;
};

struct ReshapeAttrs {
  // Target shape; at most one -1 which the kernel resolves.
  std::vector<int64_t> new_shape;
};

struct SqueezeAttrs {
  std::vector<int> axes;  // empty: every dimension of size 1
};

struct ConcatenationAttrs {
  int axis = 0;
  Activation activation = Activation::kNone;
};

struct StridedSliceAttrs {
  int begin_mask = 0, end_mask = 0, ellipsis_mask = 0;
  int new_axis_mask = 0, shrink_axis_mask = 0;
  bool offset = false;  // end = begin + end when set
};

struct DepthToSpaceAttrs {
  int block_size = 2;
};

struct ResizeAttrs {
  bool align_corners = false;
  bool half_pixel_centers = false;
};

using Attributes =
    std::variant<std::monostate, Conv2DAttrs, DepthwiseConv2DAttrs,
                 TransposeConvAttrs, FullyConnectedAttrs, BatchMatMulAttrs,
                 ActivationAttrs, LeakyReluAttrs, SoftmaxAttrs, Pool2DAttrs,
                 ReduceAttrs, ReshapeAttrs, SqueezeAttrs, ConcatenationAttrs,
                 StridedSliceAttrs, DepthToSpaceAttrs, ResizeAttrs,
                 HardSigmoidAttrs>;

}  // namespace opscope
