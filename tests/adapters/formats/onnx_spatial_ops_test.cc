// The importer's 1D and 3D Conv, ConvTranspose, MaxPool and AveragePool,
// dilated and uint8 MaxPool: one-node ONNX models (built with ONNX's own
// protobuf classes) run on the reference backend and on xnnpack,cpu,
// against the naive double-precision loops of onnx_spatial_reference.h,
// with pads, strides, dilations, ceil_mode and count_include_pad.
#include <gtest/gtest.h>

#include "tests/adapters/formats/onnx_spatial_reference.h"

namespace opscope::onnx_test {
namespace {

const std::vector<std::vector<std::string>> kBackends = {{"cpu"}, {"xnnpack", "cpu"}};

struct PoolCase {
  const char* op;
  std::vector<int64_t> x_shape;
  Window w;
  bool ceil_mode = false;
  bool include_pad = false;
};

void check_pool(const PoolCase& c, uint32_t seed) {
  const bool average = std::string(c.op) == "AveragePool";
  SCOPED_TRACE(std::string(c.op) + " x " + shape_to_string(c.x_shape) +
               (c.ceil_mode ? " ceil" : "") + (c.include_pad ? " count_include_pad" : ""));
  const Tensor64 x = pattern(c.x_shape, seed);
  const Tensor64 want = naive_pool(x, c.w, average, c.ceil_mode, c.include_pad);
  OneNodeModel m(c.op, c.x_shape, want.shape);
  m.window(c.w, true);
  if (c.ceil_mode) m.integer("ceil_mode", 1);
  if (c.include_pad) m.integer("count_include_pad", 1);
  auto model = m.load();
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  const std::vector<float> xf = as_floats(x);
  for (const auto& backends : kBackends) {
    SCOPED_TRACE(backends.front());
    expect_f32_close(run_model(*model, backends, xf.data(), xf.size() * 4), want);
  }
}

Window win(std::vector<int64_t> k, std::vector<int64_t> s, std::vector<int64_t> d,
           std::vector<int64_t> pb, std::vector<int64_t> pe) {
  return Window{std::move(k), std::move(s), std::move(d), std::move(pb), std::move(pe)};
}

TEST(OnnxPool3D, MaxAndAverageWithPadsAndStrides) {
  for (const char* op : {"MaxPool", "AveragePool"}) {
    check_pool({op, {2, 3, 5, 6, 7}, win({2, 3, 2}, {2, 1, 2}, {1, 1, 1}, {1, 1, 0}, {0, 1, 1})},
               1);
    check_pool({op, {1, 4, 4, 4, 4}, win({3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1})},
               2);
    check_pool({op, {1, 2, 7, 5, 6}, win({3, 2, 2}, {2, 2, 1}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}),
                true},
               3);
  }
}

TEST(OnnxPool3D, AverageCountIncludePad) {
  check_pool({"AveragePool", {1, 3, 5, 6, 4},
              win({3, 2, 3}, {2, 1, 2}, {1, 1, 1}, {1, 1, 1}, {1, 0, 2}), false, true},
             4);
}

TEST(OnnxPool3D, DilatedMax) {
  check_pool({"MaxPool", {1, 2, 7, 8, 6}, win({2, 2, 3}, {1, 2, 1}, {2, 3, 2}, {1, 0, 1}, {0, 1, 1})},
             5);
}

TEST(OnnxPool1D, MaxAndAverage) {
  for (const char* op : {"MaxPool", "AveragePool"}) {
    check_pool({op, {2, 3, 17}, win({3}, {2}, {1}, {1}, {1})}, 6);
    check_pool({op, {1, 5, 10}, win({4}, {3}, {1}, {2}, {0}), true}, 7);
  }
  check_pool({"AveragePool", {1, 2, 9}, win({3}, {2}, {1}, {2}, {1}), false, true}, 8);
  check_pool({"MaxPool", {1, 2, 16}, win({3}, {1}, {3}, {2}, {2})}, 9);
}

TEST(OnnxPool2D, DilatedMax) {
  check_pool({"MaxPool", {1, 3, 9, 10}, win({2, 3}, {1, 2}, {3, 2}, {1, 2}, {2, 0})}, 10);
}

TEST(OnnxPool2D, Uint8MaxIsExactOnEveryBackend) {
  const std::vector<int64_t> shape = {1, 3, 7, 6};
  const Window w = win({3, 2}, {2, 1}, {1, 2}, {1, 1}, {1, 0});
  Tensor64 x;
  x.shape = shape;
  std::vector<uint8_t> xb;
  for (int64_t i = 0; i < product(shape); ++i) {
    xb.push_back(static_cast<uint8_t>((i * 89 + 5) % 256));
    x.v.push_back(xb.back());
  }
  const Tensor64 want = naive_pool(x, w, false, false, false);
  OneNodeModel m("MaxPool", shape, want.shape, ::onnx::TensorProto::UINT8);
  m.window(w, true);
  auto model = m.load();
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  for (const auto& backends : kBackends) {
    const RunResult r = run_model(*model, backends, xb.data(), xb.size());
    ASSERT_EQ(shape_to_string(r.shape), shape_to_string(want.shape));
    ASSERT_EQ(r.bytes.size(), want.v.size());
    for (size_t i = 0; i < want.v.size(); ++i) ASSERT_EQ(r.bytes[i], want.v[i]) << i;
  }
}

TEST(OnnxPool, Uint8AveragePoolIsRefusedNamingTheNode) {
  OneNodeModel m("AveragePool", {1, 1, 4, 4}, {1, 1, 2, 2}, ::onnx::TensorProto::UINT8);
  m.ints("kernel_shape", {2, 2});
  m.ints("strides", {2, 2});
  auto model = m.load();
  ASSERT_FALSE(model.is_ok());
  EXPECT_NE(model.status().message().find("the_AveragePool"), std::string::npos)
      << model.status().message();
  EXPECT_NE(model.status().message().find("u8"), std::string::npos) << model.status().message();
}

// ------------------------------------------------------------- Conv 1D

void check_conv_1d(const std::vector<int64_t>& x_shape, int64_t m, int64_t group, const Window& w,
                   bool bias, uint32_t seed) {
  SCOPED_TRACE("Conv x " + shape_to_string(x_shape) + " M " + std::to_string(m) + " group " +
               std::to_string(group));
  const Tensor64 x = pattern(x_shape, seed);
  const Tensor64 wt = pattern({m, x_shape[1] / group, w.k[0]}, seed + 1);
  const Tensor64 b = pattern({m}, seed + 2);
  const Tensor64 want = naive_conv(x, wt, bias ? b.v : std::vector<double>{}, w, group);
  OneNodeModel model("Conv", x_shape, want.shape);
  model.add_weight("w", wt);
  if (bias) model.add_weight("b", b);
  model.window(w, false);
  model.integer("group", group);
  auto loaded = model.load();
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const std::vector<float> xf = as_floats(x);
  for (const auto& backends : kBackends) {
    SCOPED_TRACE(backends.front());
    expect_f32_close(run_model(*loaded, backends, xf.data(), xf.size() * 4), want);
  }
}

TEST(OnnxConv1D, PlainDepthwiseAndGrouped) {
  check_conv_1d({2, 3, 20}, 4, 1, win({3}, {2}, {2}, {2}, {1}), true, 11);
  check_conv_1d({1, 4, 15}, 8, 4, win({5}, {1}, {1}, {2}, {2}), true, 12);   // depthwise, x2
  check_conv_1d({1, 6, 12}, 4, 2, win({3}, {3}, {1}, {0}, {2}), false, 13);  // 2 groups
}

// A 1D chain stays 2D inside: Conv then MaxPool then Relu has one reshape
// into the 2D form and one out of it, none between.
TEST(OnnxConv1D, ChainHasNoReshapeBetweenOps) {
  const Tensor64 x = pattern({1, 3, 16}, 21);
  const Tensor64 wt = pattern({5, 3, 3}, 22);
  const Window cw = win({3}, {1}, {1}, {1}, {1});
  const Window pw = win({2}, {2}, {1}, {0}, {0});
  Tensor64 want = naive_pool(naive_conv(x, wt, {}, cw, 1), pw, false, false, false);
  OneNodeModel m("Conv", x.shape, want.shape);
  m.add_weight("w", wt);
  m.window(cw, false);
  m.node->set_output(0, "c");
  auto* pool = m.proto.mutable_graph()->add_node();
  pool->set_op_type("MaxPool");
  pool->add_input("c");
  pool->add_output("y");
  auto* k = pool->add_attribute();
  k->set_name("kernel_shape");
  k->set_type(::onnx::AttributeProto::INTS);
  k->add_ints(2);
  auto* s = pool->add_attribute();
  s->set_name("strides");
  s->set_type(::onnx::AttributeProto::INTS);
  s->add_ints(2);
  auto loaded = m.load();
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const std::vector<float> xf = as_floats(x);
  const RunResult r = run_model(*loaded, {"cpu"}, xf.data(), xf.size() * 4, OpKind::kReshape);
  expect_f32_close(r, want);
  EXPECT_EQ(r.counted_nodes, 2);
}

// ------------------------------------------------------- ConvTranspose

void check_conv_transpose(const std::vector<int64_t>& x_shape, int64_t m, const Window& w,
                          const std::vector<int64_t>& out_pad, uint32_t seed) {
  SCOPED_TRACE("ConvTranspose x " + shape_to_string(x_shape) + " M " + std::to_string(m));
  const Tensor64 x = pattern(x_shape, seed);
  std::vector<int64_t> ws = {x_shape[1], m};
  ws.insert(ws.end(), w.k.begin(), w.k.end());
  const Tensor64 wt = pattern(ws, seed + 1);
  const Tensor64 b = pattern({m}, seed + 2);
  const Tensor64 want = naive_conv_transpose(x, wt, b.v, w, out_pad);
  OneNodeModel model("ConvTranspose", x_shape, want.shape);
  model.add_weight("w", wt);
  model.add_weight("b", b);
  model.window(w, false);
  model.ints("output_padding", out_pad);
  auto loaded = model.load();
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const std::vector<float> xf = as_floats(x);
  for (const auto& backends : kBackends) {
    SCOPED_TRACE(backends.front());
    expect_f32_close(run_model(*loaded, backends, xf.data(), xf.size() * 4), want);
  }
}

TEST(OnnxConvTranspose1D, StridesPadsDilationOutputPadding) {
  check_conv_transpose({2, 3, 7}, 4, win({3}, {2}, {2}, {1}, {2}), {1}, 31);
  check_conv_transpose({1, 2, 5}, 3, win({4}, {3}, {1}, {0}, {0}), {2}, 32);
}

TEST(OnnxConvTranspose3D, StridesPadsDilationOutputPadding) {
  check_conv_transpose({1, 3, 3, 4, 5}, 2, win({3, 2, 3}, {2, 1, 2}, {2, 1, 1}, {1, 0, 1},
                                               {0, 1, 2}),
                       {1, 0, 1}, 41);
  check_conv_transpose({2, 2, 4, 3, 3}, 3, win({2, 3, 2}, {1, 2, 1}, {1, 1, 2}, {0, 1, 0},
                                               {1, 0, 0}),
                       {0, 1, 0}, 42);
}

// Dilations spread filter taps into constants made at load: a huge
// dilation must fail naming the node, not allocate gigabytes.
TEST(OnnxConvTranspose3D, HugeDilationIsRefusedNamingTheNode) {
  OneNodeModel model("ConvTranspose", {1, 64, 2, 2, 2}, {1, 64, 2, 2, 2});
  model.add_weight("w", pattern({64, 64, 3, 1, 1}, 51));
  model.ints("dilations", {65536, 1, 1});
  auto loaded = model.load();
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_NE(loaded.status().message().find("the_ConvTranspose"), std::string::npos)
      << loaded.status().message();
  EXPECT_NE(loaded.status().message().find("MiB limit"), std::string::npos)
      << loaded.status().message();
}

}  // namespace
}  // namespace opscope::onnx_test
