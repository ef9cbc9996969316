// The TFLite reader on synthetic models: the IR it builds.
#include "adapters/formats/tflite/tflite_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "tests/adapters/formats/tflite_model_builder.h"

namespace opscope::tflite {
namespace {

using testing::le_int32s;
using testing::share;
using testing::tensor_def;
using testing::TensorDef;
using testing::TfliteModelBuilder;
using fb::BuiltinOperator;
using fb::BuiltinOptions;
using fb::TensorType;

// A loaded model that keeps itself alive; an empty one if loading failed
// (the failure is reported).
struct Loaded {
  explicit Loaded(std::shared_ptr<const Model> m)
      : keep(std::move(m)), graph(keep->graph), info(keep->info),
        storage(keep->storage) {}
  std::shared_ptr<const Model> keep;
  const Graph& graph;
  const ModelInfo& info;
  const std::shared_ptr<const void>& storage;
};

Loaded loaded(const Result<std::shared_ptr<Model>>& r) {
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return Loaded(r.is_ok() ? r.value() : std::make_shared<const Model>());
}

Result<std::shared_ptr<Model>> load(std::vector<uint8_t> bytes,
                                    LoadNotes* notes = nullptr) {
  return load_tflite_buffer(share(std::move(bytes)), "test.tflite", notes);
}

// input [1,4,4,2] -> CONV_2D (3 filters 1x1, bias) -> ADD (const) -> output
std::vector<uint8_t> conv_add_model() {
  TfliteModelBuilder b;
  const int in = b.add_tensor("input", TensorType::FLOAT32, {1, 4, 4, 2});
  const int filter = b.add_constant<float>("filter", TensorType::FLOAT32,
                                           {3, 1, 1, 2}, {1, 2, 3, 4, 5, 6});
  const int bias = b.add_constant<float>("bias", TensorType::FLOAT32, {3},
                                         {0.5f, 0.25f, 0.125f});
  const int conv = b.add_tensor("conv", TensorType::FLOAT32, {1, 4, 4, 3});
  const int addend = b.add_constant<float>("addend", TensorType::FLOAT32, {3},
                                           {1, 1, 1});
  const int out = b.add_tensor("output", TensorType::FLOAT32, {1, 4, 4, 3});
  const uint32_t conv_code = b.add_opcode(BuiltinOperator::CONV_2D);
  const uint32_t add_code = b.add_opcode(BuiltinOperator::ADD);
  b.add_op(conv_code, {in, filter, bias}, {conv},
           b.options(BuiltinOptions::Conv2DOptions,
                     fb::CreateConv2DOptions(
                         b.fbb(), fb::Padding::SAME, /*stride_w=*/1,
                         /*stride_h=*/2, fb::ActivationFunctionType::RELU6,
                         /*dilation_w=*/1, /*dilation_h=*/3)));
  b.add_op(add_code, {conv, addend}, {out},
           b.options(BuiltinOptions::AddOptions,
                     fb::CreateAddOptions(b.fbb(),
                                          fb::ActivationFunctionType::RELU)));
  return b.finish({in}, {out});
}

TEST(TfliteReader, ReadsConvAddGraph) {
  const auto bytes = share(conv_add_model());
  auto result = load_tflite_buffer(bytes, "dir/conv_add.tflite");
  const Loaded m = loaded(result);
  const Graph& g = m.graph;

  ASSERT_EQ(g.tensors.size(), 6u);
  EXPECT_EQ(g.inputs, std::vector<int>{0});
  EXPECT_EQ(g.outputs, std::vector<int>{5});
  EXPECT_EQ(g.tensors[0].role, TensorRole::kInput);
  EXPECT_EQ(g.tensors[1].role, TensorRole::kConstant);
  EXPECT_EQ(g.tensors[3].role, TensorRole::kIntermediate);
  EXPECT_EQ(g.tensors[5].role, TensorRole::kOutput);
  EXPECT_EQ(g.tensors[0].shape, (Shape{1, 4, 4, 2}));
  EXPECT_EQ(g.tensors[0].dtype, DType::kF32);
  EXPECT_EQ(g.tensors[1].name, "filter");

  // Constants point into the given bytes, not into a copy.
  const Tensor& filter = g.tensors[1];
  ASSERT_EQ(filter.data_bytes, 24u);
  EXPECT_GE(filter.data, bytes->data());
  EXPECT_LE(filter.data + filter.data_bytes, bytes->data() + bytes->size());
  EXPECT_EQ(filter.constant_as<float>()[5], 6.0f);
  EXPECT_EQ(g.tensors[2].constant_as<float>()[2], 0.125f);

  ASSERT_EQ(g.nodes.size(), 2u);
  const Node& conv = g.nodes[0];
  EXPECT_EQ(conv.op, OpKind::kConv2D);
  EXPECT_EQ(conv.type_name, "CONV_2D");
  EXPECT_EQ(conv.name, "conv");
  EXPECT_EQ(conv.source_index, 0);
  EXPECT_EQ(conv.inputs, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(conv.outputs, std::vector<int>{3});
  const auto& ca = conv.attr<Conv2DAttrs>();
  EXPECT_EQ(ca.padding, Padding::kSame);
  EXPECT_EQ(ca.stride_w, 1);
  EXPECT_EQ(ca.stride_h, 2);
  EXPECT_EQ(ca.dilation_w, 1);
  EXPECT_EQ(ca.dilation_h, 3);
  EXPECT_EQ(ca.activation, Activation::kRelu6);

  const Node& add = g.nodes[1];
  EXPECT_EQ(add.op, OpKind::kAdd);
  EXPECT_EQ(add.type_name, "ADD");
  EXPECT_EQ(add.name, "output");
  EXPECT_EQ(add.source_index, 1);
  EXPECT_EQ(add.attr<ActivationAttrs>().activation, Activation::kRelu);

  EXPECT_EQ(m.info.path, "dir/conv_add.tflite");
  EXPECT_EQ(m.info.name, "conv_add.tflite");
  EXPECT_EQ(m.info.format, ModelFormat::kTflite);
  EXPECT_EQ(m.info.size_bytes, bytes->size());
  EXPECT_EQ(m.info.source_nodes, 2);
  EXPECT_EQ(m.info.params, 6 + 3 + 3);
  EXPECT_EQ(m.info.param_bytes, 4 * (6 + 3 + 3));
  EXPECT_EQ(m.info.weight_precision, Precision::kF32);
  EXPECT_EQ(m.info.folded_nodes, 0);
  EXPECT_NE(m.storage, nullptr);
}

TEST(TfliteReader, ConstantsOutliveTheCallersBytes) {
  auto bytes = std::make_shared<std::vector<uint8_t>>(conv_add_model());
  auto result = load_tflite_buffer(bytes, "m.tflite");
  bytes.reset();  // the model's storage keeps them alive
  const Loaded m = loaded(result);
  EXPECT_EQ(m.graph.tensors[1].constant_as<float>()[0], 1.0f);
}

TEST(TfliteReader, LoadsFileThroughMapping) {
  const std::vector<uint8_t> bytes = conv_add_model();
  char path[] = "/tmp/opscope_tflite_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, bytes.data(), bytes.size()),
            static_cast<ssize_t>(bytes.size()));
  close(fd);

  LoadNotes notes;
  auto result = load_tflite_file(path, &notes);
  unlink(path);  // the mapping stays valid after unlink
  const Loaded m = loaded(result);
  EXPECT_EQ(m.info.path, path);
  EXPECT_EQ(m.info.name, std::string(path).substr(5));
  EXPECT_EQ(m.info.size_bytes, bytes.size());
  ASSERT_EQ(m.graph.nodes.size(), 2u);
  EXPECT_EQ(m.graph.tensors[1].constant_as<float>()[3], 4.0f);
  EXPECT_EQ(notes.ignored_subgraphs, 0);
}

TEST(TfliteReader, ReadsQuantization) {
  TfliteModelBuilder b;
  TensorDef in = tensor_def("in", TensorType::INT8, {1, 2, 2, 2});
  in.scales = {0.5f};
  in.zero_points = {-3};
  TensorDef filter = tensor_def("w", TensorType::INT8, {2, 1, 1, 2},
                   b.add_buffer_of<int8_t>({1, 2, 3, 4}));
  filter.scales = {0.1f, 0.2f};  // per output channel, no zero points
  filter.quantized_dimension = 0;
  TensorDef bias = tensor_def("b", TensorType::INT32, {2},
                              b.add_buffer_of<int32_t>({7, 8}));
  bias.scales = {0.05f, 0.1f};
  TensorDef out = tensor_def("out", TensorType::INT8, {1, 2, 2, 2});
  out.scales = {0.25f};
  out.zero_points = {1};
  const int i = b.add_tensor(in), w = b.add_tensor(filter),
            bi = b.add_tensor(bias), o = b.add_tensor(out);
  b.add_op(b.add_opcode(BuiltinOperator::CONV_2D), {i, w, bi}, {o},
           b.options(BuiltinOptions::Conv2DOptions,
                     fb::CreateConv2DOptions(b.fbb(), fb::Padding::VALID, 1, 1)));
  const Loaded m = loaded(load(b.finish({i}, {o})));
  const Graph& g = m.graph;
  ASSERT_EQ(g.tensors.size(), 4u);
  EXPECT_EQ(g.tensors[0].quantization.scales, std::vector<float>{0.5f});
  EXPECT_EQ(g.tensors[0].quantization.zero_points, std::vector<int64_t>{-3});
  EXPECT_FALSE(g.tensors[0].quantization.per_channel());
  const Quantization& wq = g.tensors[1].quantization;
  EXPECT_EQ(wq.scales, (std::vector<float>{0.1f, 0.2f}));
  EXPECT_EQ(wq.zero_points, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(wq.axis, 0);
  EXPECT_EQ(g.tensors[2].dtype, DType::kI32);
  EXPECT_EQ(g.nodes[0].attr<Conv2DAttrs>().padding, Padding::kValid);
  // int8 filter + int32 bias are the weights; int8 dominates.
  EXPECT_EQ(m.info.params, 4 + 2);
  EXPECT_EQ(m.info.param_bytes, 4 + 8);
  EXPECT_EQ(m.info.weight_precision, Precision::kInt8);
}

TEST(TfliteReader, ReordersTransposeConvInputs) {
  TfliteModelBuilder b;
  const int shape = b.add_constant<int32_t>("out_shape", TensorType::INT32,
                                            {4}, {1, 8, 8, 2});
  const int w = b.add_constant<float>("w", TensorType::FLOAT32, {2, 3, 3, 4},
                                      std::vector<float>(72, 0.5f));
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4, 4, 4});
  const int bias =
      b.add_constant<float>("bias", TensorType::FLOAT32, {2}, {1, 2});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {1, 8, 8, 2});
  const int out2 = b.add_tensor("out2", TensorType::FLOAT32, {1, 8, 8, 2});
  const uint32_t code = b.add_opcode(BuiltinOperator::TRANSPOSE_CONV);
  b.add_op(code, {shape, w, in, bias}, {out},
           b.options(BuiltinOptions::TransposeConvOptions,
                     fb::CreateTransposeConvOptions(b.fbb(), fb::Padding::SAME,
                                                    2, 2)));
  b.add_op(code, {shape, w, in}, {out2},
           b.options(BuiltinOptions::TransposeConvOptions,
                     fb::CreateTransposeConvOptions(b.fbb(), fb::Padding::VALID,
                                                    3, 1)));
  const Loaded m = loaded(load(b.finish({in}, {out, out2})));
  ASSERT_EQ(m.graph.nodes.size(), 2u);
  const Node& n = m.graph.nodes[0];
  EXPECT_EQ(n.op, OpKind::kTransposeConv);
  EXPECT_EQ(n.type_name, "TRANSPOSE_CONV");
  EXPECT_EQ(n.inputs, (std::vector<int>{in, w, bias}));
  const auto& a = n.attr<TransposeConvAttrs>();
  EXPECT_EQ(a.output_shape, (std::vector<int64_t>{1, 8, 8, 2}));
  EXPECT_EQ(a.padding, Padding::kSame);
  EXPECT_EQ(a.stride_h, 2);
  EXPECT_EQ(a.stride_w, 2);

