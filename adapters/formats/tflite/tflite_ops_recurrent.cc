// TFLite's sequence recurrent ops -> the engine's LSTM and RNN nodes
// (engine/op_kind.h), whose operands are ONNX's:
//
//   UNIDIRECTIONAL_SEQUENCE_LSTM   -> LSTM (forward), RESHAPE
//   BIDIRECTIONAL_SEQUENCE_LSTM    -> merge_outputs: LSTM (bidirectional),
//                                     [TRANSPOSE,] RESHAPE;
//                                     else LSTM (forward) and LSTM (reverse),
//                                     a RESHAPE each
//   UNIDIRECTIONAL_SEQUENCE_RNN    -> RNN (forward), RESHAPE
//
// TFLite stores one [H, in] / [H, H] / [H] tensor per gate; the engine wants
// W [dirs, 4H, in], R [dirs, 4H, H], B [dirs, 8H] and P [dirs, 3H] in ONNX's
// gate order (i, o, f, c; peepholes i, o, f). Those are built here, at load,
// from the constant gate tensors (the originals stay in the graph, unread).
// The engine's Y has a direction axis ([seq, dirs, batch, H], or
// [batch, seq, dirs, H] batch-first), TFLite's output has none: the RESHAPE
// (with a TRANSPOSE for a merged time-major bidirectional output) that
// follows gives the file's output tensor its layout.
//
// The state inputs are TFLite variable tensors, which the tensor step makes
// zero constants: every invoke starts from zero state. TFLite keeps the state
// across invokes instead, so only a fresh interpreter's first invoke is the
// same computation (docs/tflite-ops-in-models.md).
//
// Semantics kept from TFLite's float LSTM kernel (lstm_eval.cc): CIFG
// (input-to-input weights absent) couples the gates, i = 1 - f; the fused
// activation is the cell gate's and the output's (h = o * act(c)); cell_clip
// clips the cell state after each update; the input and forget peepholes see
// the old cell state, the output peephole the new one. Refused with
// kUnsupportedOp: projection, layer norm, hybrid / integer LSTMs (non-f32
// weights), diagonal recurrent weights, aux inputs, fused activations other
// than TANH and RELU (RNN: NONE, RELU, TANH), non-constant weights.
#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "adapters/formats/tflite/tflite_op_map.h"
#include "engine/shape_inference.h"

namespace opscope::tflite {

namespace {

using fb::BuiltinOperator;

// See tflite_op_map.cc: a missing options table reads as all defaults.
alignas(8) constexpr uint8_t kEmptyTable[8] = {4, 0, 4, 0, 4, 0, 0, 0};

template <typename T>
const T& options_or_defaults(const T* options) {
  return options != nullptr ? *options : *reinterpret_cast<const T*>(kEmptyTable + 4);
}

// Writes one operator's engine nodes and the tensors they need into the
// graph. Every error names the operator (node_label).
class Emitter {
 public:
  Emitter(const OpContext& c, const Node& op) : c_(c), g_(*c.ctx.graph), op_(op) {}

  const Node& op() const { return op_; }
  Graph& graph() { return g_; }

  Status error(ErrorCode code, const std::string& what) const {
    return node_error(op_, code, what);
  }

  // The operator's input k; -1 when absent or past its last input.
  int input(int k) const {
    return k < static_cast<int>(op_.inputs.size()) ? op_.inputs[static_cast<size_t>(k)] : -1;
  }

  // "input 12 (forget_gate_bias)".
  static std::string label(int k, const std::string& what) {
    return "input " + std::to_string(k) + " (" + what + ")";
  }

  // The f32 values of constant input k, which must be present and of shape
  // `want`. Other dtypes are quantized (hybrid or integer) recurrent layers.
  Result<std::vector<float>> f32_constant(int k, const std::string& what, const Shape& want) {
    const int id = input(k);
    if (id < 0) {
      return error(ErrorCode::kInvalidGraph, "required " + label(k, what) + " is absent");
    }
    const Tensor& t = g_.tensors[static_cast<size_t>(id)];
    if (t.dtype != DType::kF32) {
      return error(ErrorCode::kUnsupportedOp,
                   label(k, what) + " is " + std::string(to_string(t.dtype)) +
                       ": only float32 recurrent layers are supported (not hybrid or "
                       "quantized ones)");
    }
    if (!t.is_constant()) {
      return error(ErrorCode::kUnsupportedOp,
                   label(k, what) + " '" + t.name +
                       "' is not a constant: the gate weights are rearranged into the "
                       "engine's layout at load, so they must be stored in the file");
    }
    if (t.shape != want) {
      return error(ErrorCode::kInvalidGraph, label(k, what) + " has shape " +
                                                 shape_to_string(t.shape) + ", expected " +
                                                 shape_to_string(want));
    }
    const size_t n = static_cast<size_t>(t.elements());
    if (t.data == nullptr || t.data_bytes < n * sizeof(float)) {
      return error(ErrorCode::kMalformedModel, label(k, what) + " is short of data");
    }
    std::vector<float> v(n);
    if (n > 0) std::memcpy(v.data(), t.data, n * sizeof(float));
    return v;
  }

