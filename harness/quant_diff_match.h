// Checks that two models are a float model and its int8 twin, and pairs
// their nodes for `opscope quant-diff`.
//
// Matching: an int8 model written by `opscope quantize` records, per node,
// the index of the float node it came from (TFLite metadata
// "opscope.source_indices", see adapters/formats/tflite/
// tflite_source_indices.h). Each int8 node with a source index is paired
// with the float node of that index. The float tensor it is compared with
// is the float tensor of the same name as the int8 node's output when there
// is one of the same size (a RELU fused into a convolution: the int8
// convolution writes the RELU's tensor, so it is compared with the float
// RELU's output, and that RELU is listed as fused into the pair), else the
// float node's own output. For int8 models produced elsewhere (no such
// metadata) nodes are paired by output tensor name instead, and the
// matching says so. Nodes inserted by quantization (QUANTIZE/DEQUANTIZE at
// float/int8 borders) have no float original and make no row.
#pragma once

#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"

namespace opscope::harness {

struct OpPair {
  int float_node = -1;   // index in the float graph
  int int8_node = -1;    // index in the int8 graph
  int float_tensor = -1;
  int int8_tensor = -1;  // dequantized before comparing when int8
  // Float nodes whose work the int8 node also does (fused activations).
  std::vector<int> fused_float_nodes;
};

struct OpMatching {
  bool by_source_index = true;  // false: matched by output tensor name
  std::vector<OpPair> pairs;    // in the int8 graph's execution order
  // Float nodes with no int8 counterpart, each with why ("node 3 'x'
  // (RELU): ...").
  std::vector<std::string> unmatched_float;
  std::vector<std::string> unmatched_int8;
  int inserted_int8_nodes = 0;  // int8 nodes with no float original
};

// True when the TFLite file at `path` carries opscope's source-index table.
// False for other formats and for files without it.
bool has_source_indices(const std::string& path);

// `float_path` / `int8_path` name the files in messages. Errors:
// kTypeMismatch when the float model holds quantized tensors or the int8
// model none; kShapeMismatch when their inputs differ in count, shape or
// kind (an int8 model input may be f32 or quantized int8).
Status check_model_pair(const Graph& float_graph, const std::string& float_path,
                        const Graph& int8_graph, const std::string& int8_path);

// Pairs the nodes. kInvalidArgument naming both files when no pair is found
// (the two models are not twins).
Result<OpMatching> match_ops(const Graph& float_graph, const std::string& float_path,
                             const Graph& int8_graph, const std::string& int8_path,
                             bool by_source_index);

}  // namespace opscope::harness
