#include "engine/transforms/quantize/fuse_activations.h"

#include <vector>

namespace opscope {

namespace {

// The producer's fused-activation field, or null when it has none the
// formats can carry.
Activation* fused_activation(Node& node) {
  switch (node.op) {
    case OpKind::kConv2D: return &std::get<Conv2DAttrs>(node.attrs).activation;
    case OpKind::kDepthwiseConv2D:
      return &std::get<DepthwiseConv2DAttrs>(node.attrs).activation;
    case OpKind::kFullyConnected:
      return &std::get<FullyConnectedAttrs>(node.attrs).activation;
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
      if (!std::holds_alternative<ActivationAttrs>(node.attrs)) node.attrs = ActivationAttrs{};
      return &std::get<ActivationAttrs>(node.attrs).activation;
    case OpKind::kAveragePool2D:
    case OpKind::kMaxPool2D: return &std::get<Pool2DAttrs>(node.attrs).activation;
    default: return nullptr;
  }
}

}  // namespace

int fuse_activations(Graph& graph) {
  const int num_tensors = static_cast<int>(graph.tensors.size());
  std::vector<int> uses(num_tensors, 0);
  std::vector<int> producer(num_tensors, -1);
  for (int i = 0; i < static_cast<int>(graph.nodes.size()); ++i) {
    for (int id : graph.nodes[i].inputs) {
      if (id >= 0) ++uses[id];
    }
    for (int id : graph.nodes[i].outputs) producer[id] = i;
  }
  for (int id : graph.outputs) ++uses[id];

  std::vector<bool> removed(graph.nodes.size(), false);
  int folded = 0;
  for (int i = 0; i < static_cast<int>(graph.nodes.size()); ++i) {
    Node& act = graph.nodes[i];
    if (act.op != OpKind::kRelu && act.op != OpKind::kRelu6) continue;
    if (act.inputs.size() != 1 || act.inputs[0] < 0 || act.outputs.size() != 1) continue;
    const int mid = act.inputs[0];
    const int p = producer[mid];
    if (p < 0 || uses[mid] != 1 || graph.nodes[p].outputs.size() != 1) continue;
    Node& prod = graph.nodes[p];
    if (graph.tensors[mid].dtype != DType::kF32) continue;
    Activation* a = fused_activation(prod);
    if (a == nullptr || *a != Activation::kNone) continue;
    *a = act.op == OpKind::kRelu ? Activation::kRelu : Activation::kRelu6;
    prod.outputs[0] = act.outputs[0];
    producer[act.outputs[0]] = p;
    removed[i] = true;
    ++folded;
  }
  if (folded == 0) return 0;
  std::vector<Node> kept;
  kept.reserve(graph.nodes.size() - folded);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (!removed[i]) kept.push_back(std::move(graph.nodes[i]));
  }
  graph.nodes = std::move(kept);
  return folded;
}

}  // namespace opscope
