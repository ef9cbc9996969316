// QDQ fusion (engine/transforms/qdq/fuse_qdq.h) on a small graph:
//   x(f32) -> Q(u8) -> DQ -> CONV_2D(f32 weights on an int8 grid, f32 bias)
//          -> RELU -> Q(u8) -> DQ -> y(f32)
// before/after node counts and dtypes, the u8 -> i8 mapping, per-channel and
// per-tensor weights, the covered source indices, agreement with the unfused
// graph within 1 LSB, and patterns left alone with their reason.
#include "engine/transforms/qdq/fuse_qdq.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>

#include "engine/session.h"

namespace opscope {
namespace {

constexpr float kInScale = 0.05f, kOutScale = 0.04f;
constexpr int kInZp = 128, kOutZp = 3;  // uint8, as PyTorch's qnnpack config

int add(Graph& g, const std::string& name, DType dtype, Shape shape,
        TensorRole role = TensorRole::kIntermediate) {
  Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.role = role;
  return g.add_tensor(std::move(t));
}

int add_f32_constant(Graph& g, const std::string& name, Shape shape, const std::vector<float>& v) {
  const int id = add(g, name, DType::kF32, std::move(shape), TensorRole::kConstant);
  std::vector<uint8_t> bytes(v.size() * 4);
  std::memcpy(bytes.data(), v.data(), bytes.size());
  g.tensors[id].set_owned_data(std::move(bytes));
  return id;
}

Quantization per_tensor(float scale, int64_t zp) {
  Quantization q;
  q.scales = {scale};
  q.zero_points = {zp};
  return q;
}

Node node(OpKind op, std::string type, std::vector<int> in, std::vector<int> out, int source) {
  Node n;
  n.op = op;
  n.type_name = std::move(type);
  n.name = n.type_name + "_" + std::to_string(source);
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  n.source_index = source;
  if (op == OpKind::kQuantize) n.attrs = QuantizeAttrs{true};
  return n;
}

struct Options {
  bool per_channel = true;
  bool weights_on_grid = true;   // false: plain f32 weights (no grid recorded)
  bool second_reader = false;    // the conv output is also a graph output
};

// Channels 3 -> 4, 3x3 kernel, stride 1, explicit pads 1, on 1x6x6x3.
Graph make_graph(const Options& o) {
  Graph g;
  const int x = add(g, "x", DType::kF32, {1, 6, 6, 3}, TensorRole::kInput);
  const int xq = add(g, "xq", DType::kU8, {1, 6, 6, 3});
  g.tensors[xq].quantization = per_tensor(kInScale, kInZp);
  const int xd = add(g, "xd", DType::kF32, {1, 6, 6, 3});
  const int oc = 4, taps = 3 * 3 * 3;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> qd(-127, 127);
  std::vector<float> scales = o.per_channel ? std::vector<float>{0.011f, 0.007f, 0.02f, 0.013f}
                                            : std::vector<float>{0.012f};
  std::vector<float> w(oc * taps);
  for (int c = 0; c < oc; ++c) {
    for (int k = 0; k < taps; ++k) {
      w[c * taps + k] = scales[o.per_channel ? c : 0] * static_cast<float>(qd(rng));
    }
  }
  const int wt = add_f32_constant(g, "w", {oc, 3, 3, 3}, w);
  if (o.weights_on_grid) {
    Quantization grid;
    grid.scales = scales;
    grid.zero_points.assign(scales.size(), 0);
    grid.axis = o.per_channel ? 0 : -1;
    g.tensors[wt].quantization = grid;
  }
  const int b = add_f32_constant(g, "b", {oc}, {0.3f, -0.2f, 0.05f, 0.0f});
  const int conv_out = add(g, "conv", DType::kF32, {1, 6, 6, oc});
  const int relu_out = add(g, "relu", DType::kF32, {1, 6, 6, oc});
  const int yq = add(g, "yq", DType::kU8, {1, 6, 6, oc});
  g.tensors[yq].quantization = per_tensor(kOutScale, kOutZp);
  const int y = add(g, "y", DType::kF32, {1, 6, 6, oc}, TensorRole::kOutput);
  Conv2DAttrs ca;
  ca.padding = Padding::kExplicit;
  ca.explicit_pads = {1, 1, 1, 1};
  Node conv = node(OpKind::kConv2D, "Conv", {xd, wt, b}, {conv_out}, 2);
  conv.attrs = ca;
  g.nodes = {node(OpKind::kQuantize, "QuantizeLinear", {x}, {xq}, 0),
             node(OpKind::kDequantize, "DequantizeLinear", {xq}, {xd}, 1), conv,
             node(OpKind::kRelu, "Relu", {conv_out}, {relu_out}, 3),
             node(OpKind::kQuantize, "QuantizeLinear", {relu_out}, {yq}, 4),
             node(OpKind::kDequantize, "DequantizeLinear", {yq}, {y}, 5)};
  g.inputs = {x};
  g.outputs = {y};
  if (o.second_reader) {
    g.tensors[relu_out].role = TensorRole::kOutput;
    g.outputs.push_back(relu_out);
  }
  return g;
}

// Runs `g` on the reference backend; returns output 0.
std::vector<float> run(const Graph& g, const std::vector<float>& input) {
  auto model = std::make_shared<Model>();
  model->graph = g;
  auto session = Session::create(model, SessionOptions{});
  EXPECT_TRUE(session.is_ok()) << session.status().to_string();
  if (!session.is_ok()) return {};
  std::memcpy((*session)->input_data(0), input.data(), input.size() * 4);
  const Status st = (*session)->invoke();
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  const Tensor& out = (*session)->output_tensor(0);
  std::vector<float> y(out.elements());
  std::memcpy(y.data(), (*session)->output_data(0), y.size() * 4);
  return y;
}

std::vector<float> ramp_input() {
  std::vector<float> v(6 * 6 * 3);
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.37f * i) * 4.0f;
  return v;
}

TEST(FuseQdq, ConvReluGroupBecomesOneInt8Conv) {
  Graph g = make_graph({});
  const QdqFusionStats st = fuse_qdq(g);
  EXPECT_EQ(st.fused_ops, 1);
  ASSERT_EQ(g.nodes.size(), 3u);  // Q (graph input), int8 conv, DQ (graph output)
  EXPECT_EQ(g.nodes[0].op, OpKind::kQuantize);
  const Node& conv = g.nodes[1];
  ASSERT_EQ(conv.op, OpKind::kConv2D);
  EXPECT_EQ(conv.source_index, 2);
  EXPECT_EQ(conv.fused_sources, (std::vector<int>{1, 3, 4}));  // DQ, Relu, Q
  EXPECT_EQ(conv.attr<Conv2DAttrs>().activation, Activation::kRelu);
  EXPECT_EQ(g.nodes[2].op, OpKind::kDequantize);
  // u8 activations became i8 with zero point - 128.
  const Tensor& in = g.tensors[conv.inputs[0]];
  EXPECT_EQ(in.dtype, DType::kI8);
  EXPECT_EQ(in.quantization.zero_points, (std::vector<int64_t>{0}));
  const Tensor& out = g.tensors[conv.outputs[0]];
  EXPECT_EQ(out.dtype, DType::kI8);
  EXPECT_EQ(out.quantization.zero_points, (std::vector<int64_t>{kOutZp - 128}));
  // Per-channel int8 weights, int32 bias at input_scale * weight_scale.
  const Tensor& w = g.tensors[conv.inputs[1]];
  EXPECT_EQ(w.dtype, DType::kI8);
  EXPECT_EQ(w.quantization.axis, 0);
  EXPECT_EQ(w.quantization.scales.size(), 4u);
  const Tensor& b = g.tensors[conv.inputs[2]];
  EXPECT_EQ(b.dtype, DType::kI32);
  EXPECT_FLOAT_EQ(b.quantization.scales[1], kInScale * 0.007f);
  // ... quantized as ONNX Runtime does, in float: round_half_even(b / (s_x * s_w)).
  EXPECT_EQ(b.constant_as<int32_t>()[0],
            static_cast<int32_t>(std::nearbyint(0.3f / (kInScale * 0.011f))));
  // It rounds as ONNX Runtime does, which held the activations as uint8.
  EXPECT_EQ(conv.requantization, Requantization::kFloatUint8);
  // The remaining Q and DQ say why they stay.
  EXPECT_NE(g.nodes[0].kept_reason.find("graph input"), std::string::npos) << g.nodes[0].kept_reason;
  EXPECT_NE(g.nodes[2].kept_reason.find("graph output"), std::string::npos) << g.nodes[2].kept_reason;
}

TEST(FuseQdq, Int8ResultEqualsUnfusedWithinOneStep) {
  for (bool per_channel : {true, false}) {
    Options o;
    o.per_channel = per_channel;
    const Graph before = make_graph(o);
    Graph after = before;
    ASSERT_EQ(fuse_qdq(after).fused_ops, 1);
    if (!per_channel) {
      const Tensor& w = after.tensors[after.nodes[1].inputs[1]];
      EXPECT_EQ(w.quantization.scales.size(), 1u);
      EXPECT_FALSE(w.quantization.per_channel());
    }
    const std::vector<float> input = ramp_input();
    const std::vector<float> a = run(before, input), b = run(after, input);
    ASSERT_EQ(a.size(), b.size());
    int differ = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_LE(std::fabs(a[i] - b[i]), kOutScale * 1.001f) << i;
      differ += a[i] != b[i];
    }
    EXPECT_LE(differ, static_cast<int>(a.size()) / 20) << "per_channel " << per_channel;
  }
}

