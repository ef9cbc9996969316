// The int8 rewrite of quantize_model.h: decides which nodes become int8,
// gives every int8 activation its parameters, and builds the new graph,
// inserting QUANTIZE/DEQUANTIZE where int8 and float parts meet.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/transforms/quantize/quantize_model.h"
#include "engine/transforms/quantize/quantize_weights.h"
#include "engine/transforms/quantize/range_choice.h"

namespace opscope {

namespace {

enum class Kind {
  kNone,     // no int8 kernel: stays float
  kCompute,  // output parameters from its own calibrated range
  kFixed,    // output fixed at 1/256, -128 (LOGISTIC, SOFTMAX)
  kSame,     // output keeps the input's parameters
  kFollow,   // moves bytes: int8 only when its input already is
};

Kind classify(OpKind op) {
  switch (op) {
    case OpKind::kConv2D:
    case OpKind::kDepthwiseConv2D:
    case OpKind::kFullyConnected:
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kMean:
    case OpKind::kHardSwish:
    case OpKind::kConcatenation: return Kind::kCompute;
    case OpKind::kLogistic:
    case OpKind::kSoftmax: return Kind::kFixed;
    case OpKind::kAveragePool2D:
    case OpKind::kMaxPool2D:
    case OpKind::kResizeBilinear: return Kind::kSame;
    case OpKind::kPad:
    case OpKind::kReshape:
    case OpKind::kSqueeze:
    case OpKind::kExpandDims:
    case OpKind::kTranspose:
    case OpKind::kStridedSlice:
    case OpKind::kGather:  // input 0 (params) moves; indices stay integer
    case OpKind::kGatherElements:  // likewise: input 0 (data) moves
    case OpKind::kGatherNd:
    case OpKind::kDepthToSpace: return Kind::kFollow;
    case OpKind::kResize: return Kind::kNone;  // f32 kernel only: stays float
    default: return Kind::kNone;
  }
}

bool is_linear(OpKind op) {
  return op == OpKind::kConv2D || op == OpKind::kDepthwiseConv2D ||
         op == OpKind::kFullyConnected;
}

// Which inputs of a node carry activations (int8 when the node is int8);
// the rest are weights/bias (linear ops) or integer parameters.
bool is_data_input(const Node& node, size_t k) {
  switch (node.op) {
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kConcatenation: return true;
    default: return k == 0;
  }
}

// Weights are quantized along the output channel: OHWI and [O, I] on axis
// 0, depthwise [1, KH, KW, C*M] on axis 3.
int weight_axis(OpKind op) { return op == OpKind::kDepthwiseConv2D ? 3 : 0; }

bool same_params(const AffineParams& a, const AffineParams& b) {
  return a.scale == b.scale && a.zero_point == b.zero_point;
}

Quantization to_quantization(const AffineParams& p) {
  return Quantization{{p.scale}, {p.zero_point}, -1};
}

class Int8Rewriter {
 public:
  Int8Rewriter(const Graph& src, const std::vector<TensorStats>& stats,
               const QuantizeOptions& options, const std::vector<bool>& skipped,
               QuantizeReport& report)
      : src_(src), stats_(stats), options_(options), skipped_(skipped), report_(report) {}

  Result<Graph> run() {
    const size_t nt = src_.tensors.size();
    out_.tensors = src_.tensors;
    float_id_.assign(nt, -1);
    int8_id_.assign(nt, -1);
    params_.assign(nt, std::nullopt);
    for (size_t t = 0; t < nt; ++t) {
      if (src_.tensors[t].is_constant()) float_id_[t] = static_cast<int>(t);
    }
    for (int t : src_.inputs) float_id_[t] = t;
    for (int t : src_.outputs) is_output_.push_back(t);

    decide();
    if (options_.int8_io) make_int8_inputs();
    out_.inputs = src_.inputs;

    for (size_t i = 0; i < src_.nodes.size(); ++i) {
      if (quantized_[i]) {
        OPSCOPE_RETURN_IF_ERROR(emit_int8_node(static_cast<int>(i)));
      } else {
        emit_float_node(static_cast<int>(i));
      }
    }
    for (int t : src_.outputs) {
      const bool int8_out = options_.int8_io && float_id_[t] < 0 && int8_id_[t] == t;
      if (!int8_out) need_float(t);
      out_.outputs.push_back(t);
    }
    return std::move(out_);
  }