  // A new constant owned by the graph, counted against the reader's
  // allocation budget.
  Result<int> new_constant(const std::string& suffix, DType dtype, Shape shape,
                           std::vector<uint8_t> bytes) {
    if (!c_.ctx.budget->take(bytes.size())) {
      return error(ErrorCode::kResourceExhausted,
                   "its rearranged weights would take the reader over its limit of " +
                       std::to_string(c_.ctx.budget->limit() >> 20) +
                       " MiB of data not stored in the file");
    }
    Tensor t;
    t.name = op_.name + "/" + suffix;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.role = TensorRole::kConstant;
    t.set_owned_data(std::move(bytes));
    g_.tensors.push_back(std::move(t));
    return static_cast<int>(g_.tensors.size()) - 1;
  }

  Result<int> new_f32_constant(const std::string& suffix, Shape shape,
                               const std::vector<float>& values) {
    std::vector<uint8_t> bytes(values.size() * sizeof(float));
    if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return new_constant(suffix, DType::kF32, std::move(shape), std::move(bytes));
  }

  int new_intermediate(const std::string& suffix, Shape shape) {
    Tensor t;
    t.name = op_.name + "/" + suffix;
    t.dtype = DType::kF32;
    t.shape = std::move(shape);
    g_.tensors.push_back(std::move(t));
    return static_cast<int>(g_.tensors.size()) - 1;
  }

  // Appends an engine node of this operator (same source index) and checks
  // it with the engine's shape rule, so a model the engine cannot run fails
  // at load. The recurrent node keeps the operator's type name; the layout
  // helpers show the engine op (as the ONNX importer's do).
  Status emit(OpKind kind, Attributes attrs, std::vector<int> inputs, std::vector<int> outputs,
              const std::string& suffix) {
    while (!inputs.empty() && inputs.back() < 0) inputs.pop_back();
    Node n;
    n.op = kind;
    const bool helper = kind != OpKind::kLstm && kind != OpKind::kRnn;
    n.type_name = helper ? std::string(to_string(kind)) : op_.type_name;
    n.name = suffix.empty() ? op_.name : op_.name + "/" + suffix;
    n.attrs = std::move(attrs);
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    n.source_index = op_.source_index;
    g_.nodes.push_back(std::move(n));
    Status st = infer_shapes(g_, static_cast<int>(g_.nodes.size()) - 1);
    if (!st.is_ok()) g_.nodes.pop_back();
    return st;
  }

  // The operator's output k, whose shape in the file must be `want` (or be
  // left empty, in which case it gets `want`).
  Result<int> output(int k, const Shape& want) {
    const int id = op_.outputs[static_cast<size_t>(k)];
    Tensor& t = g_.tensors[static_cast<size_t>(id)];
    if (t.shape.empty()) t.shape = want;
    if (t.shape != want) {
      return error(ErrorCode::kInvalidGraph, "output " + std::to_string(k) + " has shape " +
                                                 shape_to_string(t.shape) + ", expected " +
                                                 shape_to_string(want));
    }
    if (t.dtype != DType::kF32) {
      return error(ErrorCode::kUnsupportedOp, "output " + std::to_string(k) + " is " +
                                                  std::string(to_string(t.dtype)) +
                                                  ": only float32 recurrent layers are supported");
    }
    return id;
  }