  const Node& n2 = m.graph.nodes[1];
  EXPECT_EQ(n2.inputs, (std::vector<int>{in, w, -1}));
  EXPECT_EQ(n2.attr<TransposeConvAttrs>().padding, Padding::kValid);
  EXPECT_EQ(n2.attr<TransposeConvAttrs>().stride_w, 3);
  EXPECT_EQ(n2.attr<TransposeConvAttrs>().stride_h, 1);
  // The folded output_shape tensor is no weight.
  EXPECT_EQ(m.info.params, 72 + 2);
}

// MediaPipe's custom op; options are TFLite's C struct (padding uses the
// C enum: 1 SAME, 2 VALID).
std::vector<uint8_t> transpose_conv_bias_model(std::vector<uint8_t> options) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4, 4, 3});
  const int w = b.add_constant<float>("w", TensorType::FLOAT32, {1, 2, 2, 3},
                                      std::vector<float>(12, 1.0f));
  const int bias = b.add_constant<float>("b", TensorType::FLOAT32, {1}, {0});
  const int out = b.add_tensor("segment", TensorType::FLOAT32, {1, 8, 8, 1});
  b.add_op(b.add_opcode(BuiltinOperator::CUSTOM, "Convolution2DTransposeBias"),
           {in, w, bias}, {out}, {}, std::move(options));
  return b.finish({in}, {out});
}

