// The shape rules of each op family, behind infer_shapes (shape_inference.h).
// Each takes the node's PrepareContext (for its inputs, attributes and
// node-naming errors) and sets output 0's shape.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/kernel.h"
#include "engine/shapes/broadcast.h"
#include "engine/shapes/index_bounds.h"
#include "engine/shapes/window.h"

namespace opscope::shapes {

// linear_shapes.cc: CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV,
// FULLY_CONNECTED, BATCH_MATMUL
Status conv2d(PrepareContext& ctx);
Status depthwise_conv2d(PrepareContext& ctx);
Status transpose_conv(PrepareContext& ctx);
Status fully_connected(PrepareContext& ctx);
Status batch_matmul(PrepareContext& ctx);

// The geometry behind conv2d, depthwise_conv2d and transpose_conv, for their
// kernels (f32, int8): every check of the input, filter and bias shapes and
// of the window (strides, dilations >= 1; explicit pads >= 0; an output that
// is not empty) is made here, once, and output 0 is shaped.
struct ConvGeometry {
  int64_t batch = 0, in_h = 0, in_w = 0, in_c = 0;
  int64_t k_h = 0, k_w = 0;  // filter dims 1 and 2
  int64_t out_h = 0, out_w = 0, out_c = 0;
  int64_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  // Leading pads: of the forward window, or (TRANSPOSE_CONV) TFLite's pads
  // of the forward conv from the output back to the input.
  int64_t pad_top = 0, pad_left = 0;
};
Result<ConvGeometry> conv2d_geometry(PrepareContext& ctx);
Result<ConvGeometry> depthwise_conv2d_geometry(PrepareContext& ctx);
Result<ConvGeometry> transpose_conv_geometry(PrepareContext& ctx);

// The GEMM behind fully_connected (f32, int8): output[batch, out] =
// input[batch, in] * weights[out, in]^T.
struct FullyConnectedGeometry {
  int64_t batch = 0, in_size = 0, out_size = 0;
};
Result<FullyConnectedGeometry> fully_connected_geometry(PrepareContext& ctx);

// The GEMMs behind batch_matmul: out[..., M, N] = a[..., M, K] * b[..., K, N].
struct BatchMatMulGeometry {
  int64_t m = 0, k = 0, n = 0;
  bool adj_x = false, adj_y = false;
  Shape batch;             // the output's batch dims
  Shape a_batch, b_batch;  // each operand's, padded with leading 1s to batch's rank
};
Result<BatchMatMulGeometry> batch_matmul_geometry(PrepareContext& ctx);

// "'x' 1x8x8x3": input `index`'s name and shape, for messages.
std::string describe_input(PrepareContext& ctx, int index);
// The optional bias input `index`, when present, has shape [channels].
Status expect_bias(PrepareContext& ctx, int index, int64_t channels);

// elementwise_shapes.cc: binary ops with broadcasting, unary ops, SOFTMAX,
// QUANTIZE, DEQUANTIZE
Status binary(PrepareContext& ctx);
Status same_as_input(PrepareContext& ctx);
// LAYER_NORM: y as x, mean and inv_std_dev (when present) x's dims before
// the axis and 1 after; f32 throughout.
Status layer_norm(PrepareContext& ctx);
// ARG_MAX, ARG_MIN: x's shape with the axis 1 or dropped, i64.
Status arg_reduce(PrepareContext& ctx);

// logical_shapes.cc: EQUAL ... GREATER_EQUAL and LOGICAL_AND/OR/XOR (numpy
// broadcasting, bool out), LOGICAL_NOT, IS_NAN, IS_INF (bool of x's shape),
// SELECT_V2 (condition, x and y broadcast together; x's dtype).
Status compare(PrepareContext& ctx);
Result<BroadcastPlan> compare_broadcast(PrepareContext& ctx);
Status bool_of_input(PrepareContext& ctx);
struct SelectPlan {
  Shape dims;  // the output's
  // Element strides of condition, x and y in the output's dims, 0 where the
  // operand broadcasts.
  std::vector<int64_t> strides[3];
  size_t element_size = 4;
};
Status select(PrepareContext& ctx);
Result<SelectPlan> select_plan(PrepareContext& ctx);
// repeat_shapes.cc: BROADCAST_TO and TILE. Output coordinate c reads input
// coordinate c mod in[d] in every dim (in has the output's rank).
struct RepeatPlan {
  Shape in, out;
  size_t element_size = 4;
};
Status repeat(PrepareContext& ctx);
Result<RepeatPlan> repeat_plan(PrepareContext& ctx);

// control_shapes.cc: IF's outputs, the branches' (which must agree).
Status if_outputs(PrepareContext& ctx);
Status cast(PrepareContext& ctx);
Status loop_outputs(PrepareContext& ctx);
Status while_outputs(PrepareContext& ctx);
Status scan_outputs(PrepareContext& ctx);

// recurrent_shapes.cc: LSTM, GRU, RNN (op_kind.h).
struct RecurrentGeometry {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0;
  int64_t dirs = 1, gates = 1;
};
Status recurrent(PrepareContext& ctx);
Result<RecurrentGeometry> recurrent_geometry(PrepareContext& ctx);
// TRILU: x's shape and dtype.
Status trilu(PrepareContext& ctx);

// TOPK: values and indices, x's shape with k along the axis. x as
// [outer, count, inner].
struct TopKGeometry {
  int64_t outer = 1, count = 0, inner = 1, k = 0;
};
Status top_k(PrepareContext& ctx);
Result<TopKGeometry> top_k_geometry(PrepareContext& ctx);

// cumsum_one_hot_shapes.cc: CUMSUM and ONE_HOT (op_kind.h).
// CUMSUM: x's shape and dtype. x as [outer, count, inner] along the axis;
// axis -1 when it comes at run time (the kernel reads and checks it).
struct CumSumGeometry {
  Shape shape;
  int axis = -1;
  bool axis_i64 = false;  // the axis input's dtype (else i32)
};
Status cumsum(PrepareContext& ctx);
Result<CumSumGeometry> cumsum_geometry(PrepareContext& ctx);
// ONE_HOT: indices as [outer, inner] around the axis, the output
// [outer, depth, inner], in the values' dtype.
struct OneHotGeometry {
  int64_t outer = 1, depth = 0, inner = 1;
};
Status one_hot(PrepareContext& ctx);
Result<OneHotGeometry> one_hot_geometry(PrepareContext& ctx);

// einsum_shapes.cc: EINSUM (einsum_plan.h parses the equation).
Status einsum(PrepareContext& ctx);

// slice_shapes.cc: SLICE (ONNX Slice; op_kind.h). Per axis of the data,
// the first index, the step and the count taken; the values the geometry
// was computed from, per operand position 1-4 (empty when absent).
struct OnnxSliceGeometry {
  Shape in_shape, out_shape;
  std::vector<int64_t> start, step;  // per data axis
};
Status slice(PrepareContext& ctx);
Result<OnnxSliceGeometry> onnx_slice_geometry(PrepareContext& ctx);
// The geometry for operand values (starts, ends, axes, steps; axes and
// steps may be empty) on data of `shape`; an error message when they are
// invalid (axis out of range or repeated, step 0, lengths that differ).
std::string onnx_slice_geometry_for(const Shape& shape, const std::vector<int64_t>& starts,
                                    const std::vector<int64_t>& ends,
                                    const std::vector<int64_t>& axes,
                                    const std::vector<int64_t>& steps, OnnxSliceGeometry* g);

// landmark_transform_shapes.cc: MediaPipe's LANDMARKS_TO_TRANSFORM_MATRIX,
// TRANSFORM_TENSOR_BILINEAR and TRANSFORM_LANDMARKS (op_kind.h).
Status landmarks_to_transform_matrix(PrepareContext& ctx);
Status transform_tensor_bilinear(PrepareContext& ctx);
Status transform_landmarks(PrepareContext& ctx);

// The broadcast plan behind binary (also PRELU's rule), for the f32 and int8
// binary kernels and PRELU.
Result<BroadcastPlan> binary_broadcast(PrepareContext& ctx);

// The rows behind SOFTMAX (same_as_input), over the last axis; a scalar is
// one row of one element.
struct SoftmaxRows {
  int64_t rows = 0, depth = 1;
};
Result<SoftmaxRows> softmax_rows(PrepareContext& ctx);

// spatial_shapes.cc: pools, MEAN and REDUCE_MAX, RESIZE_BILINEAR, RESIZE,
// DEPTH_TO_SPACE, PAD
Status pool2d(PrepareContext& ctx);
Status reduce(PrepareContext& ctx);
Status resize_bilinear(PrepareContext& ctx);
Status resize(PrepareContext& ctx);

// The geometry behind pool2d, for the pool kernels (f32, u8, int8) to
// precompute from: every check of the window (positive filter, stride and
// dilation; explicit pads in [0, dilated filter size); a window that fits;
// none wholly in the padding) is made here, once.
struct PoolWindow {
  int64_t out_h = 0, out_w = 0;
  std::vector<Span> rows, cols;  // the input taps of each output row / column
};
Result<PoolWindow> pool2d_window(PrepareContext& ctx);

// The axes behind reduce, for the MEAN / REDUCE_MAX kernels (f32, int8).
struct ReducedAxes {
  std::vector<bool> reduced;  // per input dim
  int64_t count = 1;          // input elements per output element
};
Result<ReducedAxes> reduce_axes(PrepareContext& ctx);
Status depth_to_space(PrepareContext& ctx);
Status pad(PrepareContext& ctx);

// movement_shapes.cc: RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE,
// CONCATENATION, STRIDED_SLICE, GATHER, GATHER_ELEMENTS, GATHER_ND
Status reshape(PrepareContext& ctx);
Status squeeze(PrepareContext& ctx);
Status expand_dims(PrepareContext& ctx);
Status transpose(PrepareContext& ctx);
Status concatenation(PrepareContext& ctx);
Status strided_slice(PrepareContext& ctx);
Status gather(PrepareContext& ctx);
Status gather_elements(PrepareContext& ctx);
Status gather_nd(PrepareContext& ctx);

// The index bounds behind gather, gather_elements and gather_nd (whose
// constant indices they check), for the kernels to check run-time indices.
Result<IndexBounds> gather_indexing(PrepareContext& ctx);
Result<IndexBounds> gather_elements_indexing(PrepareContext& ctx);
Result<IndexBounds> gather_nd_indexing(PrepareContext& ctx);

// Output 0 takes input 0's dtype, and its quantization when it has none
// (what the byte-moving kernels do; they also reject what they cannot move).
void forward_dtype(PrepareContext& ctx);
// Output 0 is f32 when input 0 is (the float kernels' rule).
void f32_if_f32(PrepareContext& ctx);
// Input i is present; kInvalidGraph naming it otherwise.
Status expect_present(const PrepareContext& ctx, int i);

}  // namespace opscope::shapes
