// Writes the engine's Graph (float, int8 or mixed) as a TFLite model file
// (FlatBuffers "TFL3", one subgraph), readable by our reader and by TFLite's
// runtimes (LiteRT).
//
// Contract:
// - Only tensors that a node or the graph's inputs/outputs use are written
//   (a graph after fold_constant_dequantize keeps its f16 originals unused);
//   tensor ids are renumbered in their original order.
// - Every constant gets its own buffer (16-byte aligned); buffer 0 is the
//   format's empty buffer.
// - Quantization is written as it is in the IR: scales, zero points and,
//   for per-channel tensors, quantized_dimension = axis.
// - Nodes are written in the graph's order, each in TFLite's own form
//   (op_kind.h's canonical forms are TFLite's except TRANSPOSE_CONV, whose
//   output_shape input is recreated, and RESHAPE, whose new shape goes into
//   its options). Trailing absent optional inputs are dropped.
// - What TFLite cannot express is an error that names the node: kUnknown
//   ops, explicit (ONNX-style) pads that are not all zero, a custom
//   Convolution2DTransposeBias with a fused activation.
// - Nothing here throws or aborts; a graph over 2 GB is kResourceExhausted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"

namespace opscope::tflite {

struct WriteOptions {
  // Model.description.
  std::string description = "written by opscope";
};

// The model's bytes.
Result<std::vector<uint8_t>> write_tflite_buffer(const Graph& graph,
                                                 const WriteOptions& options = {});

// Writes the bytes to `path` (replaced if it exists). kIoError names the
// path when the file cannot be written.
Status write_tflite_file(const Graph& graph, const std::string& path,
                         const WriteOptions& options = {});

}  // namespace opscope::tflite