TEST(TfliteReader, ReadsConvolution2DTransposeBias) {
  const Loaded m = loaded(load(transpose_conv_bias_model(le_int32s({1, 2, 3}))));
  ASSERT_EQ(m.graph.nodes.size(), 1u);
  const Node& n = m.graph.nodes[0];
  EXPECT_EQ(n.op, OpKind::kTransposeConv);
  EXPECT_EQ(n.type_name, "Convolution2DTransposeBias");
  EXPECT_EQ(n.inputs, (std::vector<int>{0, 1, 2}));
  const auto& a = n.attr<TransposeConvAttrs>();
  EXPECT_EQ(a.padding, Padding::kSame);
  EXPECT_EQ(a.stride_w, 2);
  EXPECT_EQ(a.stride_h, 3);
  EXPECT_TRUE(a.output_shape.empty());

  const Loaded valid =
      loaded(load(transpose_conv_bias_model(le_int32s({2, 2, 2}))));
  ASSERT_EQ(valid.graph.nodes.size(), 1u);
  EXPECT_EQ(valid.graph.nodes[0].attr<TransposeConvAttrs>().padding,
            Padding::kValid);
}

TEST(TfliteReader, ResolvesReshapeTarget) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 2, 3});
  const int shape =
      b.add_constant<int32_t>("shape", TensorType::INT32, {2}, {-1, 3});
  const int a = b.add_tensor("a", TensorType::FLOAT32, {2, 3});
  const int c = b.add_tensor("c", TensorType::FLOAT32, {6});
  const int d = b.add_tensor("d", TensorType::FLOAT32, {3, 2});
  const uint32_t code = b.add_opcode(BuiltinOperator::RESHAPE);
  b.add_op(code, {in, shape}, {a});  // from the constant shape input
  const std::vector<int32_t> six = {6};
  b.add_op(code, {a}, {c},
           b.options(BuiltinOptions::ReshapeOptions,
                     fb::CreateReshapeOptionsDirect(b.fbb(), &six)));
  b.add_op(code, {c}, {d});  // no options: the output's shape
  const Loaded m = loaded(load(b.finish({in}, {d})));
  ASSERT_EQ(m.graph.nodes.size(), 3u);
  EXPECT_EQ(m.graph.nodes[0].attr<ReshapeAttrs>().new_shape,
            (std::vector<int64_t>{-1, 3}));
  EXPECT_EQ(m.graph.nodes[0].inputs, (std::vector<int>{in, shape}));
  EXPECT_EQ(m.graph.nodes[1].attr<ReshapeAttrs>().new_shape,
            std::vector<int64_t>{6});
  EXPECT_EQ(m.graph.nodes[2].attr<ReshapeAttrs>().new_shape,
            (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(m.info.params, 0);  // an int32 shape is not a weight
}

TEST(TfliteReader, UnknownOpsLoadAsUnknown) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {4});
  const int a = b.add_tensor("a", TensorType::FLOAT32, {4});
  const int c = b.add_tensor("c", TensorType::FLOAT32, {4});
  const int d = b.add_tensor("d", TensorType::FLOAT32, {4});
  b.add_op(b.add_opcode(BuiltinOperator::SVDF), {in}, {a});
  b.add_op(b.add_opcode(static_cast<BuiltinOperator>(300)), {a}, {c});
  b.add_op(b.add_opcode(BuiltinOperator::CUSTOM, "MyCustomOp"), {c}, {d}, {},
           {1, 2, 3});
  const Loaded m = loaded(load(b.finish({in}, {d})));
  ASSERT_EQ(m.graph.nodes.size(), 3u);
  EXPECT_EQ(m.graph.nodes[0].op, OpKind::kUnknown);
  EXPECT_EQ(m.graph.nodes[0].type_name, "SVDF");
  EXPECT_EQ(m.graph.nodes[1].op, OpKind::kUnknown);
  EXPECT_EQ(m.graph.nodes[1].type_name, "BUILTIN_300");
  EXPECT_EQ(m.graph.nodes[2].op, OpKind::kUnknown);
  EXPECT_EQ(m.graph.nodes[2].type_name, "MyCustomOp");
  EXPECT_EQ(m.graph.nodes[2].name, "d");
}

