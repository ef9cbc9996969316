// Internal to the TFLite reader: translation of one operator into the
// engine's canonical node form (engine/op_kind.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/formats/tflite/tflite_read_context.h"

namespace opscope::tflite {

// What a translation step sees of one operator. `node` arrives with
// type_name, name, source_index and the file's inputs/outputs (indices
// already range-checked; -1 marks an absent optional input).
struct OpContext {
  const ReadContext& ctx;
  const fb::Operator& op;
  int32_t builtin_code;  // resolved code (CUSTOM for custom ops)
  int32_t version = 1;   // the operator code's version (custom ops differ by it)
};

// Sets node.op and node.attrs, reordering inputs where the canonical form
// differs from TFLite's. Ops without an OpKind become kUnknown.
Status translate_builtin(const OpContext& c, Node& node);

// The same for CUSTOM ops, keyed by their custom_code.
Status translate_custom(const OpContext& c, Node& node);

// IF and WHILE (tflite_control_flow.cc): kIf / kWhile with the subgraphs
// they run read as models of their own (ctx.subgraphs), their arity
// checked against the node's.
Status translate_if(const OpContext& c, Node& node);
Status translate_while(const OpContext& c, Node& node);

// CALL_ONCE (tflite_control_flow.cc): reads and checks its init subgraph,
// which must take no inputs and give no outputs; the caller then drops the
// node (it has no effect the engine could observe) and notes it.
Status check_call_once(const OpContext& c, const Node& node);

// UNIDIRECTIONAL_SEQUENCE_LSTM, BIDIRECTIONAL_SEQUENCE_LSTM and
// UNIDIRECTIONAL_SEQUENCE_RNN (tflite_ops_recurrent.cc) become several engine
// nodes and new constants: translate_sequence_recurrent appends them to
// c.ctx.graph itself (all with the operator's source index).
bool is_sequence_recurrent(int32_t builtin_code);
Status translate_sequence_recurrent(const OpContext& c, Node node);

// "node 12 'conv2d_3' (CONV_2D)", as describe_node() words it.
std::string node_label(const Node& node);

// A status whose message starts with node_label(node).
Status node_error(const Node& node, ErrorCode code, const std::string& what);

// Checks the input count is in [min_inputs, max_inputs], the first
// min_inputs are present (not -1) and there is exactly one output.
Status check_arity(const Node& node, int min_inputs, int max_inputs);

// The values of a constant rank-0/1 INT32 or INT64 tensor; false when
// `id` is absent, not constant, of another type or short of data.
bool constant_ints(const Graph& graph, int id, std::vector<int64_t>& out);

}  // namespace opscope::tflite
