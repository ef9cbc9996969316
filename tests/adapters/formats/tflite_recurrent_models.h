// Small synthetic TFLite sequence recurrent models (UNIDIRECTIONAL_SEQUENCE_LSTM,
// BIDIRECTIONAL_SEQUENCE_LSTM, UNIDIRECTIONAL_SEQUENCE_RNN) with seeded
// constant weights, and a naive double-precision evaluation of the same
// layer written from TFLite's float kernel semantics (lstm_eval.cc,
// rnn: h = act(W x + R h + b)). Shared by the reader's tests (naive
// reference) and the LiteRT.js test.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "tests/adapters/formats/tflite_model_builder.h"

namespace opscope::tflite::testing {

enum class RecurrentKind { kLstm, kBiLstm, kRnn };

struct RecurrentCase {
  std::string name;
  RecurrentKind kind = RecurrentKind::kLstm;
  int seq = 5, batch = 2, input = 3, hidden = 4;
  bool time_major = true;
  bool peephole = false;
  bool cifg = false;  // LSTM: no input gate tensors (coupled i = 1 - f)
  float cell_clip = 0.0f;
  fb::ActivationFunctionType activation = fb::ActivationFunctionType::TANH;
  bool merge_outputs = true;  // bidirectional
  uint32_t seed = 1;
  // Applied to the operator's inputs (and the graph's inputs) before the
  // operator is added: the bad-input tests break the model here.
  std::function<void(TfliteModelBuilder&, std::vector<int32_t>& op_inputs,
                     std::vector<int32_t>& graph_inputs)>
      tweak;
};

// gtest prints a case by its name.
inline void PrintTo(const RecurrentCase& c, std::ostream* os) { *os << c.name; }

// One LSTM direction in TFLite's order: gates i, f, c, o; peepholes i, f, o.
struct LstmDirWeights {
  std::vector<float> in_w[4], rec_w[4], peep[3], bias[4];
};

struct RecurrentModel {
  std::vector<uint8_t> bytes;
  std::vector<LstmDirWeights> lstm;  // 1 or 2 directions
  std::vector<float> rnn_w, rnn_r, rnn_b;
  std::vector<int32_t> input_shape;
  std::vector<std::vector<int32_t>> output_shapes;
};

// Uniform in [lo, hi), from a small LCG: the same values on every platform.
class SeededUniform {
 public:
  explicit SeededUniform(uint32_t seed) : state_(seed * 2654435761u + 12345u) {}
  float next(float lo, float hi) {
    state_ = state_ * 1664525u + 1013904223u;
    return lo + (hi - lo) * static_cast<float>(state_ >> 8) / static_cast<float>(1u << 24);
  }
  std::vector<float> vec(size_t n, float lo, float hi) {
    std::vector<float> v(n);
    for (float& f : v) f = next(lo, hi);
    return v;
  }

