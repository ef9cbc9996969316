// The shape rules of each op family, behind infer_shapes (shape_inference.h).
// Each takes the node's PrepareContext (for its inputs, attributes and
// node-naming errors) and sets output 0's shape.
#pragma once

#include "engine/kernel.h"

namespace opscope::shapes {

// linear_shapes.cc: CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV,
// FULLY_CONNECTED, BATCH_MATMUL
Status conv2d(PrepareContext& ctx);
Status depthwise_conv2d(PrepareContext& ctx);
Status transpose_conv(PrepareContext& ctx);
Status fully_connected(PrepareContext& ctx);
Status batch_matmul(PrepareContext& ctx);

// elementwise_shapes.cc: binary ops with broadcasting, unary ops, SOFTMAX,
// QUANTIZE, DEQUANTIZE
Status binary(PrepareContext& ctx);
Status same_as_input(PrepareContext& ctx);

// spatial_shapes.cc: pools, MEAN and REDUCE_MAX, RESIZE_BILINEAR, RESIZE,
// DEPTH_TO_SPACE, PAD
Status pool2d(PrepareContext& ctx);
Status reduce(PrepareContext& ctx);
Status resize_bilinear(PrepareContext& ctx);
Status resize(PrepareContext& ctx);
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

// Output 0 takes input 0's dtype, and its quantization when it has none
// (what the byte-moving kernels do; they also reject what they cannot move).
void forward_dtype(PrepareContext& ctx);
// Output 0 is f32 when input 0 is (the float kernels' rule).
void f32_if_f32(PrepareContext& ctx);
// Input i is present; kInvalidGraph naming it otherwise.
Status expect_present(const PrepareContext& ctx, int i);

}  // namespace opscope::shapes
