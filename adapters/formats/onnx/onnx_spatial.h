// Internal to the ONNX reader: the sliding windows of Conv, ConvTranspose,
// MaxPool and AveragePool over 1, 2 or 3 spatial dims, and the lifting of
// 1D (NCW) values onto the engine's 2D NHWC ops.
//
// 1D runs as 2D with H = 1: a channels-last [N, W, C] value is reshaped to
// [N, 1, W, C], the 2D op gets a 1xK window (stride, pads and dilation on W
// only), and its [N, 1, W', C'] output is reshaped back to [N, W', C'].
// Reshapes of reshapes collapse, so a chain of 1D ops has no reshape
// between its ops.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_import.h"

namespace opscope::onnx {

// One spatial axis of a window, resolved against the input.
struct WindowAxis {
  int64_t k = 1;  // taps
  int stride = 1;
  int dilation = 1;
  int pad_begin = 0;
  int pad_end = 0;
};

// Reads the current node's kernel_shape, strides, dilations, pads and
// auto_pad for spatial input dims `in` (D, H, W order, as ONNX). `kernel`
// holds each axis' taps from the weights, or is empty when the window comes
// from kernel_shape alone (pools); kernel_shape must agree with it. Errors
// name the node and the attribute.
Result<std::vector<WindowAxis>> read_window(Importer& im, const std::vector<int64_t>& in,
                                            const std::vector<int64_t>& kernel);

// ceil_mode for one pool axis: the least extra end padding that makes the
// floor formula give the ceil size (the last window must start inside the
// input or its begin padding, as ONNX says). The padded cells never count.
void apply_ceil_mode(WindowAxis& axis, int64_t in);

// Engine 2D attributes of an H and a W axis.
Pads2D pads_2d(const WindowAxis& h, const WindowAxis& w);

// Input 0 of the current node, channels-last, lifted to rank 4 when it is
// 1D: returns the engine tensor ([N, H, W, C]) and sets `onnx_shape` to the
// input's ONNX shape. Ranks other than `ranks` fail naming the input.
struct SpatialInput {
  int tensor = -1;      // channels-last, rank 4 for 1D and 2D inputs
  Shape onnx_shape;     // as ONNX: N, C, spatial...
  int spatial_rank = 0; // 1, 2 or 3
};
Result<SpatialInput> spatial_input(Importer& im, std::initializer_list<int> spatial_ranks);

// Emits the 2D `op` for a node whose input was `spatial_rank`-D and
// defines ONNX output 0, channels-last: for 2D the op's output is the
// value; for 1D it is reshaped from [N, 1, W, C] to [N, W, C].
Status emit_spatial_output(Importer& im, OpKind op, Attributes attrs, std::vector<int> inputs,
                           int spatial_rank);

// A constant weight tensor [O, I, K] seen as [O, I, 1, K] (same bytes);
// rank-4 weights are returned as they are.
Result<int> weights_as_2d(Importer& im, int weights);

}  // namespace opscope::onnx