TEST(TfliteReader, ReadsOldStyleOpcodes) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 4});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {1, 4});
  b.add_op(b.add_opcode(BuiltinOperator::LOGISTIC, "", /*deprecated_only=*/true),
           {in}, {out});
  const Loaded m = loaded(load(b.finish({in}, {out})));
  ASSERT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(m.graph.nodes[0].op, OpKind::kLogistic);
  EXPECT_EQ(m.graph.nodes[0].type_name, "LOGISTIC");
}

TEST(TfliteReader, MissingOptionsReadAsSchemaDefaults) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {2, 3});
  const int one = b.add_constant<float>("one", TensorType::FLOAT32, {3}, {1, 1, 1});
  const int a = b.add_tensor("a", TensorType::FLOAT32, {2, 3});
  const int c = b.add_tensor("c", TensorType::FLOAT32, {2, 3});
  b.add_op(b.add_opcode(BuiltinOperator::MUL), {in, one}, {a});
  b.add_op(b.add_opcode(BuiltinOperator::LEAKY_RELU), {a}, {c});
  const Loaded m = loaded(load(b.finish({in}, {c})));
  ASSERT_EQ(m.graph.nodes.size(), 2u);
  EXPECT_EQ(m.graph.nodes[0].attr<ActivationAttrs>().activation,
            Activation::kNone);
  EXPECT_EQ(m.graph.nodes[1].attr<LeakyReluAttrs>().alpha, 0.0f);
}

