// The TFLite writer: graphs written and read back by our reader are the same
// graph (tensors, quantization, constants, ops, attributes), run to the same
// bits, and writing the read-back graph again gives the same bytes. The
// real models (OPSCOPE_MODEL_DIR) are round-tripped too; LiteRT.js loading
// our files is tests/models/quantized_litert_agreement_test.cc.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "adapters/formats/tflite/tflite_reader.h"
#include "adapters/formats/tflite/tflite_writer.h"
#include "engine/session.h"
#include "engine/transforms/fold_constant_dequantize.h"

namespace opscope::tflite {
namespace {

template <typename T>
int add_constant(Graph& g, const std::string& name, DType dtype, Shape shape,
                 const std::vector<T>& values, Quantization q = {}) {
  Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.quantization = std::move(q);
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  t.set_owned_data(std::move(bytes));
  t.role = TensorRole::kConstant;
  return g.add_tensor(std::move(t));
}

int add_activation(Graph& g, const std::string& name, DType dtype, Shape shape,
                   Quantization q = {}, TensorRole role = TensorRole::kIntermediate) {
  Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.quantization = std::move(q);
  t.role = role;
  return g.add_tensor(std::move(t));
}

Quantization per_tensor(float scale, int64_t zero_point) {
  return Quantization{{scale}, {zero_point}, -1};
}

void add_node(Graph& g, OpKind op, const char* type, std::vector<int> in, std::vector<int> out,
              Attributes attrs = {}) {
  Node n;
  n.op = op;
  n.type_name = type;
  n.name = g.tensors[out[0]].name;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  n.attrs = std::move(attrs);
  n.source_index = static_cast<int>(g.nodes.size());
  g.nodes.push_back(std::move(n));
}

// f32 input -> QUANTIZE -> int8 CONV_2D (per-channel weights, int32 bias,
// RELU6) -> int8 AVERAGE_POOL -> DEQUANTIZE -> f32 output.
Graph small_int8_graph() {
  Graph g;
  const int in = add_activation(g, "in", DType::kF32, {1, 5, 5, 3}, {}, TensorRole::kInput);
  const int q_in = add_activation(g, "in_q", DType::kI8, {1, 5, 5, 3}, per_tensor(0.02f, -3));
  std::vector<int8_t> w(2 * 3 * 3 * 3);
  for (size_t k = 0; k < w.size(); ++k) w[k] = static_cast<int8_t>(static_cast<int>(k * 37 % 255) - 127);
  const int filter = add_constant(g, "filter", DType::kI8, {2, 3, 3, 3}, w,
                                  Quantization{{0.01f, 0.003f}, {0, 0}, 0});
  const int bias = add_constant(g, "bias", DType::kI32, {2}, std::vector<int32_t>{120, -45},
                                Quantization{{0.0002f, 0.00006f}, {0, 0}, 0});
  const int conv = add_activation(g, "conv", DType::kI8, {1, 3, 3, 2}, per_tensor(0.05f, -128));
  const int pool = add_activation(g, "pool", DType::kI8, {1, 1, 1, 2}, per_tensor(0.05f, -128));
  const int out = add_activation(g, "out", DType::kF32, {1, 1, 1, 2}, {}, TensorRole::kOutput);
  add_node(g, OpKind::kQuantize, "QUANTIZE", {in}, {q_in});
  Conv2DAttrs c;
  c.padding = Padding::kValid;
  c.activation = Activation::kRelu6;
  add_node(g, OpKind::kConv2D, "CONV_2D", {q_in, filter, bias}, {conv}, c);
  Pool2DAttrs p;
  p.filter_h = p.filter_w = 3;
  p.stride_h = p.stride_w = 3;
  add_node(g, OpKind::kAveragePool2D, "AVERAGE_POOL_2D", {conv}, {pool}, p);
  add_node(g, OpKind::kDequantize, "DEQUANTIZE", {pool}, {out});
  g.inputs = {in};
  g.outputs = {out};
  return g;
}

std::shared_ptr<Model> read_back(const std::vector<uint8_t>& bytes) {
  auto result = load_tflite_buffer(std::make_shared<const std::vector<uint8_t>>(bytes),
                                   "written.tflite");
  EXPECT_TRUE(result.is_ok()) << result.status().to_string();
  return result.is_ok() ? result.value() : nullptr;
}

// Same tensors (by position among used ones), same nodes, same io.
void expect_same_graph(const Graph& a, const Graph& b) {
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  ASSERT_EQ(a.inputs.size(), b.inputs.size());
  ASSERT_EQ(a.outputs.size(), b.outputs.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const Node& x = a.nodes[i];
    const Node& y = b.nodes[i];
    ASSERT_EQ(x.op, y.op) << "node " << i;
    EXPECT_EQ(x.type_name, y.type_name) << "node " << i;
    EXPECT_EQ(x.attrs.index(), y.attrs.index()) << "node " << i;
    ASSERT_EQ(x.inputs.size(), y.inputs.size()) << "node " << i << " " << x.type_name;
    for (size_t k = 0; k < x.inputs.size(); ++k) {
      ASSERT_EQ(x.inputs[k] < 0, y.inputs[k] < 0);
      if (x.inputs[k] < 0) continue;
      const Tensor& s = a.tensors[x.inputs[k]];
      const Tensor& t = b.tensors[y.inputs[k]];
      EXPECT_EQ(s.name, t.name);
      EXPECT_EQ(s.dtype, t.dtype) << s.name;
      EXPECT_EQ(s.shape, t.shape) << s.name;
      EXPECT_EQ(s.quantization.scales, t.quantization.scales) << s.name;
      EXPECT_EQ(s.quantization.zero_points, t.quantization.zero_points) << s.name;
      EXPECT_EQ(s.quantization.axis, t.quantization.axis) << s.name;
      ASSERT_EQ(s.is_constant(), t.is_constant()) << s.name;
      if (s.is_constant()) {
        ASSERT_EQ(s.data_bytes, t.data_bytes) << s.name;
        EXPECT_EQ(std::memcmp(s.data, t.data, s.data_bytes), 0) << s.name;
      }
    }
  }
}

// Runs both graphs on the same deterministic input; outputs must be equal
// bit for bit (same kernels, same constants).
void expect_same_outputs(std::shared_ptr<const Model> a, std::shared_ptr<const Model> b) {
  auto sa = Session::create(a, {});
  auto sb = Session::create(b, {});
  ASSERT_TRUE(sa.is_ok()) << sa.status().to_string();
  ASSERT_TRUE(sb.is_ok()) << sb.status().to_string();
  Session& x = **sa;
  Session& y = **sb;
  ASSERT_EQ(x.num_inputs(), y.num_inputs());
  for (int i = 0; i < x.num_inputs(); ++i) {
    const Tensor& t = x.input_tensor(i);
    ASSERT_EQ(t.bytes(), y.input_tensor(i).bytes());
    auto* px = static_cast<uint8_t*>(x.input_data(i));
    auto* py = static_cast<uint8_t*>(y.input_data(i));
    if (t.dtype == DType::kF32) {
      auto* f = reinterpret_cast<float*>(px);
      for (int64_t k = 0; k < t.elements(); ++k) f[k] = std::sin(0.37f * k + i) * 0.8f;
    } else {
      for (size_t k = 0; k < t.bytes(); ++k) px[k] = static_cast<uint8_t>(k * 13 + i);
    }
    std::memcpy(py, px, t.bytes());
  }
  ASSERT_TRUE(x.invoke().is_ok());
  ASSERT_TRUE(y.invoke().is_ok());
  for (int i = 0; i < x.num_outputs(); ++i) {
    const size_t n = x.output_tensor(i).bytes();
    ASSERT_EQ(n, y.output_tensor(i).bytes());
    EXPECT_EQ(std::memcmp(x.output_data(i), y.output_data(i), n), 0) << "output " << i;
  }
}

TEST(TfliteWriter, Int8GraphRoundTripsWithQuantization) {
  auto model = std::make_shared<Model>();
  model->graph = small_int8_graph();
  ASSERT_TRUE(validate_graph(model->graph).is_ok());
  auto bytes = write_tflite_buffer(model->graph);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().to_string();
  auto back = read_back(*bytes);
  ASSERT_NE(back, nullptr);
  expect_same_graph(model->graph, back->graph);
  const Tensor& filter = back->graph.tensors[back->graph.nodes[1].inputs[1]];
  EXPECT_EQ(filter.quantization.axis, 0);
  EXPECT_EQ(back->graph.nodes[1].attr<Conv2DAttrs>().activation, Activation::kRelu6);
  EXPECT_EQ(back->graph.nodes[2].attr<Pool2DAttrs>().filter_h, 3);
  expect_same_outputs(model, back);
  // Writing what we read gives the same bytes.
  auto again = write_tflite_buffer(back->graph);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(*bytes, *again);
}

// A rewritten model (the int8 variant) keeps its nodes' original source
// indices, so per-op tables of the float and int8 runs line up.
TEST(TfliteWriter, SourceIndicesSurviveTheRoundTrip) {
  Graph g = small_int8_graph();
  const std::vector<int> original = {-1, 7, 9, -1};  // QUANTIZE/DEQUANTIZE inserted
  ASSERT_EQ(g.nodes.size(), original.size());
  for (size_t i = 0; i < original.size(); ++i) g.nodes[i].source_index = original[i];
  auto bytes = write_tflite_buffer(g);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().to_string();
  auto back = read_back(*bytes);
  ASSERT_NE(back, nullptr);
  for (size_t i = 0; i < original.size(); ++i) {
    EXPECT_EQ(back->graph.nodes[i].source_index, original[i]) << "node " << i;
  }
  // A graph whose indices are its positions carries no table: byte-identical
  // to what it was before the table existed, and read back as positions.
  Graph plain = small_int8_graph();
  auto plain_bytes = write_tflite_buffer(plain);
  ASSERT_TRUE(plain_bytes.is_ok());
  EXPECT_LT(plain_bytes->size(), bytes->size());
  auto plain_back = read_back(*plain_bytes);
  ASSERT_NE(plain_back, nullptr);
  for (size_t i = 0; i < plain.nodes.size(); ++i) {
    EXPECT_EQ(plain_back->graph.nodes[i].source_index, static_cast<int>(i));
  }
}

TEST(TfliteWriter, TransposeConvGetsItsOutputShapeInputBack) {
  Graph g;
  const int in = add_activation(g, "in", DType::kF32, {1, 2, 2, 1}, {}, TensorRole::kInput);
  const int w = add_constant(g, "w", DType::kF32, {1, 2, 2, 1},
                             std::vector<float>{1, 2, 3, 4});
  const int out = add_activation(g, "out", DType::kF32, {1, 4, 4, 1}, {}, TensorRole::kOutput);
  TransposeConvAttrs a;
  a.padding = Padding::kSame;
  a.stride_h = a.stride_w = 2;
  a.output_shape = {1, 4, 4, 1};
  add_node(g, OpKind::kTransposeConv, "TRANSPOSE_CONV", {in, w, -1}, {out}, a);
  g.inputs = {in};
  g.outputs = {out};
  auto bytes = write_tflite_buffer(g);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().to_string();
  auto back = read_back(*bytes);
  ASSERT_NE(back, nullptr);
  ASSERT_EQ(back->graph.nodes.size(), 1u);
  const Node& n = back->graph.nodes[0];
  EXPECT_EQ(n.op, OpKind::kTransposeConv);
  EXPECT_EQ(n.attr<TransposeConvAttrs>().output_shape, (std::vector<int64_t>{1, 4, 4, 1}));
  EXPECT_EQ(back->graph.tensors[n.inputs[0]].name, "in");
  EXPECT_EQ(back->graph.tensors[n.inputs[1]].name, "w");
}

// GATHER's GatherOptions (axis, batch_dims) survive as written, negative
// values included, and i32 and i64 indices both round-trip.
TEST(TfliteWriter, GatherKeepsAxisAndBatchDims) {
  Graph g;
  const int in = add_activation(g, "in", DType::kF32, {2, 5, 3}, {}, TensorRole::kInput);
  const int idx = add_constant(g, "idx", DType::kI32, {2, 2}, std::vector<int32_t>{4, 0, -1, 2});
  const int mid = add_activation(g, "mid", DType::kF32, {2, 2, 2, 3});
  const int bidx = add_constant(g, "bidx", DType::kI64, {2, 1}, std::vector<int64_t>{2, -3});
  const int out = add_activation(g, "out", DType::kF32, {2, 2, 2, 1}, {}, TensorRole::kOutput);
  add_node(g, OpKind::kGather, "GATHER", {in, idx}, {mid}, GatherAttrs{1, 0});
  add_node(g, OpKind::kGather, "GATHER", {mid, bidx}, {out}, GatherAttrs{-1, -1});
  g.inputs = {in};
  g.outputs = {out};
  auto bytes = write_tflite_buffer(g);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().to_string();
  auto back = read_back(*bytes);
  ASSERT_NE(back, nullptr);
  expect_same_graph(g, back->graph);
  ASSERT_EQ(back->graph.nodes.size(), 2u);
  EXPECT_EQ(back->graph.nodes[0].attr<GatherAttrs>().axis, 1);
  EXPECT_EQ(back->graph.nodes[0].attr<GatherAttrs>().batch_dims, 0);
  EXPECT_EQ(back->graph.nodes[1].attr<GatherAttrs>().axis, -1);
  EXPECT_EQ(back->graph.nodes[1].attr<GatherAttrs>().batch_dims, -1);
  auto model = std::make_shared<Model>();
  model->graph = g;
  expect_same_outputs(model, back);
}

// Reflect and symmetric PADs are written as MIRROR_PAD and read back with
// their mode; the outputs of the two graphs must be equal.
TEST(TfliteWriter, MirrorPadKeepsItsMode) {
  Graph g;
  const int in = add_activation(g, "in", DType::kF32, {1, 4, 5, 2}, {}, TensorRole::kInput);
  const int pads = add_constant(g, "pads", DType::kI32, {4, 2},
                                std::vector<int32_t>{0, 0, 3, 1, 2, 4, 0, 0});
  const int mid = add_activation(g, "mid", DType::kF32, {1, 8, 11, 2});
  const int pads2 = add_constant(g, "pads2", DType::kI32, {4, 2},
                                 std::vector<int32_t>{0, 0, 8, 2, 0, 1, 0, 0});
  const int out = add_activation(g, "out", DType::kF32, {1, 18, 12, 2}, {}, TensorRole::kOutput);
  add_node(g, OpKind::kPad, "MIRROR_PAD", {in, pads}, {mid}, PadAttrs{PadMode::kReflect});
  add_node(g, OpKind::kPad, "MIRROR_PAD", {mid, pads2}, {out}, PadAttrs{PadMode::kSymmetric});
  g.inputs = {in};
  g.outputs = {out};
  auto bytes = write_tflite_buffer(g);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().to_string();
  auto back = read_back(*bytes);
  ASSERT_NE(back, nullptr);
  expect_same_graph(g, back->graph);
  ASSERT_EQ(back->graph.nodes.size(), 2u);
  EXPECT_EQ(back->graph.nodes[0].type_name, "MIRROR_PAD");
  EXPECT_EQ(back->graph.nodes[0].attr<PadAttrs>().mode, PadMode::kReflect);
  EXPECT_EQ(back->graph.nodes[1].attr<PadAttrs>().mode, PadMode::kSymmetric);
  auto model = std::make_shared<Model>();
  model->graph = g;
  expect_same_outputs(model, back);
}

TEST(TfliteWriter, RejectsWhatTfliteCannotSay) {
  Graph g = small_int8_graph();
  std::get<Conv2DAttrs>(g.nodes[1].attrs).padding = Padding::kExplicit;
  std::get<Conv2DAttrs>(g.nodes[1].attrs).explicit_pads = {1, 0, 0, 1};
  auto r = write_tflite_buffer(g);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnsupportedOp);
  EXPECT_NE(r.status().message().find("CONV_2D"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("explicit pads"), std::string::npos);

  Graph u = small_int8_graph();
  u.nodes[2].op = OpKind::kUnknown;
  u.nodes[2].type_name = "MysteryOp";
  auto r2 = write_tflite_buffer(u);
  ASSERT_FALSE(r2.is_ok());
  EXPECT_NE(r2.status().message().find("MysteryOp"), std::string::npos) << r2.status().message();
}

TEST(TfliteWriter, UnwritablePathIsAnIoError) {
  const Status s = write_tflite_file(small_int8_graph(), "/nonexistent-dir/x.tflite");
  EXPECT_EQ(s.code(), ErrorCode::kIoError);
  EXPECT_NE(s.message().find("/nonexistent-dir/x.tflite"), std::string::npos);
}

class TfliteWriterRealModel : public ::testing::TestWithParam<const char*> {};

// Load (f16 weights folded to f32, as every opscope load does), write, read
// back: same graph, same outputs, and a second write gives the same bytes.
TEST_P(TfliteWriterRealModel, RoundTrips) {
  const char* dir = std::getenv("OPSCOPE_MODEL_DIR");
  const std::string path = std::string(dir ? dir : "") + "/" + GetParam() + ".tflite";
  struct stat st {};
  if (dir == nullptr || stat(path.c_str(), &st) != 0) GTEST_SKIP() << path << " missing";
  auto loaded = load_tflite_file(path);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  std::shared_ptr<Model> model = loaded.value();
  fold_constant_dequantize(model->graph);
  auto bytes = write_tflite_buffer(model->graph);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().to_string();
  auto back = read_back(*bytes);
  ASSERT_NE(back, nullptr);
  expect_same_graph(model->graph, back->graph);
  expect_same_outputs(model, back);
  auto again = write_tflite_buffer(back->graph);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(*bytes, *again);
}

INSTANTIATE_TEST_SUITE_P(VisibleModels, TfliteWriterRealModel,
                         ::testing::Values("selfie_segmentation", "face_detection_full_range",
                                           "hand_landmark_full", "embedding_model",
                                           "alexa_v0.1"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           for (char& c : name) c = c == '.' ? '_' : c;
                           return name;
                         });

}  // namespace
}  // namespace opscope::tflite