TEST(FuseQdq, LeavesWeightsWithoutAGridAloneAndSaysWhy) {
  Options o;
  o.weights_on_grid = false;
  Graph g = make_graph(o);
  const QdqFusionStats st = fuse_qdq(g);
  EXPECT_EQ(st.fused_ops, 0);
  ASSERT_EQ(g.nodes.size(), 6u);
  EXPECT_EQ(g.nodes[2].op, OpKind::kConv2D);
  EXPECT_EQ(g.tensors[g.nodes[2].inputs[0]].dtype, DType::kF32);
  EXPECT_NE(g.nodes[2].kept_reason.find("no integer dequantization"), std::string::npos)
      << g.nodes[2].kept_reason;
  // The DEQUANTIZE feeding it names the conv and its reason.
  EXPECT_NE(g.nodes[1].kept_reason.find("Conv"), std::string::npos) << g.nodes[1].kept_reason;
  EXPECT_EQ(st.kept_qdq, 4);
  // Unchanged numerics: the u8 tensors map to i8 but the values are the same.
  const Graph ref = make_graph(o);
  EXPECT_EQ(run(ref, ramp_input()), run(g, ramp_input()));
}

TEST(FuseQdq, LeavesAnOutputWithASecondReaderAlone) {
  Options o;
  o.second_reader = true;
  Graph g = make_graph(o);
  EXPECT_EQ(fuse_qdq(g).fused_ops, 0);
  EXPECT_NE(g.nodes[2].kept_reason.find("QuantizeLinear only"), std::string::npos) << g.nodes[2].kept_reason;
}

}  // namespace
}  // namespace opscope