TEST(TfliteReader, TranslatesOptionsOfShapeOps) {
  TfliteModelBuilder b;
  const int x = b.add_tensor("x", TensorType::FLOAT32, {1, 4, 4, 8});
  const int y = b.add_tensor("y", TensorType::FLOAT32, {1, 4, 4, 8});
  const int w = b.add_constant<float>("dw", TensorType::FLOAT32, {1, 3, 3, 16},
                                      std::vector<float>(144, 0.f));
  const int cat = b.add_tensor("cat", TensorType::FLOAT32, {1, 4, 4, 16});
  const int dw = b.add_tensor("dwout", TensorType::FLOAT32, {1, 4, 4, 16});
  const int pooled = b.add_tensor("pooled", TensorType::FLOAT32, {1, 2, 2, 16});
  const int sq = b.add_tensor("sq", TensorType::FLOAT32, {2, 2, 16});
  const int axes = b.add_constant<int32_t>("axes", TensorType::INT32, {2}, {1, 2});
  const int mean = b.add_tensor("mean", TensorType::FLOAT32, {1, 1, 1, 16});
  b.add_op(b.add_opcode(BuiltinOperator::CONCATENATION), {x, y}, {cat},
           b.options(BuiltinOptions::ConcatenationOptions,
                     fb::CreateConcatenationOptions(b.fbb(), -1)));
  // depth_multiplier says 1; the shapes say 2 (16 / 8).
  b.add_op(b.add_opcode(BuiltinOperator::DEPTHWISE_CONV_2D), {x, w}, {dw},
           b.options(BuiltinOptions::DepthwiseConv2DOptions,
                     fb::CreateDepthwiseConv2DOptions(b.fbb(), fb::Padding::SAME,
                                                      1, 1, 1)));
  b.add_op(b.add_opcode(BuiltinOperator::MAX_POOL_2D), {cat}, {pooled},
           b.options(BuiltinOptions::Pool2DOptions,
                     fb::CreatePool2DOptions(b.fbb(), fb::Padding::VALID, 2, 2,
                                             2, 3)));
  const std::vector<int32_t> dims = {-4};
  b.add_op(b.add_opcode(BuiltinOperator::SQUEEZE), {pooled}, {sq},
           b.options(BuiltinOptions::SqueezeOptions,
                     fb::CreateSqueezeOptionsDirect(b.fbb(), &dims)));
  b.add_op(b.add_opcode(BuiltinOperator::MEAN), {dw, axes}, {mean},
           b.options(BuiltinOptions::ReducerOptions,
                     fb::CreateReducerOptions(b.fbb(), true)));
  const Loaded m = loaded(load(b.finish({x, y}, {sq, mean})));
  ASSERT_EQ(m.graph.nodes.size(), 5u);
  EXPECT_EQ(m.graph.nodes[0].attr<ConcatenationAttrs>().axis, 3);
  const auto& dwa = m.graph.nodes[1].attr<DepthwiseConv2DAttrs>();
  EXPECT_EQ(dwa.depth_multiplier, 2);
  EXPECT_EQ(m.graph.nodes[1].inputs, (std::vector<int>{x, w, -1}));
  const auto& pa = m.graph.nodes[2].attr<Pool2DAttrs>();
  EXPECT_EQ(pa.filter_w, 2);
  EXPECT_EQ(pa.filter_h, 3);
  EXPECT_EQ(m.graph.nodes[3].attr<SqueezeAttrs>().axes, std::vector<int>{0});
  EXPECT_TRUE(m.graph.nodes[4].attr<ReduceAttrs>().keep_dims);
}