 private:
  uint32_t state_;
};

inline std::vector<float> recurrent_input(const RecurrentCase& c) {
  SeededUniform u(c.seed + 1000);
  return u.vec(static_cast<size_t>(c.seq * c.batch * c.input), -1.0f, 1.0f);
}

inline LstmDirWeights make_lstm_weights(const RecurrentCase& c, SeededUniform& u) {
  const size_t H = static_cast<size_t>(c.hidden), I = static_cast<size_t>(c.input);
  LstmDirWeights w;
  for (int g = 0; g < 4; ++g) {
    w.in_w[g] = u.vec(H * I, -1.0f, 1.0f);
    w.rec_w[g] = u.vec(H * H, -1.0f, 1.0f);
    w.bias[g] = u.vec(H, -0.5f, 0.5f);
  }
  for (int g = 0; g < 3; ++g) w.peep[g] = u.vec(H, -0.8f, 0.8f);
  return w;
}

// Adds one LSTM direction's 15 gate inputs (TFLite's order) to `ins`.
inline void add_lstm_direction(TfliteModelBuilder& b, const RecurrentCase& c,
                               const LstmDirWeights& w, const std::string& pre,
                               std::vector<int32_t>& ins) {
  const int H = c.hidden, I = c.input;
  const char* gate[4] = {"input", "forget", "cell", "output"};
  for (int g = 0; g < 4; ++g) {
    ins.push_back(c.cifg && g == 0 ? -1
                                   : b.add_constant<float>(pre + "in_to_" + gate[g],
                                                           fb::TensorType::FLOAT32, {H, I},
                                                           w.in_w[g]));
  }
  for (int g = 0; g < 4; ++g) {
    ins.push_back(c.cifg && g == 0 ? -1
                                   : b.add_constant<float>(pre + "rec_to_" + gate[g],
                                                           fb::TensorType::FLOAT32, {H, H},
                                                           w.rec_w[g]));
  }
  const char* peep[3] = {"input", "forget", "output"};
  for (int g = 0; g < 3; ++g) {
    ins.push_back(!c.peephole || (c.cifg && g == 0)
                      ? -1
                      : b.add_constant<float>(pre + "cell_to_" + peep[g],
                                              fb::TensorType::FLOAT32, {H}, w.peep[g]));
  }
  for (int g = 0; g < 4; ++g) {
    ins.push_back(c.cifg && g == 0 ? -1
                                   : b.add_constant<float>(pre + gate[g] + "_bias",
                                                           fb::TensorType::FLOAT32, {H},
                                                           w.bias[g]));
  }
}

// A state input as TFLite writes it: a variable tensor without data.
inline int add_state(TfliteModelBuilder& b, const std::string& name, std::vector<int32_t> shape) {
  TensorDef def = tensor_def(name, fb::TensorType::FLOAT32, std::move(shape));
  def.is_variable = true;
  return b.add_tensor(std::move(def));
}

inline RecurrentModel build_recurrent_model(const RecurrentCase& c) {
  RecurrentModel m;
  TfliteModelBuilder b;
  SeededUniform u(c.seed);
  const int H = c.hidden;
  m.input_shape = c.time_major ? std::vector<int32_t>{c.seq, c.batch, c.input}
                               : std::vector<int32_t>{c.batch, c.seq, c.input};
  const auto out_shape = [&](int h) {
    return c.time_major ? std::vector<int32_t>{c.seq, c.batch, h}
                        : std::vector<int32_t>{c.batch, c.seq, h};
  };
  const int x = b.add_tensor("x", fb::TensorType::FLOAT32, m.input_shape);
  std::vector<int32_t> ins = {x};
  std::vector<int32_t> graph_inputs = {x};
  std::vector<int32_t> outs;
  uint32_t opcode = 0;
  OptionsDef options;
  if (c.kind == RecurrentKind::kRnn) {
    m.rnn_w = u.vec(static_cast<size_t>(H * c.input), -0.6f, 0.6f);
    m.rnn_r = u.vec(static_cast<size_t>(H * H), -0.6f, 0.6f);
    m.rnn_b = u.vec(static_cast<size_t>(H), -0.3f, 0.3f);
    ins.push_back(b.add_constant<float>("w", fb::TensorType::FLOAT32, {H, c.input}, m.rnn_w));
    ins.push_back(b.add_constant<float>("r", fb::TensorType::FLOAT32, {H, H}, m.rnn_r));
    ins.push_back(b.add_constant<float>("b", fb::TensorType::FLOAT32, {H}, m.rnn_b));
    ins.push_back(add_state(b, "h_state", {c.batch, H}));
    opcode = b.add_opcode(fb::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_RNN);
    options = b.options(fb::BuiltinOptions::SequenceRNNOptions,
                        fb::CreateSequenceRNNOptions(b.fbb(), c.time_major, c.activation));
    m.output_shapes = {out_shape(H)};
  } else if (c.kind == RecurrentKind::kLstm) {
    m.lstm = {make_lstm_weights(c, u)};
    add_lstm_direction(b, c, m.lstm[0], "", ins);
    ins.push_back(-1);  // projection weights
    ins.push_back(-1);  // projection bias
    ins.push_back(add_state(b, "h_state", {c.batch, H}));
    ins.push_back(add_state(b, "c_state", {c.batch, H}));
    for (int k = 0; k < 4; ++k) ins.push_back(-1);  // layer norm
    opcode = b.add_opcode(fb::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM);
    options = b.options(fb::BuiltinOptions::UnidirectionalSequenceLSTMOptions,
                        fb::CreateUnidirectionalSequenceLSTMOptions(
                            b.fbb(), c.activation, c.cell_clip, 0.0f, c.time_major));
    m.output_shapes = {out_shape(H)};
  } else {
    m.lstm = {make_lstm_weights(c, u), make_lstm_weights(c, u)};
    add_lstm_direction(b, c, m.lstm[0], "fw_", ins);
    ins.push_back(-1);
    ins.push_back(-1);
    add_lstm_direction(b, c, m.lstm[1], "bw_", ins);
    ins.push_back(-1);
    ins.push_back(-1);
    ins.push_back(add_state(b, "fw_h_state", {c.batch, H}));
    ins.push_back(add_state(b, "fw_c_state", {c.batch, H}));
    ins.push_back(add_state(b, "bw_h_state", {c.batch, H}));
    ins.push_back(add_state(b, "bw_c_state", {c.batch, H}));
    for (int k = 39; k < 48; ++k) ins.push_back(-1);  // aux input and weights
    opcode = b.add_opcode(fb::BuiltinOperator::BIDIRECTIONAL_SEQUENCE_LSTM);
    options = b.options(fb::BuiltinOptions::BidirectionalSequenceLSTMOptions,
                        fb::CreateBidirectionalSequenceLSTMOptions(
                            b.fbb(), c.activation, c.cell_clip, 0.0f, c.merge_outputs,
                            c.time_major));
    m.output_shapes = c.merge_outputs ? std::vector<std::vector<int32_t>>{out_shape(2 * H)}
                                      : std::vector<std::vector<int32_t>>{out_shape(H),
                                                                          out_shape(H)};
  }
  for (size_t k = 0; k < m.output_shapes.size(); ++k) {
    outs.push_back(b.add_tensor("y" + std::to_string(k), fb::TensorType::FLOAT32,
                                m.output_shapes[k]));
  }
  if (c.tweak) c.tweak(b, ins, graph_inputs);
  b.add_op(opcode, ins, outs, options);
  m.bytes = b.finish(graph_inputs, outs);
  return m;
}

inline double naive_act(fb::ActivationFunctionType a, double v) {
  switch (a) {
    case fb::ActivationFunctionType::TANH: return std::tanh(v);
    case fb::ActivationFunctionType::RELU: return v > 0 ? v : 0;
    default: return v;  // NONE
  }
}

inline double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// X index of (t, b, k) in the case's layout; the same for outputs with
// `width` in place of the input size.
inline size_t seq_at(const RecurrentCase& c, int t, int b, int k, int width) {
  const int row = c.time_major ? t * c.batch + b : b * c.seq + t;
  return static_cast<size_t>(row) * static_cast<size_t>(width) + static_cast<size_t>(k);
}

// One LSTM direction over the sequence; writes h at (t, b) into `out` of
// last-dim `width` at column `offset`.
inline void naive_lstm_direction(const RecurrentCase& c, const LstmDirWeights& w,
                                 const std::vector<float>& x, bool reverse, int width,
                                 int offset, std::vector<double>& out) {
  const int H = c.hidden, I = c.input;
  for (int b = 0; b < c.batch; ++b) {
    std::vector<double> h(H, 0.0), cs(H, 0.0);
    for (int s = 0; s < c.seq; ++s) {
      const int t = reverse ? c.seq - 1 - s : s;
      std::vector<double> pre[4];  // i, f, c, o
      for (int g = 0; g < 4; ++g) {
        pre[g].assign(H, 0.0);
        for (int j = 0; j < H; ++j) {
          double v = w.bias[g][j];
          for (int k = 0; k < I; ++k) v += double(w.in_w[g][j * I + k]) * x[seq_at(c, t, b, k, I)];
          for (int k = 0; k < H; ++k) v += double(w.rec_w[g][j * H + k]) * h[k];
          pre[g][j] = v;
        }
      }
      std::vector<double> next_h(H);
      for (int j = 0; j < H; ++j) {
        const double pi = c.peephole ? w.peep[0][j] * cs[j] : 0.0;
        const double pf = c.peephole ? w.peep[1][j] * cs[j] : 0.0;
        const double gf = sigmoid(pre[1][j] + pf);
        const double gi = c.cifg ? 1.0 - gf : sigmoid(pre[0][j] + pi);
        const double gg = naive_act(c.activation, pre[2][j]);
        double cell = gf * cs[j] + gi * gg;
        if (c.cell_clip > 0) cell = std::clamp<double>(cell, -c.cell_clip, c.cell_clip);
        cs[j] = cell;
        const double po = c.peephole ? w.peep[2][j] * cell : 0.0;
        const double go = sigmoid(pre[3][j] + po);
        next_h[j] = go * naive_act(c.activation, cell);
      }
      h = next_h;
      for (int j = 0; j < H; ++j) out[seq_at(c, t, b, offset + j, width)] = h[j];
    }
  }
}

// The layer's outputs in the file's output order and layout.
inline std::vector<std::vector<double>> naive_recurrent(const RecurrentCase& c,
                                                        const RecurrentModel& m,
                                                        const std::vector<float>& x) {
  const int H = c.hidden, I = c.input;
  const size_t cells = static_cast<size_t>(c.seq * c.batch);
  if (c.kind == RecurrentKind::kRnn) {
    std::vector<double> out(cells * H);
    for (int b = 0; b < c.batch; ++b) {
      std::vector<double> h(H, 0.0);
      for (int t = 0; t < c.seq; ++t) {
        std::vector<double> next(H);
        for (int j = 0; j < H; ++j) {
          double v = m.rnn_b[j];
          for (int k = 0; k < I; ++k) v += double(m.rnn_w[j * I + k]) * x[seq_at(c, t, b, k, I)];
          for (int k = 0; k < H; ++k) v += double(m.rnn_r[j * H + k]) * h[k];
          next[j] = naive_act(c.activation, v);
        }
        h = next;
        for (int j = 0; j < H; ++j) out[seq_at(c, t, b, j, H)] = h[j];
      }
    }
    return {out};
  }
  if (c.kind == RecurrentKind::kLstm) {
    std::vector<double> out(cells * H);
    naive_lstm_direction(c, m.lstm[0], x, false, H, 0, out);
    return {out};
  }
  if (c.merge_outputs) {
    std::vector<double> out(cells * 2 * H);
    naive_lstm_direction(c, m.lstm[0], x, false, 2 * H, 0, out);
    naive_lstm_direction(c, m.lstm[1], x, true, 2 * H, H, out);
    return {out};
  }
  std::vector<double> fw(cells * H), bw(cells * H);
  naive_lstm_direction(c, m.lstm[0], x, false, H, 0, fw);
  naive_lstm_direction(c, m.lstm[1], x, true, H, 0, bw);
  return {fw, bw};
}

// The cases both suites run: seq 5, batch 2, in 3, H 4 unless named.
inline std::vector<RecurrentCase> recurrent_cases() {
  std::vector<RecurrentCase> cases;
  const auto add = [&](RecurrentCase c) { cases.push_back(std::move(c)); };
  RecurrentCase c;
  c.name = "lstm_time_major";
  add(c);
  c.name = "lstm_batch_major";
  c.time_major = false;
  c.seed = 2;
  add(c);
  c = RecurrentCase{};
  c.name = "lstm_peephole";
  c.peephole = true;
  c.seed = 3;
  add(c);
  c.name = "lstm_peephole_cell_clip_batch_major";
  c.time_major = false;
  c.cell_clip = 0.3f;
  c.seed = 4;
  add(c);
  c = RecurrentCase{};
  c.name = "lstm_cifg_peephole";
  c.cifg = true;
  c.peephole = true;
  c.seed = 5;
  add(c);
  c = RecurrentCase{};
  c.name = "lstm_relu";
  c.activation = fb::ActivationFunctionType::RELU;
  c.seed = 6;
  add(c);
  c = RecurrentCase{};
  c.name = "bilstm_merged_time_major";
  c.kind = RecurrentKind::kBiLstm;
  c.seed = 7;
  add(c);
  c.name = "bilstm_merged_batch_major_peephole";
  c.time_major = false;
  c.peephole = true;
  c.seed = 8;
  add(c);
  c = RecurrentCase{};
  c.name = "bilstm_two_outputs";
  c.kind = RecurrentKind::kBiLstm;
  c.merge_outputs = false;
  c.cell_clip = 0.5f;
  c.seed = 9;
  add(c);
  c.name = "bilstm_two_outputs_batch_major_cifg";
  c.time_major = false;
  c.cifg = true;
  c.cell_clip = 0.2f;
  c.seed = 10;
  add(c);
  c = RecurrentCase{};
  c.name = "rnn_tanh";
  c.kind = RecurrentKind::kRnn;
  c.seed = 11;
  add(c);
  c.name = "rnn_relu_batch_major";
  c.activation = fb::ActivationFunctionType::RELU;
  c.time_major = false;
  c.seed = 12;
  add(c);
  c.name = "rnn_none";
  c.activation = fb::ActivationFunctionType::NONE;
  c.time_major = true;
  c.seed = 13;
  add(c);
  return cases;
}

}  // namespace opscope::tflite::testing
