// Step 2 of the reader: operators -> nodes, with index checks; DENSIFY of a
// constant folded, CALL_ONCE dropped.
#include <string>
#include <utility>
#include <vector>

#include "adapters/formats/tflite/tflite_op_map.h"

namespace opscope::tflite {

namespace {

Status read_tensor_ids(const Node& node, const flatbuffers::Vector<int32_t>* ids,
                       int num_tensors, bool allow_absent, const char* what,
                       std::vector<int>& out) {
  out.clear();
  if (ids == nullptr) return Status::ok();
  out.reserve(ids->size());
  for (uint32_t k = 0; k < ids->size(); ++k) {
    const int32_t id = ids->Get(k);
    const bool absent = allow_absent && id == -1;
    if (!absent && (id < 0 || id >= num_tensors)) {
      return node_error(node, ErrorCode::kInvalidGraph,
                        std::string(what) + " " + std::to_string(k) +
                            " refers to tensor " + std::to_string(id) +
                            ", out of range [0, " +
                            std::to_string(num_tensors) + ")");
    }
    out.push_back(id);
  }
  return Status::ok();
}

// DENSIFY of a constant (sparse weights, already expanded by the tensor
// step) is folded away: its output becomes the same constant. Returns
// false when the node is not such a DENSIFY.
bool fold_densify(Graph& graph, const Node& node) {
  if (node.inputs.size() != 1 || node.outputs.size() != 1 ||
      node.inputs[0] < 0) {
    return false;
  }
  const Tensor& in = graph.tensors[node.inputs[0]];
  Tensor& out = graph.tensors[node.outputs[0]];
  if (!in.is_constant() || out.role == TensorRole::kInput ||
      out.is_constant() || in.dtype != out.dtype || in.shape != out.shape) {
    return false;
  }
  out.role = TensorRole::kConstant;
  out.data = in.data;
  out.data_bytes = in.data_bytes;
  out.owned_data = in.owned_data;
  return true;
}

}  // namespace

Status read_operators(const ReadContext& ctx) {
  Graph& graph = *ctx.graph;
  const auto* ops = ctx.subgraph->operators();
  const auto* codes = ctx.model->operator_codes();
  const uint32_t num_codes = codes == nullptr ? 0 : codes->size();
  const int num_tensors = static_cast<int>(graph.tensors.size());
  const int num_ops = ops == nullptr ? 0 : static_cast<int>(ops->size());
  graph.nodes.clear();
  graph.nodes.reserve(num_ops);

  for (int i = 0; i < num_ops; ++i) {
    const fb::Operator& op = *ops->Get(i);
    Node node;
    node.source_index = i;

    const uint32_t code_index = op.opcode_index();
    if (code_index >= num_codes) {
      return Status(ErrorCode::kInvalidGraph,
                    "node " + std::to_string(i) + ": opcode_index " +
                        std::to_string(code_index) + " out of range [0, " +
                        std::to_string(num_codes) + ")");
    }
    const fb::OperatorCode& code = *codes->Get(code_index);
    const int32_t builtin = resolve_builtin_code(code);
    const bool custom =
        builtin == static_cast<int32_t>(fb::BuiltinOperator::CUSTOM);
    if (custom) {
      node.type_name = code.custom_code() != nullptr &&
                               code.custom_code()->size() > 0
                           ? code.custom_code()->str()
                           : "CUSTOM";
    } else {
      node.type_name = builtin_name(builtin);
    }

    OPSCOPE_RETURN_IF_ERROR(read_tensor_ids(node, op.outputs(), num_tensors,
                                            /*allow_absent=*/false, "output",
                                            node.outputs));
    if (!node.outputs.empty()) node.name = graph.tensors[node.outputs[0]].name;
    OPSCOPE_RETURN_IF_ERROR(read_tensor_ids(node, op.inputs(), num_tensors,
                                            /*allow_absent=*/true, "input",
                                            node.inputs));

    if (builtin == static_cast<int32_t>(fb::BuiltinOperator::DENSIFY) &&
        fold_densify(graph, node)) {
      ++ctx.info->folded_nodes;
      continue;
    }
    const OpContext op_ctx{ctx, op, builtin, code.version()};
    if (builtin == static_cast<int32_t>(fb::BuiltinOperator::CALL_ONCE)) {
      OPSCOPE_RETURN_IF_ERROR(check_call_once(op_ctx, node));
      ++ctx.info->folded_nodes;
      ctx.notes->messages.push_back(
          "subgraph " + std::to_string(ctx.subgraph_index) + ": " + node_label(node) +
          " dropped: its init subgraph " +
          std::to_string(op.builtin_options_as_CallOnceOptions()->init_subgraph_index()) +
          " takes and gives nothing, so running it once has no effect the engine could "
          "observe");
      continue;
    }
    if (!custom && is_sequence_recurrent(builtin)) {
      OPSCOPE_RETURN_IF_ERROR(translate_sequence_recurrent(op_ctx, std::move(node)));
      continue;
    }
    OPSCOPE_RETURN_IF_ERROR(custom ? translate_custom(op_ctx, node)
                                   : translate_builtin(op_ctx, node));
    graph.nodes.push_back(std::move(node));
  }

  // validate_graph does not forbid writing a graph input; a caller's data
  // would be overwritten, so reject it here.
  for (const Node& node : graph.nodes) {
    for (int id : node.outputs) {
      if (graph.tensors[id].role == TensorRole::kInput) {
        return node_error(node, ErrorCode::kInvalidGraph,
                          "writes graph input tensor " + std::to_string(id) +
                              " '" + graph.tensors[id].name + "'");
      }
    }
  }
  return Status::ok();
}

// The format's rule: the byte-sized deprecated field holds codes below
// 127; larger codes live in builtin_code. Old files fill only the former.
int32_t resolve_builtin_code(const fb::OperatorCode& code) {
  const int32_t deprecated = code.deprecated_builtin_code();
  const int32_t current = static_cast<int32_t>(code.builtin_code());
  return deprecated > current ? deprecated : current;
}

std::string builtin_name(int32_t code) {
  const char* name =
      fb::EnumNameBuiltinOperator(static_cast<fb::BuiltinOperator>(code));
  if (name != nullptr && name[0] != '\0') return name;
  return "BUILTIN_" + std::to_string(code);
}

}  // namespace opscope::tflite