TEST(TfliteReader, NotesIgnoredSubgraphs) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {1});
  b.add_op(b.add_opcode(BuiltinOperator::RELU), {in}, {out});
  b.set_extra_subgraphs(2);
  LoadNotes notes;
  const Loaded m = loaded(load(b.finish({in}, {out}), &notes));
  EXPECT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(notes.ignored_subgraphs, 2);
  ASSERT_FALSE(notes.messages.empty());
}

TEST(TfliteReader, InputWithDataIsAConstant) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {2});
  const int k = b.add_constant<float>("k", TensorType::FLOAT32, {2}, {1, 2});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {2});
  b.add_op(b.add_opcode(BuiltinOperator::ADD), {in, k}, {out});
  LoadNotes notes;
  const Loaded m = loaded(load(b.finish({in, k}, {out}), &notes));
  EXPECT_EQ(m.graph.inputs, std::vector<int>{in});
  EXPECT_EQ(m.graph.tensors[k].role, TensorRole::kConstant);
  EXPECT_EQ(notes.messages.size(), 1u);
}

TEST(TfliteReader, VariableTensorStartsAsZeros) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {3});
  TensorDef state = tensor_def("state", TensorType::FLOAT32, {3});
  state.is_variable = true;
  const int s = b.add_tensor(state);
  const int out = b.add_tensor("out", TensorType::FLOAT32, {3});
  b.add_op(b.add_opcode(BuiltinOperator::ADD), {in, s}, {out});
  const Loaded m = loaded(load(b.finish({in}, {out})));
  const Tensor& t = m.graph.tensors[s];
  EXPECT_EQ(t.role, TensorRole::kConstant);
  ASSERT_EQ(t.data_bytes, 12u);
  EXPECT_EQ(t.constant_as<float>()[2], 0.0f);
}

