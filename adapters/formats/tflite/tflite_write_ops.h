// Internal to the TFLite writer: one canonical node -> one TFLite operator
// (operator code, builtin or custom options, input list).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"
#include "tflite_schema_generated.h"

namespace opscope::tflite {

// A node as TFLite writes it. Inputs are ids in the engine graph; -1 is an
// absent optional input; ids from `add_constant` are new tensors.
struct EncodedOp {
  fb::BuiltinOperator builtin = fb::BuiltinOperator::CUSTOM;
  std::string custom_code;  // CUSTOM only
  int32_t version = 1;      // the operator code's version (MediaPipe's ops are 2)
  fb::BuiltinOptions options_type = fb::BuiltinOptions::NONE;
  flatbuffers::Offset<void> options;
  std::vector<uint8_t> custom_options;
  std::vector<int> inputs;
};

// Makes a new constant int32 tensor for an op input that TFLite wants and
// the IR keeps in attributes (TRANSPOSE_CONV's output_shape); returns its
// id in the writer's tensor numbering of engine ids.
using AddInt32Constant =
    std::function<int(const std::string& name, const std::vector<int32_t>& values)>;

// Fills `out` for graph.nodes[node_index]. Options tables are built in
// `fbb`. Errors name the node (describe_node) and what TFLite lacks.
Status encode_op(const Graph& graph, int node_index,
                 flatbuffers::FlatBufferBuilder& fbb,
                 const AddInt32Constant& add_constant, EncodedOp& out);

}  // namespace opscope::tflite
