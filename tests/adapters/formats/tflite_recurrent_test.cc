// TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM, BIDIRECTIONAL_SEQUENCE_LSTM and
// UNIDIRECTIONAL_SEQUENCE_RNN through the reader to the engine's LSTM / RNN
// (ONNX's form), run on the reference backend against a naive
// double-precision evaluation of TFLite's semantics; and the models the
// reader refuses, with errors that name the node and the op.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "adapters/formats/tflite/tflite_reader.h"
#include "engine/session.h"
#include "tests/adapters/formats/tflite_recurrent_models.h"

namespace opscope::tflite {
namespace {

using fb::TensorType;
using testing::RecurrentCase;
using testing::RecurrentKind;
using testing::TfliteModelBuilder;

class TfliteRecurrent : public ::testing::TestWithParam<RecurrentCase> {};

TEST_P(TfliteRecurrent, MatchesNaiveReference) {
  const RecurrentCase& c = GetParam();
  const testing::RecurrentModel m = testing::build_recurrent_model(c);
  auto loaded = load_tflite_buffer(testing::share(m.bytes), c.name + ".tflite", nullptr);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const std::shared_ptr<Model> model = loaded.value();
  const OpKind want = c.kind == RecurrentKind::kRnn ? OpKind::kRnn : OpKind::kLstm;
  ASSERT_FALSE(model->graph.nodes.empty());
  EXPECT_EQ(model->graph.nodes[0].op, want);
  for (const Node& n : model->graph.nodes) EXPECT_EQ(n.source_index, 0);
  if (want == OpKind::kLstm) {
    const auto& a = model->graph.nodes[0].attr<RecurrentAttrs>();
    EXPECT_EQ(a.input_forget, c.cifg);
    EXPECT_EQ(a.cell_clip, c.cell_clip);
    EXPECT_EQ(a.batch_first, !c.time_major);
  }

  SessionOptions options;
  options.backends = {"cpu"};
  auto s = Session::create(model, options);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  const std::vector<float> x = testing::recurrent_input(c);
  std::memcpy((*s)->input_data(0), x.data(), x.size() * sizeof(float));
  ASSERT_TRUE((*s)->invoke().is_ok());
  const auto want_out = testing::naive_recurrent(c, m, x);
  ASSERT_EQ(model->graph.outputs.size(), want_out.size());
  for (size_t k = 0; k < want_out.size(); ++k) {
    const auto* out = static_cast<const float*>((*s)->output_data(static_cast<int>(k)));
    double max_err = 0, max_ref = 0;
    for (size_t i = 0; i < want_out[k].size(); ++i) {
      max_err = std::max(max_err, std::fabs(out[i] - want_out[k][i]));
      max_ref = std::max(max_ref, std::fabs(want_out[k][i]));
    }
    EXPECT_LT(max_err, 2e-6) << c.name << " output " << k;
    EXPECT_GT(max_ref, 0.05) << c.name << ": outputs too small to tell anything";
    std::printf("[ naive    ] %-40s output %zu: max abs error %.3g (max |ref| %.3g)\n",
                c.name.c_str(), k, max_err, max_ref);
  }
  if (c.cell_clip > 0) {
    // The clip must bite, or the case would not test it.
    RecurrentCase unclipped = c;
    unclipped.cell_clip = 0;
    const auto free_out = testing::naive_recurrent(unclipped, m, x);
    double diff = 0;
    for (size_t i = 0; i < free_out[0].size(); ++i) {
      diff = std::max(diff, std::fabs(free_out[0][i] - want_out[0][i]));
    }
    EXPECT_GT(diff, 1e-2) << c.name << ": cell_clip changes nothing";
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, TfliteRecurrent, ::testing::ValuesIn(testing::recurrent_cases()),
                         [](const ::testing::TestParamInfo<RecurrentCase>& info) {
                           return info.param.name;
                         });

// A state input that is a constant with data (not TFLite's usual zero
// variable) is the initial state: the first step sees it.
TEST(TfliteRecurrentState, NonzeroConstantStateIsTheInitialState) {
  RecurrentCase c;
  c.name = "rnn_state";
  c.kind = RecurrentKind::kRnn;
  const std::vector<float> h0 = {0.5f, -0.25f, 0.75f, 0.1f, -0.5f, 0.3f, 0.2f, -0.6f};
  c.tweak = [&](TfliteModelBuilder& b, std::vector<int32_t>& ins, std::vector<int32_t>&) {
    ins[4] = b.add_constant<float>("h0", TensorType::FLOAT32, {2, 4}, h0);
  };
  const testing::RecurrentModel m = testing::build_recurrent_model(c);
  auto loaded = load_tflite_buffer(testing::share(m.bytes), "state.tflite", nullptr);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  SessionOptions options;
  options.backends = {"cpu"};
  auto s = Session::create(*loaded, options);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  const std::vector<float> x = testing::recurrent_input(c);
  std::memcpy((*s)->input_data(0), x.data(), x.size() * sizeof(float));
  ASSERT_TRUE((*s)->invoke().is_ok());
  const auto* out = static_cast<const float*>((*s)->output_data(0));
  for (int b = 0; b < 2; ++b) {
    for (int j = 0; j < 4; ++j) {
      double v = m.rnn_b[j];
      for (int k = 0; k < 3; ++k) v += double(m.rnn_w[j * 3 + k]) * x[b * 3 + k];
      for (int k = 0; k < 4; ++k) v += double(m.rnn_r[j * 4 + k]) * h0[b * 4 + k];
      EXPECT_NEAR(out[b * 4 + j], std::tanh(v), 1e-6) << "batch " << b << " unit " << j;
    }
  }
}

// The reader's error for a model built from `c`.
Status load_error(const RecurrentCase& c) {
  const testing::RecurrentModel m = testing::build_recurrent_model(c);
  auto loaded = load_tflite_buffer(testing::share(m.bytes), "bad.tflite", nullptr);
  return loaded.status();
}

void expect_error(const Status& st, ErrorCode code, const std::string& op,
                  const std::vector<std::string>& parts) {
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), code) << st.to_string();
  EXPECT_NE(st.message().find("node 0"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("(" + op + ")"), std::string::npos) << st.message();
  for (const std::string& p : parts) {
    EXPECT_NE(st.message().find(p), std::string::npos) << "'" << p << "' not in: " << st.message();
  }
}

RecurrentCase lstm_case() {
  RecurrentCase c;
  c.name = "bad";
  return c;
}

constexpr const char* kUniLstm = "UNIDIRECTIONAL_SEQUENCE_LSTM";

TEST(TfliteRecurrentErrors, RejectsMissingRequiredWeights) {
  RecurrentCase c = lstm_case();
  c.tweak = [](TfliteModelBuilder&, std::vector<int32_t>& ins, std::vector<int32_t>&) {
    ins[2] = -1;  // input_to_forget_weights
  };
  expect_error(load_error(c), ErrorCode::kInvalidGraph, kUniLstm,
               {"input 2 (input_to_forget_weights)", "absent"});
  c.tweak = [](TfliteModelBuilder&, std::vector<int32_t>& ins, std::vector<int32_t>&) {
    ins[14] = -1;  // cell_gate_bias
  };
  expect_error(load_error(c), ErrorCode::kInvalidGraph, kUniLstm,
               {"input 14 (cell_gate_bias)", "absent"});
}

TEST(TfliteRecurrentErrors, RejectsNonConstantWeights) {
  RecurrentCase c = lstm_case();
  c.tweak = [](TfliteModelBuilder& b, std::vector<int32_t>& ins, std::vector<int32_t>& graph_in) {
    ins[3] = b.add_tensor("fed_cell_weights", TensorType::FLOAT32, {4, 3});
    graph_in.push_back(ins[3]);
  };
  expect_error(load_error(c), ErrorCode::kUnsupportedOp, kUniLstm,
               {"input 3 (input_to_cell_weights) 'fed_cell_weights' is not a constant"});
}

TEST(TfliteRecurrentErrors, RejectsProjectionAndLayerNorm) {
  RecurrentCase c = lstm_case();
  c.tweak = [](TfliteModelBuilder& b, std::vector<int32_t>& ins, std::vector<int32_t>&) {
    ins[16] = b.add_constant<float>("proj", TensorType::FLOAT32, {4, 4},
                                    std::vector<float>(16, 0.1f));
  };
  expect_error(load_error(c), ErrorCode::kUnsupportedOp, kUniLstm,
               {"input 16 (projection_weights)", "projection"});
  c.tweak = [](TfliteModelBuilder& b, std::vector<int32_t>& ins, std::vector<int32_t>&) {
    ins[21] = b.add_constant<float>("ln", TensorType::FLOAT32, {4}, std::vector<float>(4, 1));
  };
  expect_error(load_error(c), ErrorCode::kUnsupportedOp, kUniLstm, {"input 21", "layer-norm"});
}

TEST(TfliteRecurrentErrors, RejectsWrongWeightShapes) {
  RecurrentCase c = lstm_case();
  c.tweak = [](TfliteModelBuilder& b, std::vector<int32_t>& ins, std::vector<int32_t>&) {
    ins[6] = b.add_constant<float>("r_f", TensorType::FLOAT32, {4, 5},
                                   std::vector<float>(20, 0.1f));
  };
  expect_error(load_error(c), ErrorCode::kInvalidGraph, kUniLstm,
               {"input 6 (recurrent_to_forget_weights) has shape 4x5, expected 4x4"});
  c.tweak = [](TfliteModelBuilder& b, std::vector<int32_t>& ins, std::vector<int32_t>&) {
    ins[2] = b.add_constant<float>("w_f", TensorType::FLOAT32, {4, 2},
                                   std::vector<float>(8, 0.1f));
  };
  expect_error(load_error(c), ErrorCode::kInvalidGraph, kUniLstm,
               {"input 2 (input_to_forget_weights) has shape 4x2, expected Hx3", "input of size 3"});
}

TEST(TfliteRecurrentErrors, RejectsHybridWeightsAndOddGates) {
  RecurrentCase c = lstm_case();
  c.tweak = [](TfliteModelBuilder& b, std::vector<int32_t>& ins, std::vector<int32_t>&) {
    ins[4] = b.add_constant<int8_t>("w_o_i8", TensorType::INT8, {4, 3},
                                    std::vector<int8_t>(12, 3));
    b.tensor(ins[4]).scales = {0.01f};
    b.tensor(ins[4]).zero_points = {0};
  };
  expect_error(load_error(c), ErrorCode::kUnsupportedOp, kUniLstm,
               {"input 4 (input_to_output_weights) is i8", "only float32"});
  // Input gate recurrent weights without its input weights: neither CIFG
  // nor a full LSTM.
  c.cifg = true;
  c.tweak = [](TfliteModelBuilder& b, std::vector<int32_t>& ins, std::vector<int32_t>&) {
    ins[5] = b.add_constant<float>("r_i", TensorType::FLOAT32, {4, 4},
                                   std::vector<float>(16, 0.1f));
  };
  expect_error(load_error(c), ErrorCode::kInvalidGraph, kUniLstm,
               {"input 5 (recurrent_to_input_weights) is present without input 1"});
}

TEST(TfliteRecurrentErrors, RejectsUnsupportedActivations) {
  RecurrentCase c = lstm_case();
  c.activation = fb::ActivationFunctionType::RELU6;
  expect_error(load_error(c), ErrorCode::kUnsupportedOp, kUniLstm,
               {"fused activation RELU6 is not supported for LSTM"});
  c.kind = RecurrentKind::kRnn;
  c.activation = fb::ActivationFunctionType::SIGN_BIT;
  expect_error(load_error(c), ErrorCode::kUnsupportedOp, "UNIDIRECTIONAL_SEQUENCE_RNN",
               {"fused activation SIGN_BIT is not supported for RNN"});
}

TEST(TfliteRecurrentErrors, RejectsBadRnnAndBidirectionalInputs) {
  RecurrentCase c = lstm_case();
  c.kind = RecurrentKind::kRnn;
  c.tweak = [](TfliteModelBuilder& b, std::vector<int32_t>& ins, std::vector<int32_t>& graph_in) {
    ins[2] = b.add_tensor("fed_r", TensorType::FLOAT32, {4, 4});
    graph_in.push_back(ins[2]);
  };
  expect_error(load_error(c), ErrorCode::kUnsupportedOp, "UNIDIRECTIONAL_SEQUENCE_RNN",
               {"input 2 (recurrent_weights)", "not a constant"});
  c.tweak = [](TfliteModelBuilder& b, std::vector<int32_t>& ins, std::vector<int32_t>&) {
    ins[3] = b.add_constant<float>("b5", TensorType::FLOAT32, {5}, std::vector<float>(5, 0));
  };
  expect_error(load_error(c), ErrorCode::kInvalidGraph, "UNIDIRECTIONAL_SEQUENCE_RNN",
               {"input 3 (bias) has shape 5, expected 4"});

  c.kind = RecurrentKind::kBiLstm;
  c.tweak = [](TfliteModelBuilder& b, std::vector<int32_t>& ins, std::vector<int32_t>&) {
    ins[39] = b.add_constant<float>("aux", TensorType::FLOAT32, {5, 2, 3},
                                    std::vector<float>(30, 0));
  };
  expect_error(load_error(c), ErrorCode::kUnsupportedOp, "BIDIRECTIONAL_SEQUENCE_LSTM",
               {"input 39 (aux_input)", "auxiliary inputs"});
  c.tweak = [](TfliteModelBuilder&, std::vector<int32_t>& ins, std::vector<int32_t>&) {
    ins[19] = -1;  // backward input_to_forget_weights
  };
  expect_error(load_error(c), ErrorCode::kInvalidGraph, "BIDIRECTIONAL_SEQUENCE_LSTM",
               {"input 19 (backward input_to_forget_weights)", "absent"});
}

}  // namespace
}  // namespace opscope::tflite