TEST(TfliteReader, F16WeightsBehindDequantizeMakeF16Model) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 8});
  const int w16 = b.add_constant<uint16_t>("w16", TensorType::FLOAT16, {4, 8},
                                           std::vector<uint16_t>(32, 0x3c00));
  const int w = b.add_tensor("w", TensorType::FLOAT32, {4, 8});
  const int bias = b.add_constant<float>("b", TensorType::FLOAT32, {4},
                                         {0, 0, 0, 0});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {1, 4});
  b.add_op(b.add_opcode(BuiltinOperator::DEQUANTIZE), {w16}, {w});
  b.add_op(b.add_opcode(BuiltinOperator::FULLY_CONNECTED), {in, w, bias}, {out},
           b.options(BuiltinOptions::FullyConnectedOptions,
                     fb::CreateFullyConnectedOptions(
                         b.fbb(), fb::ActivationFunctionType::NONE,
                         fb::FullyConnectedOptionsWeightsFormat::DEFAULT,
                         /*keep_num_dims=*/true)));
  const Loaded m = loaded(load(b.finish({in}, {out})));
  ASSERT_EQ(m.graph.nodes.size(), 2u);
  EXPECT_EQ(m.graph.nodes[0].op, OpKind::kDequantize);
  EXPECT_TRUE(m.graph.nodes[1].attr<FullyConnectedAttrs>().keep_num_dims);
  EXPECT_EQ(m.info.weight_precision, Precision::kF16);
  EXPECT_EQ(m.info.params, 32 + 4);
  EXPECT_EQ(m.info.param_bytes, 64 + 16);
}

TEST(TfliteReader, Int8AndF32WeightsMakeMixedModel) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {1, 8});
  TensorDef q = tensor_def("wq", TensorType::INT8, {4, 8},
              b.add_buffer_of<int8_t>(std::vector<int8_t>(32, 1)));
  q.scales = {0.5f};
  const int wq = b.add_tensor(q);
  const int wf = b.add_constant<float>("wf", TensorType::FLOAT32, {4, 4},
                                       std::vector<float>(16, 1.0f));
  const int h = b.add_tensor("h", TensorType::FLOAT32, {1, 4});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {1, 4});
  const uint32_t fc = b.add_opcode(BuiltinOperator::FULLY_CONNECTED);
  b.add_op(fc, {in, wq}, {h});
  b.add_op(fc, {h, wf, -1}, {out});
  const Loaded m = loaded(load(b.finish({in}, {out})));
  ASSERT_EQ(m.graph.nodes.size(), 2u);
  EXPECT_EQ(m.graph.nodes[0].inputs, (std::vector<int>{in, wq, -1}));
  EXPECT_EQ(m.graph.nodes[1].inputs, (std::vector<int>{h, wf, -1}));
  EXPECT_EQ(m.info.weight_precision, Precision::kMixed);
}