 private:
  bool graph_output(int t) const {
    for (int o : is_output_) {
      if (o == t) return true;
    }
    return false;
  }

  bool has_range(int t) const {
    return t >= 0 && static_cast<size_t>(t) < stats_.size() && stats_[t].seen;
  }

  // Why node i cannot be int8, or empty when it can.
  std::string blocker(int i, const std::vector<bool>& int8_tensor) const {
    const Node& n = src_.nodes[i];
    const Kind kind = classify(n.op);
    if (kind == Kind::kNone) return "no int8 kernel";
    if (skipped_[i]) return "skipped (--skip)";
    for (int t : n.outputs) {
      if (src_.tensors[t].dtype != DType::kF32) return "output is not float";
      if (kind == Kind::kCompute && !has_range(t)) return "no calibrated range for its output";
    }
    if (n.op == OpKind::kPad && n.inputs.size() > 2 && n.inputs[2] >= 0) {
      return "PADV2 pad value is not quantized";
    }
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      const int t = n.inputs[k];
      if (t < 0) continue;
      const Tensor& x = src_.tensors[t];
      if (is_data_input(n, k)) {
        if (x.dtype != DType::kF32) return "input is not float";
        if (!x.is_constant() && !has_range(t)) return "no calibrated range for an input";
        if (x.is_constant() && n.op != OpKind::kConcatenation && n.op != OpKind::kAdd &&
            n.op != OpKind::kSub && n.op != OpKind::kMul) {
          return "constant data input";
        }
      } else if (is_linear(n.op)) {
        if (!x.is_constant() || x.dtype != DType::kF32) return "weights or bias not constant f32";
      }
    }
    if (kind == Kind::kFollow && !int8_tensor[n.inputs[0]]) return "input stays float";
    return "";
  }

  void decide() {
    const size_t nn = src_.nodes.size();
    quantized_.assign(nn, false);
    std::vector<std::string> why(nn);
    std::vector<bool> int8_tensor(src_.tensors.size(), false);
    for (size_t i = 0; i < nn; ++i) {
      why[i] = blocker(static_cast<int>(i), int8_tensor);
      if (why[i].empty()) {
        quantized_[i] = true;
        for (int t : src_.nodes[i].outputs) int8_tensor[t] = true;
      }
    }
    // A lone int8 node between float ones (no int8 producer, no int8
    // consumer, no weights) would only add QUANTIZE and DEQUANTIZE around
    // itself and lose precision (e.g. a LOGISTIC after a float transposed
    // convolution, whose logits span hundreds): keep it float. Repeated
    // until nothing changes.
    std::vector<int> producer(src_.tensors.size(), -1);
    for (size_t i = 0; i < nn; ++i) {
      for (int t : src_.nodes[i].outputs) producer[t] = static_cast<int>(i);
    }
    for (bool changed = true; changed;) {
      changed = false;
      std::vector<bool> int8_consumer(src_.tensors.size(), false);
      for (size_t i = 0; i < nn; ++i) {
        const Node& n = src_.nodes[i];
        for (size_t k = 0; k < n.inputs.size(); ++k) {
          if (quantized_[i] && n.inputs[k] >= 0 && is_data_input(n, k)) {
            int8_consumer[n.inputs[k]] = true;
          }
        }
      }
      for (size_t i = 0; i < nn; ++i) {
        if (!quantized_[i]) continue;
        const Node& n = src_.nodes[i];
        // Weighted ops are worth int8 for their weights alone.
        bool linked = is_linear(n.op);
        for (size_t k = 0; k < n.inputs.size(); ++k) {
          const int t = n.inputs[k];
          if (t >= 0 && is_data_input(n, k) && producer[t] >= 0 && quantized_[producer[t]]) {
            linked = true;
          }
        }
        for (int t : n.outputs) linked = linked || int8_consumer[t];
        if (!linked) {
          quantized_[i] = false;
          why[i] = "a lone int8 node between float ones gains nothing";
          changed = true;
        }
      }
    }
    for (size_t i = 0; i < nn; ++i) {
      if (quantized_[i]) {
        ++report_.int8_nodes;
      } else {
        ++report_.float_nodes;
        report_.notes.push_back(describe_node(src_, static_cast<int>(i)) + " stays float: " +
                                why[i]);
      }
    }
  }

