#include "engine/transforms/qdq/fuse_qdq.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/transforms/qdq/qdq_weights.h"

namespace opscope {

namespace {

// Producers and readers of every tensor among the live nodes. Rebuilt after
// each rewrite: graphs have hundreds of nodes, and a stale view is the bug
// this transform must not have.
struct Links {
  std::vector<int> producer;
  std::vector<std::vector<int>> readers;
  std::vector<char> is_graph_input, is_graph_output;
};

struct Work {
  Graph& g;
  std::vector<char> dead;  // per node
  std::vector<char> was_uint8;  // per tensor: uint8 in the file (step 1)
  Links links;
  QdqFusionStats stats;

  void relink() {
    links.producer.assign(g.tensors.size(), -1);
    links.readers.assign(g.tensors.size(), {});
    links.is_graph_input.assign(g.tensors.size(), 0);
    links.is_graph_output.assign(g.tensors.size(), 0);
    for (int id : g.inputs) links.is_graph_input[id] = 1;
    for (int id : g.outputs) links.is_graph_output[id] = 1;
    for (int i = 0; i < static_cast<int>(g.nodes.size()); ++i) {
      if (dead[i]) continue;
      for (int id : g.nodes[i].outputs) links.producer[id] = i;
      for (int id : g.nodes[i].inputs) {
        if (id >= 0) links.readers[id].push_back(i);
      }
    }
  }
  // The live node producing `tensor` when it has op `op`, else -1.
  int producer_with(int tensor, OpKind op) const {
    const int p = tensor >= 0 ? links.producer[tensor] : -1;
    return p >= 0 && g.nodes[p].op == op ? p : -1;
  }
  void insert_after(int index, Node node) {
    g.nodes.insert(g.nodes.begin() + index + 1, std::move(node));
    dead.insert(dead.begin() + index + 1, 0);
  }
};

bool int8_per_tensor(const Tensor& t) {
  return t.dtype == DType::kI8 && t.quantization.scales.size() == 1;
}

bool same_params(const Tensor& a, const Tensor& b) {
  return a.quantization.scales == b.quantization.scales &&
         a.quantization.zero_points == b.quantization.zero_points;
}

// `to` covers `from` (its source index and what it covered).
void absorb(Node& to, const Node& from) {
  auto add = [&](int s) {
    if (s >= 0 && s != to.source_index &&
        std::find(to.fused_sources.begin(), to.fused_sources.end(), s) == to.fused_sources.end()) {
      to.fused_sources.push_back(s);
    }
  };
  add(from.source_index);
  for (int s : from.fused_sources) add(s);
}

std::string label(const Node& n) {
  return (n.type_name.empty() ? std::string(to_string(n.op)) : n.type_name) + " '" + n.name + "'";
}

// 1. uint8 activations between a QUANTIZE and DEQUANTIZE nodes become int8,
// zero point - 128.
void uint8_to_int8(Work& w) {
  w.was_uint8.assign(w.g.tensors.size(), 0);
  for (int id = 0; id < static_cast<int>(w.g.tensors.size()); ++id) {
    Tensor& t = w.g.tensors[id];
    if (t.dtype != DType::kU8 || t.is_constant() || t.quantization.empty() ||
        w.links.is_graph_input[id] || w.links.is_graph_output[id] ||
        w.producer_with(id, OpKind::kQuantize) < 0) {
      continue;
    }
    bool all_dq = true;
    for (int r : w.links.readers[id]) all_dq = all_dq && w.g.nodes[r].op == OpKind::kDequantize;
    if (!all_dq) continue;
    t.dtype = DType::kI8;
    for (int64_t& zp : t.quantization.zero_points) zp -= 128;
    w.was_uint8[id] = 1;
  }
}

// 2. DEQUANTIZE -> TRANSPOSE / RESHAPE becomes TRANSPOSE / RESHAPE (int8)
// -> DEQUANTIZE: layout moves (the importer's to_nhwc, Flatten) then sit
// inside int8 regions instead of between a DEQUANTIZE and its op.
void move_dequantize_down(Work& w) {
  for (int i = 0; i < static_cast<int>(w.g.nodes.size()); ++i) {
    if (w.dead[i]) continue;
    const OpKind op = w.g.nodes[i].op;
    if (op != OpKind::kTranspose && op != OpKind::kReshape) continue;
    if (w.g.nodes[i].outputs.size() != 1 || w.g.nodes[i].inputs.empty()) continue;
    const int d = w.producer_with(w.g.nodes[i].inputs[0], OpKind::kDequantize);
    if (d < 0) continue;
    const int q = w.g.nodes[d].inputs[0];
    if (!int8_per_tensor(w.g.tensors[q])) continue;
    const int out = w.g.nodes[i].outputs[0];
    Tensor moved;
    moved.name = w.g.tensors[out].name + "/int8";
    moved.dtype = DType::kI8;
    moved.shape = w.g.tensors[out].shape;
    moved.quantization = w.g.tensors[q].quantization;
    const int moved_id = w.g.add_tensor(std::move(moved));
    Node dq = w.g.nodes[d];  // the same file node, now after the move
    dq.inputs = {moved_id};
    dq.outputs = {out};
    w.g.nodes[i].inputs[0] = q;
    w.g.nodes[i].outputs[0] = moved_id;
    w.insert_after(i, std::move(dq));
    w.relink();
  }
}

enum class Kind { kNone, kConvLike, kBinary, kSameParams, kFree, kConcat };

Kind kind_of(OpKind op) {
  switch (op) {
    case OpKind::kConv2D:
    case OpKind::kDepthwiseConv2D:
    case OpKind::kFullyConnected: return Kind::kConvLike;
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul: return Kind::kBinary;
    case OpKind::kMaxPool2D:
    case OpKind::kAveragePool2D:
    case OpKind::kResizeBilinear: return Kind::kSameParams;
    case OpKind::kMean:
    case OpKind::kHardSwish:
    case OpKind::kLogistic:
    case OpKind::kSoftmax: return Kind::kFree;
    case OpKind::kConcatenation: return Kind::kConcat;
    default: return Kind::kNone;
  }
}

// Whether the int8 kernels of `op` implement ONNX Runtime's rounding
// (Requantization::kFloat, graph.h).
bool rounds_as_ort(OpKind op) {
  switch (op) {
    case OpKind::kConv2D:
    case OpKind::kDepthwiseConv2D:
    case OpKind::kFullyConnected:
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kMean:
    case OpKind::kHardSwish:
    case OpKind::kLogistic: return true;
    default: return false;
  }
}

// The op's fused activation, or nullptr when it has none.
Activation* fused_activation(Node& n) {
  if (auto* a = std::get_if<Conv2DAttrs>(&n.attrs)) return &a->activation;
  if (auto* a = std::get_if<DepthwiseConv2DAttrs>(&n.attrs)) return &a->activation;
  if (auto* a = std::get_if<FullyConnectedAttrs>(&n.attrs)) return &a->activation;
  if (auto* a = std::get_if<Pool2DAttrs>(&n.attrs)) return &a->activation;
  if (n.op == OpKind::kAdd || n.op == OpKind::kSub || n.op == OpKind::kMul) {
    if (std::holds_alternative<std::monostate>(n.attrs)) n.attrs = ActivationAttrs{};
    if (auto* a = std::get_if<ActivationAttrs>(&n.attrs)) return &a->activation;
  }
  return nullptr;
}

// 3. One candidate op. Returns "" when fused, else why not.
std::string try_fuse(Work& w, int i) {
  Graph& g = w.g;
  const Kind kind = kind_of(g.nodes[i].op);
  if (g.nodes[i].outputs.size() != 1) return "has more than one output";
  std::vector<int> act_inputs;
  if (kind == Kind::kBinary) act_inputs = {0, 1};
  else if (kind == Kind::kConcat) {
    for (int k = 0; k < static_cast<int>(g.nodes[i].inputs.size()); ++k) act_inputs.push_back(k);
  } else {
    act_inputs = {0};
  }
  // Inputs: each read through a DEQUANTIZE of a per-tensor int8 tensor.
  std::vector<int> dqs;
  for (int k : act_inputs) {
    const int x = k < static_cast<int>(g.nodes[i].inputs.size()) ? g.nodes[i].inputs[k] : -1;
    if (x < 0) return "input " + std::to_string(k) + " is absent";
    if (g.tensors[x].is_constant()) return "input " + std::to_string(k) + " is a constant";
    const int d = w.producer_with(x, OpKind::kDequantize);
    if (d < 0) return "input " + std::to_string(k) + " does not come from a DequantizeLinear";
    if (!int8_per_tensor(g.tensors[g.nodes[d].inputs[0]])) {
      return "input " + std::to_string(k) + " is dequantized from a tensor that is not "
             "per-tensor int8/uint8";
    }
    dqs.push_back(d);
  }
  // Output: read only by a QUANTIZE, or by a RELU/RELU6 read only by one.
  int y = g.nodes[i].outputs[0];
  if (w.links.is_graph_output[y]) return "its output is a graph output";
  if (w.links.readers[y].size() != 1) {
    return "its output has " + std::to_string(w.links.readers[y].size()) +
           " readers (a QuantizeLinear must be the only one)";
  }
  int act_node = -1;
  int q = w.links.readers[y][0];
  const OpKind rop = g.nodes[q].op;
  if (rop == OpKind::kRelu || rop == OpKind::kRelu6) {
    Activation* a = fused_activation(g.nodes[i]);
    if (a == nullptr || *a != Activation::kNone) {
      return "is followed by a " + std::string(to_string(rop)) + " it cannot fuse";
    }
    act_node = q;
    y = g.nodes[q].outputs[0];
    if (w.links.is_graph_output[y] || w.links.readers[y].size() != 1) {
      return "its activation's output is not read by one QuantizeLinear only";
    }
    q = w.links.readers[y][0];
  }
  if (g.nodes[q].op != OpKind::kQuantize) {
    return "its output goes to " + label(g.nodes[q]) + ", not to a QuantizeLinear";
  }
  const int q_out = g.nodes[q].outputs[0];
  if (!int8_per_tensor(g.tensors[q_out])) {
    return "its QuantizeLinear writes " + std::string(to_string(g.tensors[q_out].dtype)) +
           (g.tensors[q_out].quantization.scales.size() > 1 ? " per channel" : "") +
           ", not per-tensor int8 (a uint8 graph output stays uint8)";
  }
  const int in0 = g.nodes[dqs[0]].inputs[0];
  // Weights and bias of conv-like ops.
  int weights = -1, bias = -1;
  if (kind == Kind::kConvLike) {
    const Node& n = g.nodes[i];
    if (n.inputs.size() < 2 || n.inputs[1] < 0) return "has no weights";
    const int filter = n.inputs[1];
    const Shape& fs = g.tensors[filter].shape;
    const int axis = n.op == OpKind::kDepthwiseConv2D ? static_cast<int>(fs.size()) - 1 : 0;
    if (fs.empty()) return "has scalar weights";
    std::vector<float> scales;
    const qdq::ConstantResult wr = qdq::int8_weights(g, filter, axis, fs[axis], &scales);
    if (wr.tensor < 0) return wr.why;
    weights = wr.tensor;
    const int b = g.nodes[i].inputs.size() > 2 ? g.nodes[i].inputs[2] : -1;
    const qdq::ConstantResult br =
        qdq::int32_bias(g, b, g.tensors[in0].quantization.scales[0], scales);
    if (b >= 0 && br.tensor < 0) return br.why;
    bias = br.tensor;
  }
  // Rewrite.
  Node& n = g.nodes[i];
  for (size_t k = 0; k < act_inputs.size(); ++k) {
    n.inputs[act_inputs[k]] = g.nodes[dqs[k]].inputs[0];
    absorb(n, g.nodes[dqs[k]]);
  }
  if (weights >= 0) n.inputs[1] = weights;
  if (bias >= 0) n.inputs[2] = bias;
  if (act_node >= 0) {
    *fused_activation(n) =
        g.nodes[act_node].op == OpKind::kRelu ? Activation::kRelu : Activation::kRelu6;
    absorb(n, g.nodes[act_node]);
    n.type_name += "+" + (g.nodes[act_node].type_name.empty()
                              ? std::string(to_string(g.nodes[act_node].op))
                              : g.nodes[act_node].type_name);
    w.dead[act_node] = 1;
    ++w.stats.removed_nodes;
  }
  w.dead[q] = 1;
  ++w.stats.removed_nodes;
  ++w.stats.fused_ops;
  if (kind == Kind::kSameParams && !same_params(g.tensors[in0], g.tensors[q_out])) {
    // The int8 kernel keeps the input's scale: requantize after it, as
    // TFLite does, in a node that stands for the QuantizeLinear.
    Tensor mid;
    mid.name = g.tensors[n.outputs[0]].name + "/int8";
    mid.dtype = DType::kI8;
    mid.shape = g.tensors[n.outputs[0]].shape;
    mid.quantization = g.tensors[in0].quantization;
    const int mid_id = g.add_tensor(std::move(mid));
    Node requant = g.nodes[q];
    requant.inputs = {mid_id};
    g.nodes[i].outputs[0] = mid_id;
    --w.stats.removed_nodes;
    w.insert_after(i, std::move(requant));
  } else {
    absorb(n, g.nodes[q]);
    n.outputs[0] = q_out;
  }
  // ONNX Runtime's rounding (graph.h): the QDQ model's own runtime is the
  // reference for its int8 results. On the ops whose int8 kernels have it
  // (docs/onnx.md); pools, Resize, Concat and Softmax keep TFLite's.
  if (rounds_as_ort(g.nodes[i].op)) {
    g.nodes[i].requantization = in0 < static_cast<int>(w.was_uint8.size()) && w.was_uint8[in0]
                                    ? Requantization::kFloatUint8
                                    : Requantization::kFloat;
  }
  // Tables show that the op now runs in int8.
  g.nodes[i].type_name = "int8 " + g.nodes[i].type_name;
  w.relink();
  return "";
}

// 3b. DEQUANTIZE -> RELU/RELU6 -> QUANTIZE after an int8 op that only that
// DEQUANTIZE reads (PyTorch quantizes between a conv and its ReLU6): the
// clamp becomes the op's fused activation and the op writes the QUANTIZE's
// tensor (one rounding instead of two: within 1 LSB of the QDQ graph).
// Returns "" when folded, else why not.
std::string fold_activation_into_producer(Work& w, int a) {
  Graph& g = w.g;
  const int d = w.producer_with(g.nodes[a].inputs[0], OpKind::kDequantize);
  if (d < 0) return "its input does not come from a DequantizeLinear";
  const int x = g.nodes[d].inputs[0];
  const int p = w.links.producer[x];
  if (p < 0 || !int8_per_tensor(g.tensors[x])) return "its input is not an int8 op's output";
  const Kind pk = kind_of(g.nodes[p].op);
  Activation* act = (pk == Kind::kConvLike || pk == Kind::kBinary) && g.tensors[g.nodes[p].inputs[0]].dtype == DType::kI8
                        ? fused_activation(g.nodes[p])
                        : nullptr;
  if (act == nullptr || *act != Activation::kNone) {
    return "its input comes from " + label(g.nodes[p]) + ", which cannot take it as a fused "
           "activation";
  }
  if (w.links.readers[x].size() != 1 || w.links.is_graph_output[x] ||
      w.links.readers[g.nodes[d].outputs[0]].size() != 1) {
    return "the int8 value before it has other readers";
  }
  const int y = g.nodes[a].outputs[0];
  if (w.links.is_graph_output[y] || w.links.readers[y].size() != 1 ||
      g.nodes[w.links.readers[y][0]].op != OpKind::kQuantize) {
    return "its output is not read by one QuantizeLinear only";
  }
  const int q = w.links.readers[y][0];
  if (!int8_per_tensor(g.tensors[g.nodes[q].outputs[0]])) return "its QuantizeLinear is not int8";
  *act = g.nodes[a].op == OpKind::kRelu ? Activation::kRelu : Activation::kRelu6;
  Node& pn = g.nodes[p];
  pn.outputs[0] = g.nodes[q].outputs[0];
  for (int k : {d, a, q}) {
    absorb(pn, g.nodes[k]);
    w.dead[k] = 1;
    ++w.stats.removed_nodes;
  }
  pn.type_name += "+" + g.nodes[a].type_name;
  w.relink();
  return "";
}

// 4. QUANTIZE(DEQUANTIZE(x)) with x int8: the same parameters make it x (the
// readers read x, and x's producer covers both nodes); others make it a
// requantization of x.
void fold_dequantize_quantize(Work& w) {
  Graph& g = w.g;
  for (int i = 0; i < static_cast<int>(g.nodes.size()); ++i) {
    if (w.dead[i] || g.nodes[i].op != OpKind::kQuantize) continue;
    const int d = w.producer_with(g.nodes[i].inputs[0], OpKind::kDequantize);
    if (d < 0) continue;
    const int x = g.nodes[d].inputs[0];
    const int out = g.nodes[i].outputs[0];
    if (!int8_per_tensor(g.tensors[x]) || !int8_per_tensor(g.tensors[out])) continue;
    const int p = w.links.producer[x];
    if (same_params(g.tensors[x], g.tensors[out]) && p >= 0 && !w.links.is_graph_output[out]) {
      for (int r : w.links.readers[out]) {
        for (int& id : g.nodes[r].inputs) {
          if (id == out) id = x;
        }
      }
      absorb(g.nodes[p], g.nodes[d]);
      absorb(g.nodes[p], g.nodes[i]);
      w.dead[i] = 1;
      ++w.stats.removed_nodes;
    } else {
      g.nodes[i].inputs[0] = x;
      absorb(g.nodes[i], g.nodes[d]);
    }
    w.relink();
  }
}

// 5. Drops absorbed nodes and DEQUANTIZE nodes nobody reads any more.
void remove_dead(Work& w) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (int i = 0; i < static_cast<int>(w.g.nodes.size()); ++i) {
      const Node& n = w.g.nodes[i];
      if (w.dead[i] || n.op != OpKind::kDequantize) continue;
      bool read = false;
      for (int id : n.outputs) read = read || !w.links.readers[id].empty() || w.links.is_graph_output[id];
      if (!read) {
        w.dead[i] = 1;
        ++w.stats.removed_nodes;
        changed = true;
      }
    }
    w.relink();
  }
  std::vector<Node> kept;
  for (size_t i = 0; i < w.g.nodes.size(); ++i) {
    if (!w.dead[i]) kept.push_back(std::move(w.g.nodes[i]));
  }
  w.g.nodes = std::move(kept);
  w.dead.assign(w.g.nodes.size(), 0);
  w.relink();
}

