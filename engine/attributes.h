// Typed attributes of the engine's ops (see op_kind.h for which op has which).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "engine/tensor.h"

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

// ELU, SELU, CELU, THRESHOLDED_RELU (op_kind.h); defaults are ONNX's (SELU
// sets its own alpha and gamma when the model gives none).
struct UnaryParamsAttrs {
  float alpha = 1.0f;
  float gamma = 1.0f;
};

// ARG_MAX, ARG_MIN (op_kind.h): the index along `axis` (>= 0); the axis is
// kept as 1 or dropped; ties take the first index or, with select_last, the
// last.
struct ArgAttrs {
  int axis = 0;
  bool keep_dims = true;
  bool select_last = false;
};

// IS_INF (op_kind.h): which infinities count (ONNX IsInf's detect_positive
// and detect_negative).
struct IsInfAttrs {
  bool positive = true;
  bool negative = true;
};

// CAST (op_kind.h): the target element type.
struct CastAttrs {
  DType to = DType::kF32;
};

// TRILU (op_kind.h): the upper or the lower triangle, diagonal k.
struct TriluAttrs {
  bool upper = true;
  int64_t k = 0;
};

// TOPK (op_kind.h): axis may be negative (counted from the end); indices
// are i64 (ONNX) or i32 (TFLite).
struct TopKAttrs {
  int axis = -1;
  bool largest = true;
  DType index_dtype = DType::kI64;
};

struct Model;  // graph.h

// IF (op_kind.h): the branches, models of their own whose graph inputs are
// the If's inputs after the condition, in order, and whose graph outputs
// are the If's outputs.
struct IfAttrs {
  std::shared_ptr<const Model> then_branch, else_branch;
};

// LOOP (op_kind.h): the body, a model whose graph inputs are the iteration
// number (i64, one element), the condition (bool, one element), the
// num_carried loop-carried values and then the loop's captured inputs; its
// outputs are the next condition, the carried values and num_scan values
// stacked along a new first axis into the loop's scan outputs.
struct LoopAttrs {
  std::shared_ptr<const Model> body;
  int num_carried = 0;
  int num_scan = 0;
};

// WHILE (op_kind.h): cond takes the loop variables and gives one bool;
// body takes them and gives their next values, in order.
struct WhileAttrs {
  std::shared_ptr<const Model> cond, body;
};

// SCAN (op_kind.h): the body takes num_states states, one slice of each
// scan input (its scan axis removed) and then the scan's captured inputs,
// and gives the states then one slice of each scan output. Axes are non-negative (the importer resolves them);
// `reverse` walks the scan axis from its end.
struct ScanAttrs {
  std::shared_ptr<const Model> body;
  int num_states = 0;
  std::vector<int> input_axes, output_axes;
  std::vector<bool> input_reverse, output_reverse;
};

// CUMSUM (op_kind.h): the axis comes as an input.
struct CumSumAttrs {
  bool exclusive = false;
  bool reverse = false;
};

// ONE_HOT (op_kind.h): where depth goes in the output, in [-r-1, r] for
// indices of rank r (-1: last); whether indices in [-depth, 0) count from
// the end (ONNX) or give a line of off (TFLite).
struct OneHotAttrs {
  int axis = -1;
  bool negative_wraps = true;
};

// EINSUM (op_kind.h): the equation as the model writes it (spaces allowed);
// the shape rule parses it against the operands' ranks.
struct EinsumAttrs {
  std::string equation;
};

// LANDMARKS_TO_TRANSFORM_MATRIX (op_kind.h): landmark indices into the
// input's N landmarks (each in [0, N)), the crop's size in pixels (> 0) and
// its scale about the subset's bounding box (> 0).
struct LandmarksToMatrixAttrs {
  std::vector<int32_t> subset;  // the landmarks whose bounding box is cropped
  int32_t left_rotation_idx = 0;
  int32_t right_rotation_idx = 0;
  float target_rotation_radians = 0;
  int32_t output_height = 0;
  int32_t output_width = 0;
  float scale_x = 1;
  float scale_y = 1;
};

// TRANSFORM_TENSOR_BILINEAR (op_kind.h): the output's height and width.
struct TransformTensorAttrs {
  int32_t output_height = 0;
  int32_t output_width = 0;
};

// An activation of a recurrent layer's gates (ONNX's names; alpha and beta
// as ONNX defines them for each).
enum class GateActivation : uint8_t {
  kSigmoid, kTanh, kRelu, kHardSigmoid, kLeakyRelu, kThresholdedRelu, kScaledTanh,
  kAffine, kElu, kSoftsign, kSoftplus,
};
struct GateFunction {
  GateActivation kind = GateActivation::kSigmoid;
  float alpha = 0.0f, beta = 0.0f;
};

// LSTM, GRU, RNN (op_kind.h).
struct RecurrentAttrs {
  enum class Direction : uint8_t { kForward, kReverse, kBidirectional };
  Direction direction = Direction::kForward;
  int64_t hidden_size = 0;
  bool batch_first = false;  // ONNX layout = 1
  float clip = 0.0f;         // > 0: gate inputs clipped to [-clip, clip]
  bool linear_before_reset = false;  // GRU
  // LSTM: > 0: the cell state is clipped to [-cell_clip, cell_clip] after
  // each update (TFLite's cell_clip; ONNX has none).
  float cell_clip = 0.0f;
  // LSTM: coupled input and forget gates, i = 1 - f; W's, R's and B's i rows
  // and P's i entries are then not read (TFLite's CIFG, ONNX's input_forget).
  bool input_forget = false;
  // Per direction, in order: LSTM f, g, h; GRU f, g; RNN f (forward
  // direction's first, then the reverse's).
  std::vector<GateFunction> activations;
};