  // --int8-io: a float graph input read only by int8 nodes becomes int8.
  void make_int8_inputs() {
    for (int t : src_.inputs) {
      if (!has_range(t)) continue;
      bool all_int8 = true, used = false;
      for (size_t i = 0; i < src_.nodes.size(); ++i) {
        for (size_t k = 0; k < src_.nodes[i].inputs.size(); ++k) {
          if (src_.nodes[i].inputs[k] != t) continue;
          used = true;
          all_int8 = all_int8 && quantized_[i] && is_data_input(src_.nodes[i], k);
        }
      }
      if (!used || !all_int8) continue;
      const AffineParams p = activation_params(t);
      Tensor& x = out_.tensors[t];
      x.dtype = DType::kI8;
      x.quantization = to_quantization(p);
      int8_id_[t] = t;
      float_id_[t] = -1;
    }
  }

  AffineParams activation_params(int t) {
    if (!params_[t]) params_[t] = asymmetric_int8(choose_range(stats_[t], options_));
    return *params_[t];
  }

  int add_tensor(Tensor t) { return out_.add_tensor(std::move(t)); }

  int add_activation(int like, DType dtype, const std::string& name,
                     const std::optional<AffineParams>& p) {
    Tensor x;
    x.name = name;
    x.dtype = dtype;
    x.shape = src_.tensors[like].shape;
    if (p) x.quantization = to_quantization(*p);
    return add_tensor(std::move(x));
  }

  void emit(OpKind op, const char* type, int in, int out) {
    Node n;
    n.op = op;
    n.type_name = type;
    n.name = out_.tensors[out].name;
    n.inputs = {in};
    n.outputs = {out};
    out_.nodes.push_back(std::move(n));
  }

  // The int8 version of activation t, with parameters `want` when given
  // (CONCATENATION's inputs), inserting QUANTIZE as needed.
  int need_int8(int t, const std::optional<AffineParams>& want = std::nullopt) {
    if (int8_id_[t] < 0) {
      const AffineParams p = activation_params(t);
      int8_id_[t] = add_activation(t, DType::kI8, src_.tensors[t].name + "_int8", p);
      emit(OpKind::kQuantize, "QUANTIZE", float_id_[t], int8_id_[t]);
      ++report_.inserted_quantize;
    }
    if (want && !same_params(*want, *params_[t])) {
      const int r = add_activation(t, DType::kI8, src_.tensors[t].name + "_requantized", want);
      emit(OpKind::kQuantize, "QUANTIZE", int8_id_[t], r);
      ++report_.inserted_quantize;
      return r;
    }
    return int8_id_[t];
  }

  // The float version of t, inserting DEQUANTIZE as needed. The float
  // version lives in t's own slot.
  int need_float(int t) {
    if (float_id_[t] >= 0) return float_id_[t];
    // An int8 graph output (--int8-io) that a float node also reads keeps
    // its slot; the float copy gets a tensor of its own.
    const int f = int8_id_[t] == t
                      ? add_activation(t, DType::kF32, src_.tensors[t].name + "_float",
                                       std::nullopt)
                      : t;
    emit(OpKind::kDequantize, "DEQUANTIZE", int8_id_[t], f);
    ++report_.inserted_dequantize;
    float_id_[t] = f;
    return f;
  }

  void emit_float_node(int i) {
    Node n = src_.nodes[i];
    for (int& t : n.inputs) {
      if (t >= 0 && !src_.tensors[t].is_constant() && src_.tensors[t].dtype == DType::kF32) {
        t = need_float(t);
      }
    }
    for (int t : n.outputs) float_id_[t] = t;
    out_.nodes.push_back(std::move(n));
  }