std::string neighbour_reason(const Node& n) {
  if (!n.kept_reason.empty()) return label(n) + " stays float: " + n.kept_reason;
  return label(n) + " has no int8 fusion rule";
}

// 6. Why each QUANTIZE / DEQUANTIZE left is there.
void explain_kept(Work& w) {
  Graph& g = w.g;
  for (Node& n : g.nodes) {
    if (n.op == OpKind::kDequantize && !n.inputs.empty() &&
        (g.tensors[n.inputs[0]].dtype == DType::kI8 || g.tensors[n.inputs[0]].dtype == DType::kU8)) {
      ++w.stats.kept_qdq;
      const int y = n.outputs[0];
      if (w.links.is_graph_output[y]) {
        n.kept_reason = "dequantizes graph output '" + g.tensors[y].name + "' (f32 outputs stay f32)";
      } else if (!w.links.readers[y].empty()) {
        n.kept_reason = "feeds " + neighbour_reason(g.nodes[w.links.readers[y][0]]);
      }
    } else if (n.op == OpKind::kQuantize && !n.inputs.empty() &&
               g.tensors[n.inputs[0]].dtype == DType::kF32) {
      ++w.stats.kept_qdq;
      const int x = n.inputs[0];
      const int p = w.links.producer[x];
      if (w.links.is_graph_input[x] || p < 0) {
        n.kept_reason = "quantizes graph input '" + g.tensors[x].name + "' (f32 inputs stay f32)";
      } else {
        n.kept_reason = "reads " + neighbour_reason(g.nodes[p]);
      }
    }
  }
}

}  // namespace

