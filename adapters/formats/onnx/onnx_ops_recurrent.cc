// LSTM, GRU and RNN -> the engine's ops of the same names (op_kind.h), whose
// operands are ONNX's, in the natural layout. Default activations: LSTM
// Sigmoid, Tanh, Tanh; GRU Sigmoid, Tanh; RNN Tanh (per direction).
#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {
namespace {

struct GateName {
  const char* name;
  GateActivation kind;
  float alpha, beta;  // ONNX's defaults where the function has them
};
constexpr GateName kGateNames[] = {
    {"Sigmoid", GateActivation::kSigmoid, 0, 0},
    {"Tanh", GateActivation::kTanh, 0, 0},
    {"Relu", GateActivation::kRelu, 0, 0},
    {"HardSigmoid", GateActivation::kHardSigmoid, 0.2f, 0.5f},
    {"LeakyRelu", GateActivation::kLeakyRelu, 0.01f, 0},
    {"ThresholdedRelu", GateActivation::kThresholdedRelu, 1.0f, 0},
    {"ScaledTanh", GateActivation::kScaledTanh, 1.0f, 1.0f},
    {"Affine", GateActivation::kAffine, 1.0f, 0},
    {"Elu", GateActivation::kElu, 1.0f, 0},
    {"Softsign", GateActivation::kSoftsign, 0, 0},
    {"Softplus", GateActivation::kSoftplus, 0, 0},
};

// The activations attribute (with activation_alpha / activation_beta, which
// list values only for the functions that take them, in order), or the
// defaults, for every direction.
Result<std::vector<GateFunction>> gate_functions(Importer& im, int dirs,
                                                 const std::vector<const char*>& defaults) {
  std::vector<std::string> names;
  if (const auto* a = im.attr("activations")) {
    for (const std::string& s : a->strings()) names.push_back(s);
  } else {
    for (int d = 0; d < dirs; ++d) {
      for (const char* n : defaults) names.emplace_back(n);
    }
  }
  const std::vector<float> alphas = im.attr_floats("activation_alpha");
  const std::vector<float> betas = im.attr_floats("activation_beta");
  size_t next_alpha = 0, next_beta = 0;
  std::vector<GateFunction> fns;
  for (const std::string& n : names) {
    const GateName* g = nullptr;
    for (const GateName& c : kGateNames) {
      if (n == c.name) g = &c;
    }
    if (g == nullptr) {
      return im.error(ErrorCode::kUnsupportedOp, "activation '" + n + "' is not supported");
    }
    GateFunction f{g->kind, g->alpha, g->beta};
    const bool takes_alpha = g->alpha != 0;  // each function with an alpha has a non-zero default
    const bool takes_beta = g->kind == GateActivation::kHardSigmoid ||
                            g->kind == GateActivation::kScaledTanh ||
                            g->kind == GateActivation::kAffine;
    if (takes_alpha && next_alpha < alphas.size()) f.alpha = alphas[next_alpha++];
    if (takes_beta && next_beta < betas.size()) f.beta = betas[next_beta++];
    fns.push_back(f);
  }
  return fns;
}

Status translate_recurrent(Importer& im, OpKind op) {
  const bool lstm = op == OpKind::kLstm;
  if (lstm) {
    OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"activation_alpha", "activation_beta",
                                             "activations", "clip", "direction",
                                             "hidden_size", "input_forget", "layout"}));
  } else if (op == OpKind::kGru) {
    OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"activation_alpha", "activation_beta",
                                             "activations", "clip", "direction",
                                             "hidden_size", "layout", "linear_before_reset"}));
  } else {
    OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"activation_alpha", "activation_beta",
                                             "activations", "clip", "direction",
                                             "hidden_size", "layout"}));
  }
  RecurrentAttrs a;
  const std::string direction = im.attr_string("direction", "forward");
  if (direction == "forward") {
    a.direction = RecurrentAttrs::Direction::kForward;
  } else if (direction == "reverse") {
    a.direction = RecurrentAttrs::Direction::kReverse;
  } else if (direction == "bidirectional") {
    a.direction = RecurrentAttrs::Direction::kBidirectional;
  } else {
    return im.error(ErrorCode::kInvalidGraph, "direction '" + direction + "' is unknown");
  }
  if (lstm && im.attr_int("input_forget", 0) != 0) {
    return im.error(ErrorCode::kUnsupportedOp, "input_forget (coupled gates) is not supported");
  }
  a.hidden_size = im.attr_int("hidden_size", 0);
  a.batch_first = im.attr_int("layout", 0) != 0;
  a.clip = im.attr_float("clip", 0.0f);
  if (a.clip < 0.0f) return im.error(ErrorCode::kInvalidGraph, "clip is negative");
  a.linear_before_reset = im.attr_int("linear_before_reset", 0) != 0;
  const int dirs = a.direction == RecurrentAttrs::Direction::kBidirectional ? 2 : 1;
  const std::vector<const char*> defaults =
      lstm ? std::vector<const char*>{"Sigmoid", "Tanh", "Tanh"}
           : op == OpKind::kGru ? std::vector<const char*>{"Sigmoid", "Tanh"}
                                : std::vector<const char*>{"Tanh"};
  OPSCOPE_ASSIGN_OR_RETURN(a.activations, gate_functions(im, dirs, defaults));

  std::vector<int> inputs;
  const int max_inputs = lstm ? 8 : 6;
  for (int i = 0; i < max_inputs && i < im.num_inputs(); ++i) {
    OPSCOPE_ASSIGN_OR_RETURN(const int id, im.optional_natural(i));
    inputs.push_back(id);
  }
  while (!inputs.empty() && inputs.back() < 0) inputs.pop_back();

  // Outputs up to the last one the node names; Y always (the engine's
  // first output), unnamed ones get tensors of their own.
  const int max_outputs = lstm ? 3 : 2;
  int outputs = 1;
  for (int k = 1; k < max_outputs && k < im.node().output_size(); ++k) {
    if (!im.node().output(k).empty()) outputs = k + 1;
  }
  std::vector<int> out_ids;
  for (int k = 0; k < outputs; ++k) {
    const bool named = k < im.node().output_size() && !im.node().output(k).empty();
    out_ids.push_back(
        im.new_tensor(named ? im.node().output(k) : im.node_name() + "/unused_" + std::to_string(k)));
  }
  OPSCOPE_RETURN_IF_ERROR(im.emit(op, a, inputs, out_ids).status());
  for (int k = 0; k < outputs; ++k) {
    if (k < im.node().output_size() && !im.node().output(k).empty()) {
      im.define_output(k, Value{out_ids[static_cast<size_t>(k)]});
    }
  }
  return Status::ok();
}

}  // namespace

Status translate_lstm(Importer& im) { return translate_recurrent(im, OpKind::kLstm); }
Status translate_gru(Importer& im) { return translate_recurrent(im, OpKind::kGru); }
Status translate_rnn(Importer& im) { return translate_recurrent(im, OpKind::kRnn); }

}  // namespace opscope::onnx