  Status emit_int8_node(int i) {
    const Node& s = src_.nodes[i];
    Node n = s;
    const Kind kind = classify(s.op);
    const int out_t = s.outputs[0];

    // Output parameters first: CONCATENATION's inputs are requantized to them.
    std::optional<AffineParams> out_p;
    if (kind == Kind::kCompute) out_p = activation_params(out_t);
    if (kind == Kind::kFixed) out_p = AffineParams{1.0f / 256.0f, -128};

    std::vector<float> weight_scales;
    for (size_t k = 0; k < s.inputs.size(); ++k) {
      const int t = s.inputs[k];
      if (t < 0) continue;
      const Tensor& x = src_.tensors[t];
      if (is_data_input(s, k)) {
        if (x.is_constant()) {
          n.inputs[k] = add_tensor(quantize_asymmetric_int8(x, x.name + "_int8"));
          if (s.op == OpKind::kConcatenation) {
            const Tensor& q = out_.tensors[n.inputs[k]];
            const AffineParams cp{q.quantization.scales[0], q.quantization.zero_points[0]};
            if (!same_params(cp, *out_p)) {
              return Status(ErrorCode::kUnsupportedOp,
                            describe_node(src_, i) + ": constant input to int8 CONCATENATION");
            }
          }
        } else {
          n.inputs[k] = need_int8(t, s.op == OpKind::kConcatenation ? out_p : std::nullopt);
        }
      } else if (is_linear(s.op) && k == 1) {
        const float in_scale = params_[s.inputs[0]] ? params_[s.inputs[0]]->scale : 1.0f;
        const int b = s.inputs.size() > 2 ? s.inputs[2] : -1;
        const std::vector<float> min_scales =
            b >= 0 && src_.tensors[b].is_constant() && src_.tensors[b].dtype == DType::kF32
                ? min_weight_scales_for_bias(src_.tensors[b], in_scale, options_.per_tensor)
                : std::vector<float>{};
        const Tensor w = quantize_symmetric_int8(
            x, options_.per_tensor ? -1 : weight_axis(s.op), x.name + "_int8", min_scales);
        weight_scales = w.quantization.scales;
        n.inputs[k] = add_tensor(std::move(w));
      } else if (is_linear(s.op) && k == 2) {
        const float in_scale = params_[s.inputs[0]] ? params_[s.inputs[0]]->scale : 1.0f;
        n.inputs[k] = add_tensor(quantize_bias_int32(x, in_scale, weight_scales, x.name + "_int32"));
      }
    }
    if (kind == Kind::kSame || kind == Kind::kFollow) {
      const Tensor& in = out_.tensors[n.inputs[0]];
      out_p = AffineParams{in.quantization.scales[0], in.quantization.zero_points[0]};
    }
    params_[out_t] = out_p;

    // The int8 output takes the original name unless the float version is a
    // graph output (then the float one keeps it, for the model's users).
    const std::string name = src_.tensors[out_t].name;
    if (graph_output(out_t) && options_.int8_io) {
      Tensor& x = out_.tensors[out_t];
      x.dtype = DType::kI8;
      x.quantization = to_quantization(*out_p);
      int8_id_[out_t] = out_t;
    } else if (graph_output(out_t)) {
      int8_id_[out_t] = add_activation(out_t, DType::kI8, name + "_int8", out_p);
    } else {
      int8_id_[out_t] = add_activation(out_t, DType::kI8, name, out_p);
      out_.tensors[out_t].name = name + "_float";
    }
    n.outputs = {int8_id_[out_t]};
    out_.nodes.push_back(std::move(n));
    return Status::ok();
  }

  const Graph& src_;
  const std::vector<TensorStats>& stats_;
  const QuantizeOptions& options_;
  const std::vector<bool>& skipped_;
  QuantizeReport& report_;
  Graph out_;
  std::vector<bool> quantized_;
  std::vector<int> float_id_, int8_id_;
  std::vector<std::optional<AffineParams>> params_;
  std::vector<int> is_output_;
};

}  // namespace

Result<Graph> quantize_graph(const Graph& graph, const std::vector<TensorStats>& stats,
                             const QuantizeOptions& options, const std::vector<bool>& skipped,
                             QuantizeReport& report) {
  if (stats.size() != graph.tensors.size() || skipped.size() != graph.nodes.size()) {
    return Status(ErrorCode::kInvalidArgument,
                  "quantize_graph: stats or skip flags do not match the graph");
  }
  Int8Rewriter rewriter(graph, stats, options, skipped, report);
  OPSCOPE_ASSIGN_OR_RETURN(Graph out, rewriter.run());
  OPSCOPE_RETURN_IF_ERROR(validate_graph(out).with_prefix("quantized graph"));
  return out;
}

}  // namespace opscope