// LAYER_NORM (op_kind.h): normalize over dims [axis, rank), axis >= 0.
struct LayerNormAttrs {
  int axis = 0;
  float epsilon = 1e-5f;
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
  // Taps of a window are `dilation` apart (ONNX MaxPool's dilations);
  // TFLite pools have none. Kernels that cannot dilate must refuse d > 1.
  int dilation_h = 1, dilation_w = 1;
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

// PAD's fill of the border. kReflect mirrors without repeating the edge
// (numpy/ONNX "reflect", TFLite MIRROR_PAD REFLECT), kSymmetric mirrors
// repeating it (TFLite SYMMETRIC), kEdge repeats the edge (ONNX "edge").
// Pads wider than the input keep mirroring (numpy's periodic extension).
enum class PadMode : uint8_t { kConstant, kReflect, kSymmetric, kEdge };

struct PadAttrs {
  PadMode mode = PadMode::kConstant;
};

// RESIZE (ONNX Resize-11..18 without antialias). Per axis of the engine
// tensor (in its own dim order), output x samples input coordinate
//   half_pixel          (x + 0.5) / scale - 0.5
//   pytorch_half_pixel  same, but -0.5 when the output length is 1
//   align_corners       x * (in - 1) / (in * scale - 1), 0 when that is 0
//   asymmetric          x / scale
//   tf_half_pixel_for_nn (x + 0.5) / scale
//   tf_crop_and_resize  roi_start*(in-1) + x*(roi_end-roi_start)*(in-1)/(in*scale-1)
//                       (the middle of the roi when out is 1); outside
//                       [0, in - 1] the output is extrapolation_value.
// `scales` are kept as the model gives them (sizes/in when it gives sizes):
// ONNX uses in*scale, not the whole output length, in these formulas.
enum class ResizeMode : uint8_t { kNearest, kLinear, kCubic };
enum class ResizeCoordinates : uint8_t {
  kHalfPixel, kPytorchHalfPixel, kAlignCorners, kAsymmetric, kTfHalfPixelForNn, kTfCropAndResize,
};
enum class NearestRounding : uint8_t { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

struct ResizeNdAttrs {
  ResizeMode mode = ResizeMode::kNearest;
  ResizeCoordinates coordinates = ResizeCoordinates::kHalfPixel;
  NearestRounding nearest = NearestRounding::kRoundPreferFloor;
  float cubic_coeff_a = -0.75f;
  bool exclude_outside = false;  // taps outside the input weigh 0, the rest renormalized
  float extrapolation_value = 0.0f;
  std::vector<int64_t> output_shape;    // one per axis
  std::vector<double> scales;           // one per axis, > 0
  std::vector<double> roi_start, roi_end;  // tf_crop_and_resize only, one per axis
};

// QUANTIZE's rounding of x / scale to an integer. TFLite rounds half away
// from zero (the default); ONNX's QuantizeLinear rounds half to even.
struct QuantizeAttrs {
  bool round_half_to_even = false;
};

// GATHER (TFLite GatherOptions). Both may be negative: axis counts from
// the end of params' dims, batch_dims from the end of indices' dims.
struct GatherAttrs {
  int axis = 0;
  int batch_dims = 0;
};

// GATHER_ELEMENTS (ONNX GatherElements). axis may be negative: it counts
// from the end of data's dims.
struct GatherElementsAttrs {
  int axis = 0;
};

// GATHER_ND (TFLite GATHER_ND, ONNX GatherND). batch_dims >= 0: the
// leading dims data and indices share (ONNX's attribute; TFLite's op has
// none, i.e. 0).
struct GatherNdAttrs {
  int batch_dims = 0;
};

using Attributes =
    std::variant<std::monostate, Conv2DAttrs, DepthwiseConv2DAttrs,
                 TransposeConvAttrs, FullyConnectedAttrs, BatchMatMulAttrs,
                 ActivationAttrs, LeakyReluAttrs, SoftmaxAttrs, Pool2DAttrs,
                 ReduceAttrs, ReshapeAttrs, SqueezeAttrs, ConcatenationAttrs,
                 StridedSliceAttrs, DepthToSpaceAttrs, ResizeAttrs, PadAttrs, ResizeNdAttrs,
                 HardSigmoidAttrs, UnaryParamsAttrs, LayerNormAttrs, ArgAttrs, IsInfAttrs, TriluAttrs, TopKAttrs, CastAttrs, IfAttrs, LoopAttrs, WhileAttrs, ScanAttrs,
                 CumSumAttrs, OneHotAttrs, EinsumAttrs, LandmarksToMatrixAttrs, TransformTensorAttrs,
                 RecurrentAttrs, QuantizeAttrs,
                 GatherAttrs, GatherElementsAttrs, GatherNdAttrs>;

}  // namespace opscope
