#include "engine/transforms/fold_constant_dequantize.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "engine/backends/reference/kernels/half.h"

namespace opscope {

int fold_constant_dequantize(Graph& graph) {
  std::vector<char> is_graph_output(graph.tensors.size(), 0);
  for (int id : graph.outputs) is_graph_output[id] = 1;

  std::vector<Node> kept;
  kept.reserve(graph.nodes.size());
  int folded = 0;
  for (Node& node : graph.nodes) {
    const bool foldable =
        node.op == OpKind::kDequantize && node.inputs.size() == 1 &&
        node.outputs.size() == 1 && node.inputs[0] >= 0 &&
        graph.tensors[node.inputs[0]].is_constant() &&
        graph.tensors[node.inputs[0]].dtype == DType::kF16 &&
        !is_graph_output[node.outputs[0]];
    if (!foldable) {
      kept.push_back(std::move(node));
      continue;
    }
    const Tensor& in = graph.tensors[node.inputs[0]];
    Tensor& out = graph.tensors[node.outputs[0]];
    const int64_t n = in.elements();
    std::vector<uint8_t> bytes(static_cast<size_t>(n) * sizeof(float));
    for (int64_t i = 0; i < n; ++i) {
      uint16_t h;
      std::memcpy(&h, in.data + i * 2, 2);
      const float f = reference::half_to_float(h);
      std::memcpy(bytes.data() + i * 4, &f, 4);
    }
    out.dtype = DType::kF32;
    out.shape = in.shape;
    out.role = TensorRole::kConstant;
    out.set_owned_data(std::move(bytes));
    ++folded;
  }
  graph.nodes = std::move(kept);
  return folded;
}

}  // namespace opscope