TEST(TfliteReader, DensifiesSparseWeightsAndFoldsDensify) {
  TfliteModelBuilder b;
  // Dense [2, 4]: row 0 has values at columns 1 and 3, row 1 at column 0.
  const int ws = b.add_tensor(
      sparse_2x4_def(b, "w_sparse", {0, 2, 3}, /*with_indices=*/true, {10, 20, 30}));
  const int wd = b.add_tensor("w", TensorType::FLOAT32, {2, 4});
  const int in = b.add_tensor("in", TensorType::FLOAT32, {2, 4});
  const int out = b.add_tensor("out", TensorType::FLOAT32, {2, 4});
  b.add_op(b.add_opcode(BuiltinOperator::DENSIFY), {ws}, {wd});
  b.add_op(b.add_opcode(BuiltinOperator::ADD), {in, wd}, {out});
  const Loaded m = loaded(load(b.finish({in}, {out})));
  ASSERT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(m.graph.nodes[0].op, OpKind::kAdd);
  EXPECT_EQ(m.graph.nodes[0].source_index, 1);
  EXPECT_EQ(m.info.source_nodes, 2);
  EXPECT_EQ(m.info.folded_nodes, 1);
  const Tensor& w = m.graph.tensors[wd];
  ASSERT_TRUE(w.is_constant());
  ASSERT_EQ(w.data_bytes, 32u);
  const float* v = w.constant_as<float>();
  EXPECT_EQ(std::vector<float>(v, v + 8),
            (std::vector<float>{0, 10, 0, 20, 30, 0, 0, 0}));
  EXPECT_EQ(m.info.params, 8);  // the dense weight, counted once
}

// A model whose constant lies after the flatbuffer, addressed by offset
// and size from the start of the file (the >2 GB layout).
std::vector<uint8_t> external_buffer_model(uint64_t offset, uint64_t size,
                                           const std::vector<float>& data) {
  TfliteModelBuilder b;
  const int in = b.add_tensor("in", TensorType::FLOAT32, {4});
  const int k = b.add_tensor("k", TensorType::FLOAT32, {4},
                             b.add_external_buffer(offset, size));
  const int out = b.add_tensor("out", TensorType::FLOAT32, {4});
  b.add_op(b.add_opcode(BuiltinOperator::ADD), {in, k}, {out});
  std::vector<uint8_t> bytes = b.finish({in}, {out});
  const size_t at = (bytes.size() + 15) / 16 * 16;
  bytes.resize(at + data.size() * sizeof(float));
  if (!data.empty()) {
    std::memcpy(bytes.data() + at, data.data(), data.size() * sizeof(float));
  }
  return bytes;
}

TEST(TfliteReader, ReadsBuffersStoredByOffset) {
  const std::vector<float> data = {1, 2, 3, 4};
  // The flatbuffer's size does not depend on the offset's value.
  const size_t fb_size = external_buffer_model(2, 16, {}).size();
  const uint64_t offset = (fb_size + 15) / 16 * 16;
  auto bytes = share(external_buffer_model(offset, 16, data));
  ASSERT_EQ(bytes->size(), offset + 16);
  auto result = load_tflite_buffer(bytes, "big.tflite");
  const Loaded m = loaded(result);
  const Tensor& k = m.graph.tensors[1];
  ASSERT_TRUE(k.is_constant());
  EXPECT_EQ(k.data, bytes->data() + offset);
  EXPECT_EQ(k.constant_as<float>()[3], 4.0f);
}

}  // namespace
}  // namespace opscope::tflite
