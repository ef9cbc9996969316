#include "engine/value_operands.h"

#include <cstring>

namespace opscope {

std::vector<int> value_operand_positions(const Node& node) {
  switch (node.op) {
    case OpKind::kSlice: return {1, 2, 3, 4};  // starts, ends, axes, steps
    case OpKind::kTile: return {1};                // multiples (ONNX's repeats)
    case OpKind::kBroadcastTo: return {1};         // shape (ONNX Expand's)
    case OpKind::kPad: return {1};                 // paddings (ONNX Pad's pads)
    default: return {};
  }
}

std::vector<int> runtime_value_operands(const Graph& graph, const Node& node) {
  std::vector<int> ids;
  for (int pos : value_operand_positions(node)) {
    if (pos >= static_cast<int>(node.inputs.size())) continue;
    const int id = node.inputs[static_cast<size_t>(pos)];
    if (id >= 0 && !graph.tensors[static_cast<size_t>(id)].is_constant()) ids.push_back(id);
  }
  return ids;
}

void read_int_buffer_into(const Tensor& tensor, const void* data, std::vector<int64_t>* out) {
  const int64_t n = tensor.elements();
  out->resize(static_cast<size_t>(n > 0 ? n : 0));
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (size_t k = 0; k < out->size(); ++k) {
    if (tensor.dtype == DType::kI32) {
      int32_t v;
      std::memcpy(&v, bytes + k * sizeof(v), sizeof(v));
      (*out)[k] = v;
    } else {
      std::memcpy(&(*out)[k], bytes + k * sizeof(int64_t), sizeof(int64_t));
    }
  }
}

std::vector<int64_t> read_int_buffer(const Tensor& tensor, const void* data) {
  std::vector<int64_t> values;
  read_int_buffer_into(tensor, data, &values);
  return values;
}

void write_int_buffer(const Tensor& tensor, const std::vector<int64_t>& values, void* data) {
  auto* bytes = static_cast<uint8_t*>(data);
  for (size_t k = 0; k < values.size(); ++k) {
    if (tensor.dtype == DType::kI32) {
      const auto v = static_cast<int32_t>(values[k]);
      std::memcpy(bytes + k * sizeof(v), &v, sizeof(v));
    } else {
      std::memcpy(bytes + k * sizeof(int64_t), &values[k], sizeof(int64_t));
    }
  }
}

}  // namespace opscope
