#include "engine/graph.h"

#include <string>
#include <vector>

namespace opscope {

std::string_view to_string(ModelFormat format) {
  return format == ModelFormat::kTflite ? "tflite" : "onnx";
}

std::string_view to_string(Precision precision) {
  switch (precision) {
    case Precision::kF32: return "f32";
    case Precision::kF16: return "f16";
    case Precision::kInt8: return "int8";
    case Precision::kMixed: return "mixed";
  }
  return "?";
}

std::string describe_node(const Graph& graph, int node_index) {
  if (node_index < 0 || node_index >= static_cast<int>(graph.nodes.size())) {
    return "node " + std::to_string(node_index);
  }
  const Node& n = graph.nodes[node_index];
  std::string s = "node " + std::to_string(n.source_index >= 0 ? n.source_index
                                                               : node_index);
  if (!n.name.empty()) s += " '" + n.name + "'";
  s += " (" + (n.type_name.empty() ? std::string(to_string(n.op)) : n.type_name) + ")";
  return s;
}

namespace {

Status node_error(const Graph& g, int i, std::string reason) {
  return Status(ErrorCode::kInvalidGraph, describe_node(g, i) + ": " + reason);
}

}  // namespace

Status validate_graph(const Graph& graph) {
  const int num_tensors = static_cast<int>(graph.tensors.size());
  std::vector<char> available(num_tensors, 0);

  for (int t = 0; t < num_tensors; ++t) {
    const Tensor& tensor = graph.tensors[t];
    for (int64_t d : tensor.shape) {
      if (d < 0) {
        return Status(ErrorCode::kInvalidGraph,
                      "tensor " + std::to_string(t) + " '" + tensor.name +
                          "' has a negative dimension " +
                          shape_to_string(tensor.shape));
      }
    }
    if (tensor.is_constant()) {
      if (tensor.data == nullptr && tensor.bytes() > 0) {
        return Status(ErrorCode::kInvalidGraph,
                      "constant tensor " + std::to_string(t) + " '" +
                          tensor.name + "' has no data");
      }
      if (tensor.data_bytes < tensor.bytes()) {
        return Status(ErrorCode::kInvalidGraph,
                      "constant tensor " + std::to_string(t) + " '" +
                          tensor.name + "' has " +
                          std::to_string(tensor.data_bytes) +
                          " bytes, its shape " + shape_to_string(tensor.shape) +
                          " needs " + std::to_string(tensor.bytes()));
      }
      available[t] = 1;
    }
  }
  for (int id : graph.inputs) {
    if (id < 0 || id >= num_tensors) {
      return Status(ErrorCode::kInvalidGraph,
                    "graph input refers to tensor " + std::to_string(id) +
                        ", out of range [0, " + std::to_string(num_tensors) +
                        ")");
    }
    available[id] = 1;
  }
  std::vector<char> produced(num_tensors, 0);
  for (int i = 0; i < static_cast<int>(graph.nodes.size()); ++i) {
    const Node& node = graph.nodes[i];
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      const int id = node.inputs[k];
      if (id == -1) continue;
      if (id < 0 || id >= num_tensors) {
        return node_error(graph, i,
                          "input " + std::to_string(k) + " refers to tensor " +
                              std::to_string(id) + ", out of range [0, " +
                              std::to_string(num_tensors) + ")");
      }
      if (!available[id]) {
        return node_error(graph, i,
                          "input " + std::to_string(k) + " (tensor " +
                              std::to_string(id) + " '" +
                              graph.tensors[id].name +
                              "') is not produced before use (cycle or "
                              "nodes out of order)");
      }
    }
    if (node.outputs.empty()) return node_error(graph, i, "has no outputs");
    for (size_t k = 0; k < node.outputs.size(); ++k) {
      const int id = node.outputs[k];
      if (id < 0 || id >= num_tensors) {
        return node_error(graph, i,
                          "output " + std::to_string(k) + " refers to tensor " +
                              std::to_string(id) + ", out of range [0, " +
                              std::to_string(num_tensors) + ")");
      }
      if (produced[id] || graph.tensors[id].is_constant()) {
        return node_error(graph, i,
                          "output tensor " + std::to_string(id) + " '" +
                              graph.tensors[id].name +
                              "' is written twice or is a constant");
      }
      produced[id] = 1;
      available[id] = 1;
    }
  }
  for (int id : graph.outputs) {
    if (id < 0 || id >= num_tensors) {
      return Status(ErrorCode::kInvalidGraph,
                    "graph output refers to tensor " + std::to_string(id) +
                        ", out of range [0, " + std::to_string(num_tensors) +
                        ")");
    }
    if (!available[id]) {
      return Status(ErrorCode::kInvalidGraph,
                    "graph output tensor " + std::to_string(id) + " '" +
                        graph.tensors[id].name + "' is never produced");
    }
  }
  return Status::ok();
}

}  // namespace opscope