  // Y (engine layout, direction axis included) -> the file's output `out`
  // of shape `shape`: a RESHAPE, after a TRANSPOSE of Y's dims 1 and 2 when
  // `swap_dirs_batch` (time-major bidirectional: [seq, 2, batch, H] ->
  // [seq, batch, 2, H]).
  Status emit_to_output(int y, int out, const Shape& y_shape, const Shape& shape,
                        bool swap_dirs_batch, const std::string& suffix) {
    int src = y;
    if (swap_dirs_batch) {
      const std::vector<int32_t> perm = {0, 2, 1, 3};
      std::vector<uint8_t> bytes(perm.size() * sizeof(int32_t));
      std::memcpy(bytes.data(), perm.data(), bytes.size());
      OPSCOPE_ASSIGN_OR_RETURN(const int perm_id,
                               new_constant(suffix + "_perm", DType::kI32, Shape{4}, bytes));
      src = new_intermediate(suffix + "_seq_batch_dirs",
                             Shape{y_shape[0], y_shape[2], y_shape[1], y_shape[3]});
      OPSCOPE_RETURN_IF_ERROR(
          emit(OpKind::kTranspose, Attributes{}, {y, perm_id}, {src}, suffix + "_transpose"));
    }
    return emit(OpKind::kReshape, ReshapeAttrs{shape}, {src}, {out}, suffix + "_reshape");
  }

 private:
  const OpContext& c_;
  Graph& g_;
  const Node& op_;
};

// X: f32 [seq, batch, in] (time-major) or [batch, seq, in].
struct Sequence {
  int x = -1;
  int64_t seq = 0, batch = 0, input = 0;
  bool time_major = true;