QdqFusionStats fuse_qdq(Graph& graph) {
  Work w{graph, std::vector<char>(graph.nodes.size(), 0), {}, {}, {}};
  bool any_dq = false;
  for (const Node& n : graph.nodes) any_dq = any_dq || n.op == OpKind::kDequantize;
  if (!any_dq) return w.stats;
  w.relink();
  uint8_to_int8(w);
  move_dequantize_down(w);
  for (int i = 0; i < static_cast<int>(graph.nodes.size()); ++i) {
    if (w.dead[i]) continue;
    if (graph.nodes[i].op == OpKind::kRelu || graph.nodes[i].op == OpKind::kRelu6) {
      if (w.producer_with(graph.nodes[i].inputs[0], OpKind::kDequantize) < 0) continue;
      std::string why = fold_activation_into_producer(w, i);
      if (!why.empty()) graph.nodes[i].kept_reason = why;
      continue;
    }
    if (kind_of(graph.nodes[i].op) == Kind::kNone) continue;
    bool near_qdq = false;
    for (int id : graph.nodes[i].inputs) {
      near_qdq = near_qdq || w.producer_with(id, OpKind::kDequantize) >= 0;
    }
    if (!near_qdq) continue;
    std::string why = try_fuse(w, i);
    if (!why.empty()) graph.nodes[i].kept_reason = why;
  }
  fold_dequantize_quantize(w);
  remove_dead(w);
  explain_kept(w);
  return w.stats;
}

}  // namespace opscope