  // The file's output layout for hidden size h.
  Shape output_shape(int64_t h) const {
    return time_major ? Shape{seq, batch, h} : Shape{batch, seq, h};
  }
  // The engine's Y for `dirs` directions.
  Shape y_shape(int64_t dirs, int64_t h) const {
    return time_major ? Shape{seq, dirs, batch, h} : Shape{batch, seq, dirs, h};
  }
  // The engine's initial_h / initial_c.
  Shape state_shape(int64_t dirs, int64_t h) const {
    return time_major ? Shape{dirs, batch, h} : Shape{batch, dirs, h};
  }
};

Result<Sequence> read_sequence(Emitter& e, bool time_major) {
  Sequence s;
  s.time_major = time_major;
  s.x = e.input(0);
  if (s.x < 0) return e.error(ErrorCode::kInvalidGraph, "required input 0 (input) is absent");
  const Tensor& x = e.graph().tensors[static_cast<size_t>(s.x)];
  if (x.dtype != DType::kF32) {
    return e.error(ErrorCode::kUnsupportedOp,
                   "input 0 (input) is " + std::string(to_string(x.dtype)) +
                       ": only float32 recurrent layers are supported");
  }
  if (x.shape.size() != 3) {
    return e.error(ErrorCode::kInvalidGraph,
                   "input 0 (input) has shape " + shape_to_string(x.shape) +
                       ", expected rank 3 (" +
                       (time_major ? "[seq, batch, in]" : "[batch, seq, in]") + ")");
  }
  s.seq = time_major ? x.shape[0] : x.shape[1];
  s.batch = time_major ? x.shape[1] : x.shape[0];
  s.input = x.shape[2];
  return s;
}

// The state each direction starts from: TFLite's [batch, H] variable
// tensors (zero constants after the tensor step). Sets `any_nonzero`.
Result<std::vector<float>> read_state(Emitter& e, int k, const std::string& what,
                                      const Sequence& s, int64_t h, bool& any_nonzero) {
  const int id = e.input(k);
  if (id < 0) {
    return e.error(ErrorCode::kInvalidGraph, "required " + Emitter::label(k, what) + " is absent");
  }
  if (!e.graph().tensors[static_cast<size_t>(id)].is_constant()) {
    return e.error(ErrorCode::kUnsupportedOp,
                   Emitter::label(k, what) +
                       " is neither a variable tensor nor a constant: state fed or "
                       "computed at run time is not supported");
  }
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<float> v, e.f32_constant(k, what, Shape{s.batch, h}));
  any_nonzero = any_nonzero || std::any_of(v.begin(), v.end(), [](float f) { return f != 0.0f; });
  return v;
}

// The engine's initial state from one [batch, H] array per direction; -1
// when every value is zero (the engine's default state), which is what
// TFLite's variable tensors hold at the start.
Result<int> initial_state(Emitter& e, const std::string& suffix, const Sequence& s, int64_t h,
                          const std::vector<std::vector<float>>& per_dir, bool any_nonzero) {
  if (!any_nonzero) return -1;
  const int64_t dirs = static_cast<int64_t>(per_dir.size());
  std::vector<float> v(static_cast<size_t>(dirs * s.batch * h));
  for (int64_t d = 0; d < dirs; ++d) {
    for (int64_t b = 0; b < s.batch; ++b) {
      const int64_t at = s.time_major ? (d * s.batch + b) * h : (b * dirs + d) * h;
      std::copy_n(per_dir[static_cast<size_t>(d)].begin() + b * h, h, v.begin() + at);
    }
  }
  return e.new_f32_constant(suffix, s.state_shape(dirs, h), v);
}

// ---------------------------------------------------------------- LSTM ---

// One direction's 15 gate inputs, from `first` on, in TFLite's order.
enum LstmSlot {
  kInToInput, kInToForget, kInToCell, kInToOutput,
  kRecToInput, kRecToForget, kRecToCell, kRecToOutput,
  kCellToInput, kCellToForget, kCellToOutput,
  kInputBias, kForgetBias, kCellBias, kOutputBias,
  kLstmSlots
};
constexpr const char* kLstmSlotNames[kLstmSlots] = {
    "input_to_input_weights", "input_to_forget_weights", "input_to_cell_weights",
    "input_to_output_weights", "recurrent_to_input_weights", "recurrent_to_forget_weights",
    "recurrent_to_cell_weights", "recurrent_to_output_weights", "cell_to_input_weights",
    "cell_to_forget_weights", "cell_to_output_weights", "input_gate_bias", "forget_gate_bias",
    "cell_gate_bias", "output_gate_bias"};

// Where one direction's inputs sit in the operator.
struct LstmInputs {
  const char* dir;  // "" (unidirectional), "forward", "backward"
  int first;        // input_to_input_weights
  int projection;   // projection_weights (bias follows)
  int h_state, c_state;
};

// One direction's weights in ONNX's form (the engine's operands).
struct LstmWeights {
  int64_t hidden = 0;
  bool cifg = false, peephole = false;
  std::vector<float> w, r, b, p;             // [4H, in], [4H, H], [8H], [3H]
  std::vector<float> h0, c0;                 // [batch, H]
};

std::string slot_name(const LstmInputs& in, int slot) {
  std::string s = kLstmSlotNames[slot];
  if (in.dir[0] != '\0') s = std::string(in.dir) + " " + s;
  return s;
}

Result<LstmWeights> read_lstm_direction(Emitter& e, const LstmInputs& in, const Sequence& s,
                                        bool& nonzero_state) {
  const auto at = [&](int slot) { return in.first + slot; };
  const auto present = [&](int slot) { return e.input(at(slot)) >= 0; };
  LstmWeights w;
  for (int k = 0; k < 2; ++k) {
    if (e.input(in.projection + k) >= 0) {
      return e.error(ErrorCode::kUnsupportedOp,
                     Emitter::label(in.projection + k,
                                    std::string(in.dir[0] ? std::string(in.dir) + " " : "") +
                                        (k == 0 ? "projection_weights" : "projection_bias")) +
                         " is present: LSTMs with a projection layer are not supported");
    }
  }
  // The forget gate's input weights fix H and check the input size.
  const int f_id = e.input(at(kInToForget));
  if (f_id < 0) {
    return e.error(ErrorCode::kInvalidGraph,
                   "required " + Emitter::label(at(kInToForget), slot_name(in, kInToForget)) +
                       " is absent");
  }
  const Shape& f_shape = e.graph().tensors[static_cast<size_t>(f_id)].shape;
  if (f_shape.size() != 2 || f_shape[0] < 1 || f_shape[1] != s.input) {
    return e.error(ErrorCode::kInvalidGraph,
                   Emitter::label(at(kInToForget), slot_name(in, kInToForget)) + " has shape " +
                       shape_to_string(f_shape) + ", expected Hx" + std::to_string(s.input) +
                       " for an input of size " + std::to_string(s.input));
  }
  const int64_t H = f_shape[0];
  w.hidden = H;
  w.cifg = !present(kInToInput);
  if (w.cifg && present(kRecToInput)) {
    return e.error(ErrorCode::kInvalidGraph,
                   Emitter::label(at(kRecToInput), slot_name(in, kRecToInput)) +
                       " is present without " +
                       Emitter::label(at(kInToInput), slot_name(in, kInToInput)));
  }
  w.peephole = present(kCellToForget) || present(kCellToOutput) ||
               (!w.cifg && present(kCellToInput));
  const auto read = [&](int slot, const Shape& shape) {
    return e.f32_constant(at(slot), slot_name(in, slot), shape);
  };
  const Shape in_w{H, s.input}, rec_w{H, H}, vec{H};
  // ONNX's gate order: i, o, f, c. CIFG's i rows stay zero (never read).
  // Every tensor is read (its data checked to be in the file) before the
  // ONNX-form arrays are sized, so a hostile shape cannot ask for more
  // memory than the file holds.
  const int in_slots[4] = {kInToInput, kInToOutput, kInToForget, kInToCell};
  const int rec_slots[4] = {kRecToInput, kRecToOutput, kRecToForget, kRecToCell};
  const int bias_slots[4] = {kInputBias, kOutputBias, kForgetBias, kCellBias};
  const int peep_slots[3] = {kCellToInput, kCellToOutput, kCellToForget};
  std::vector<float> gate_in[4], gate_rec[4], gate_bias[4], peep[3];
  for (int g = 0; g < 4; ++g) {
    if (g == 0 && w.cifg) continue;
    OPSCOPE_ASSIGN_OR_RETURN(gate_in[g], read(in_slots[g], in_w));
    OPSCOPE_ASSIGN_OR_RETURN(gate_rec[g], read(rec_slots[g], rec_w));
    OPSCOPE_ASSIGN_OR_RETURN(gate_bias[g], read(bias_slots[g], vec));
  }
  for (int g = 0; g < 3 && w.peephole; ++g) {
    if (g == 0 && w.cifg) continue;
    OPSCOPE_ASSIGN_OR_RETURN(peep[g], read(peep_slots[g], vec));
  }
  w.w.assign(static_cast<size_t>(4 * H * s.input), 0.0f);
  w.r.assign(static_cast<size_t>(4 * H * H), 0.0f);
  w.b.assign(static_cast<size_t>(8 * H), 0.0f);
  for (int g = 0; g < 4; ++g) {
    std::copy(gate_in[g].begin(), gate_in[g].end(), w.w.begin() + g * H * s.input);
    std::copy(gate_rec[g].begin(), gate_rec[g].end(), w.r.begin() + g * H * H);
    std::copy(gate_bias[g].begin(), gate_bias[g].end(), w.b.begin() + g * H);
  }
  if (w.peephole) {
    w.p.assign(static_cast<size_t>(3 * H), 0.0f);  // P: i, o, f
    for (int g = 0; g < 3; ++g) std::copy(peep[g].begin(), peep[g].end(), w.p.begin() + g * H);
  }
  OPSCOPE_ASSIGN_OR_RETURN(
      w.h0, read_state(e, in.h_state,
                       std::string(in.dir[0] ? std::string(in.dir) + " " : "") + "output_state", s,
                       H, nonzero_state));
  OPSCOPE_ASSIGN_OR_RETURN(
      w.c0, read_state(e, in.c_state,
                       std::string(in.dir[0] ? std::string(in.dir) + " " : "") + "cell_state", s,
                       H, nonzero_state));
  return w;
}

// The fused activation as a gate function: TANH or RELU, and NONE (the
// identity) where `allow_none`; anything else is refused naming `op`.
Result<GateFunction> fused_activation(Emitter& e, fb::ActivationFunctionType a, bool allow_none,
                                      const char* op) {
  switch (a) {
    case fb::ActivationFunctionType::TANH: return GateFunction{GateActivation::kTanh, 0, 0};
    case fb::ActivationFunctionType::RELU: return GateFunction{GateActivation::kRelu, 0, 0};
    case fb::ActivationFunctionType::NONE:
      if (allow_none) return GateFunction{GateActivation::kAffine, 1, 0};
      break;
    default: break;
  }
  const char* name = fb::EnumNameActivationFunctionType(a);
  return e.error(ErrorCode::kUnsupportedOp,
                 std::string("fused activation ") +
                     (name && name[0] ? name : std::to_string(static_cast<int>(a))) +
                     " is not supported for " + op +
                     (allow_none ? " (NONE, TANH and RELU are)" : " (TANH and RELU are)"));
}

// The LSTM fused activation: the cell gate's and the output's function.
Result<GateFunction> lstm_activation(Emitter& e, fb::ActivationFunctionType a) {
  return fused_activation(e, a, /*allow_none=*/false, "LSTM");
}

Status check_clips(Emitter& e, float cell_clip, float proj_clip) {
  if (!(cell_clip >= 0.0f)) {
    return e.error(ErrorCode::kInvalidGraph, "cell_clip " + std::to_string(cell_clip) +
                                                 " is negative");
  }
  (void)proj_clip;  // only read with a projection, which is refused
  return Status::ok();
}

// Emits one LSTM node over `dirs` (1: `direction`, 2: bidirectional) whose
// Y goes to a new intermediate, which it returns.
Result<int> emit_lstm(Emitter& e, const Sequence& s, const std::vector<LstmWeights>& dirs_w,
                      RecurrentAttrs::Direction direction, const GateFunction& act,
                      float cell_clip, bool nonzero_state, const std::string& suffix) {
  const int64_t dirs = static_cast<int64_t>(dirs_w.size());
  const int64_t H = dirs_w[0].hidden;
  const bool cifg = dirs_w[0].cifg;
  bool peephole = false;
  std::vector<float> w, r, b, p;
  std::vector<std::vector<float>> h0, c0;
  for (const LstmWeights& d : dirs_w) {
    w.insert(w.end(), d.w.begin(), d.w.end());
    r.insert(r.end(), d.r.begin(), d.r.end());
    b.insert(b.end(), d.b.begin(), d.b.end());
    peephole = peephole || d.peephole;
    h0.push_back(d.h0);
    c0.push_back(d.c0);
  }
  if (peephole) {
    // A direction without peepholes gets zeros, which is the same.
    for (const LstmWeights& d : dirs_w) {
      if (d.peephole) {
        p.insert(p.end(), d.p.begin(), d.p.end());
      } else {
        p.insert(p.end(), static_cast<size_t>(3 * H), 0.0f);
      }
    }
  }
  const std::string pre = suffix.empty() ? "" : suffix + "_";
  OPSCOPE_ASSIGN_OR_RETURN(const int w_id,
                           e.new_f32_constant(pre + "W", Shape{dirs, 4 * H, s.input}, w));
  OPSCOPE_ASSIGN_OR_RETURN(const int r_id, e.new_f32_constant(pre + "R", Shape{dirs, 4 * H, H}, r));
  OPSCOPE_ASSIGN_OR_RETURN(const int b_id, e.new_f32_constant(pre + "B", Shape{dirs, 8 * H}, b));
  int p_id = -1;
  if (peephole) {
    OPSCOPE_ASSIGN_OR_RETURN(p_id, e.new_f32_constant(pre + "P", Shape{dirs, 3 * H}, p));
  }
  OPSCOPE_ASSIGN_OR_RETURN(const int h_id,
                           initial_state(e, pre + "initial_h", s, H, h0, nonzero_state));
  OPSCOPE_ASSIGN_OR_RETURN(const int c_id,
                           initial_state(e, pre + "initial_c", s, H, c0, nonzero_state));
  RecurrentAttrs a;
  a.direction = direction;
  a.hidden_size = H;
  a.batch_first = !s.time_major;
  a.cell_clip = cell_clip;
  a.input_forget = cifg;
  const GateFunction sigmoid{GateActivation::kSigmoid, 0, 0};
  for (int64_t d = 0; d < dirs; ++d) {
    a.activations.insert(a.activations.end(), {sigmoid, act, act});
  }
  const int y = e.new_intermediate(pre + "Y", s.y_shape(dirs, H));
  OPSCOPE_RETURN_IF_ERROR(
      e.emit(OpKind::kLstm, a, {s.x, w_id, r_id, b_id, -1, h_id, c_id, p_id}, {y}, suffix));
  return y;
}

Status unidirectional_sequence_lstm(const OpContext& c, Node& node) {
  Emitter e(c, node);
  const int n = static_cast<int>(node.inputs.size());
  if (n != 20 && n != 24) {
    return e.error(ErrorCode::kInvalidGraph,
                   "has " + std::to_string(n) + " inputs, expected 20 or 24");
  }
  if (node.outputs.size() != 1) {
    return e.error(ErrorCode::kInvalidGraph, "has " + std::to_string(node.outputs.size()) +
                                                 " outputs, expected 1");
  }
  const auto& o = options_or_defaults(c.op.builtin_options_as_UnidirectionalSequenceLSTMOptions());
  if (o.diagonal_recurrent_tensors()) {
    return e.error(ErrorCode::kUnsupportedOp, "diagonal_recurrent_tensors is not supported");
  }
  for (int k = 20; k < n; ++k) {
    if (e.input(k) >= 0) {
      return e.error(ErrorCode::kUnsupportedOp,
                     "input " + std::to_string(k) +
                         " (a layer norm coefficient) is present: layer-norm LSTMs are not "
                         "supported");
    }
  }
  OPSCOPE_RETURN_IF_ERROR(check_clips(e, o.cell_clip(), o.proj_clip()));
  OPSCOPE_ASSIGN_OR_RETURN(const GateFunction act,
                           lstm_activation(e, o.fused_activation_function()));
  OPSCOPE_ASSIGN_OR_RETURN(const Sequence s, read_sequence(e, o.time_major()));
  bool nonzero_state = false;
  OPSCOPE_ASSIGN_OR_RETURN(LstmWeights w,
                           read_lstm_direction(e, LstmInputs{"", 1, 16, 18, 19}, s, nonzero_state));
  OPSCOPE_ASSIGN_OR_RETURN(const int out, e.output(0, s.output_shape(w.hidden)));
  OPSCOPE_ASSIGN_OR_RETURN(
      const int y, emit_lstm(e, s, {w}, RecurrentAttrs::Direction::kForward, act, o.cell_clip(),
                             nonzero_state, ""));
  return e.emit_to_output(y, out, s.y_shape(1, w.hidden), s.output_shape(w.hidden), false, "out");
}

Status bidirectional_sequence_lstm(const OpContext& c, Node& node) {
  Emitter e(c, node);
  const int n = static_cast<int>(node.inputs.size());
  if (n != 48) {
    return e.error(ErrorCode::kInvalidGraph,
                   "has " + std::to_string(n) + " inputs, expected 48");
  }
  const auto& o = options_or_defaults(c.op.builtin_options_as_BidirectionalSequenceLSTMOptions());
  const size_t want_outputs = o.merge_outputs() ? 1 : 2;
  if (node.outputs.size() != want_outputs) {
    return e.error(ErrorCode::kInvalidGraph,
                   "has " + std::to_string(node.outputs.size()) + " outputs, expected " +
                       std::to_string(want_outputs) + " (merge_outputs " +
                       (o.merge_outputs() ? "true" : "false") + ")");
  }
  for (int k = 39; k < 48; ++k) {
    if (e.input(k) >= 0) {
      return e.error(ErrorCode::kUnsupportedOp,
                     "input " + std::to_string(k) +
                         (k == 39 ? " (aux_input)" : " (an aux input weight)") +
                         " is present: auxiliary inputs are not supported");
    }
  }
  OPSCOPE_RETURN_IF_ERROR(check_clips(e, o.cell_clip(), o.proj_clip()));
  OPSCOPE_ASSIGN_OR_RETURN(const GateFunction act,
                           lstm_activation(e, o.fused_activation_function()));
  OPSCOPE_ASSIGN_OR_RETURN(const Sequence s, read_sequence(e, o.time_major()));
  bool fw_nonzero = false, bw_nonzero = false;
  OPSCOPE_ASSIGN_OR_RETURN(
      LstmWeights fw, read_lstm_direction(e, LstmInputs{"forward", 1, 16, 35, 36}, s, fw_nonzero));
  OPSCOPE_ASSIGN_OR_RETURN(
      LstmWeights bw,
      read_lstm_direction(e, LstmInputs{"backward", 18, 33, 37, 38}, s, bw_nonzero));

  if (!o.merge_outputs()) {
    // Two outputs: one node per direction, each straight into its output.
    OPSCOPE_ASSIGN_OR_RETURN(const int fw_out, e.output(0, s.output_shape(fw.hidden)));
    OPSCOPE_ASSIGN_OR_RETURN(const int bw_out, e.output(1, s.output_shape(bw.hidden)));
    OPSCOPE_ASSIGN_OR_RETURN(
        const int fw_y, emit_lstm(e, s, {fw}, RecurrentAttrs::Direction::kForward, act,
                                  o.cell_clip(), fw_nonzero, "fw"));
    OPSCOPE_RETURN_IF_ERROR(e.emit_to_output(fw_y, fw_out, s.y_shape(1, fw.hidden),
                                             s.output_shape(fw.hidden), false, "fw_out"));
    OPSCOPE_ASSIGN_OR_RETURN(
        const int bw_y, emit_lstm(e, s, {bw}, RecurrentAttrs::Direction::kReverse, act,
                                  o.cell_clip(), bw_nonzero, "bw"));
    return e.emit_to_output(bw_y, bw_out, s.y_shape(1, bw.hidden), s.output_shape(bw.hidden),
                            false, "bw_out");
  }
  // Merged: one bidirectional node; [.., 2, H] -> [.., 2H] is the
  // concatenation of the two directions along the last axis.
  if (fw.hidden != bw.hidden) {
    return e.error(ErrorCode::kUnsupportedOp,
                   "the directions have different cell counts (" + std::to_string(fw.hidden) +
                       " and " + std::to_string(bw.hidden) + ") with merge_outputs");
  }
  if (fw.cifg != bw.cifg) {
    return e.error(ErrorCode::kUnsupportedOp,
                   "one direction couples its input and forget gates (CIFG) and the other "
                   "does not");
  }
  const int64_t H = fw.hidden;
  OPSCOPE_ASSIGN_OR_RETURN(const int out, e.output(0, s.output_shape(2 * H)));
  OPSCOPE_ASSIGN_OR_RETURN(
      const int y, emit_lstm(e, s, {fw, bw}, RecurrentAttrs::Direction::kBidirectional, act,
                             o.cell_clip(), fw_nonzero || bw_nonzero, ""));
  return e.emit_to_output(y, out, s.y_shape(2, H), s.output_shape(2 * H), s.time_major, "out");
}

// ----------------------------------------------------------------- RNN ---

Result<GateFunction> rnn_activation(Emitter& e, fb::ActivationFunctionType a) {
  return fused_activation(e, a, /*allow_none=*/true, "RNN");
}

// (input, input_weights [H, in], recurrent_weights [H, H], bias [H],
//  hidden_state [batch, H] variable) -> output.
Status unidirectional_sequence_rnn(const OpContext& c, Node& node) {
  Emitter e(c, node);
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 5, 5));
  const auto& o = options_or_defaults(c.op.builtin_options_as_SequenceRNNOptions());
  OPSCOPE_ASSIGN_OR_RETURN(const GateFunction act,
                           rnn_activation(e, o.fused_activation_function()));
  OPSCOPE_ASSIGN_OR_RETURN(const Sequence s, read_sequence(e, o.time_major()));
  const Shape& w_shape = e.graph().tensors[static_cast<size_t>(e.input(1))].shape;
  if (w_shape.size() != 2 || w_shape[0] < 1 || w_shape[1] != s.input) {
    return e.error(ErrorCode::kInvalidGraph,
                   "input 1 (input_weights) has shape " + shape_to_string(w_shape) +
                       ", expected Hx" + std::to_string(s.input) + " for an input of size " +
                       std::to_string(s.input));
  }
  const int64_t H = w_shape[0];
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<float> w, e.f32_constant(1, "input_weights", {H, s.input}));
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<float> r, e.f32_constant(2, "recurrent_weights", {H, H}));
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<float> b, e.f32_constant(3, "bias", {H}));
  bool nonzero_state = false;
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<float> h0,
                           read_state(e, 4, "hidden_state", s, H, nonzero_state));
  OPSCOPE_ASSIGN_OR_RETURN(const int out, e.output(0, s.output_shape(H)));
  b.resize(static_cast<size_t>(2 * H), 0.0f);  // ONNX's Rb: zero
  OPSCOPE_ASSIGN_OR_RETURN(const int w_id, e.new_f32_constant("W", Shape{1, H, s.input}, w));
  OPSCOPE_ASSIGN_OR_RETURN(const int r_id, e.new_f32_constant("R", Shape{1, H, H}, r));
  OPSCOPE_ASSIGN_OR_RETURN(const int b_id, e.new_f32_constant("B", Shape{1, 2 * H}, b));
  OPSCOPE_ASSIGN_OR_RETURN(const int h_id, initial_state(e, "initial_h", s, H, {h0}, nonzero_state));
  RecurrentAttrs a;
  a.direction = RecurrentAttrs::Direction::kForward;
  a.hidden_size = H;
  a.batch_first = !s.time_major;
  a.activations = {act};
  const int y = e.new_intermediate("Y", s.y_shape(1, H));
  OPSCOPE_RETURN_IF_ERROR(e.emit(OpKind::kRnn, a, {s.x, w_id, r_id, b_id, -1, h_id}, {y}, ""));
  return e.emit_to_output(y, out, s.y_shape(1, H), s.output_shape(H), false, "out");
}

}  // namespace

bool is_sequence_recurrent(int32_t builtin_code) {
  switch (static_cast<BuiltinOperator>(builtin_code)) {
    case BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM:
    case BuiltinOperator::BIDIRECTIONAL_SEQUENCE_LSTM:
    case BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_RNN:
      return true;
    default:
      return false;
  }
}

Status translate_sequence_recurrent(const OpContext& c, Node node) {
  switch (static_cast<BuiltinOperator>(c.builtin_code)) {
    case BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM:
      return unidirectional_sequence_lstm(c, node);
    case BuiltinOperator::BIDIRECTIONAL_SEQUENCE_LSTM:
      return bidirectional_sequence_lstm(c, node);
    case BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_RNN:
      return unidirectional_sequence_rnn(c, node);
    default:
      return node_error(node, ErrorCode::kInternal, "is not a sequence recurrent op");
  }
}

}  // namespace opscope::tflite
