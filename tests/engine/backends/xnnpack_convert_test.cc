// XNNPACK backend: QUANTIZE (f32 -> int8) and DEQUANTIZE (int8 -> f32), per
// tensor, against the reference backend and TFLite's formulas.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/engine/backends/xnn_test_util.h"

namespace opscope::testing {
namespace {

OneNodeGraph make_quantize(const Shape& shape, const std::vector<float>& x, float scale,
                           int64_t zp) {
  OneNodeGraph m(OpKind::kQuantize);
  m.add_input<float>(shape, x);
  m.add_output(DType::kI8, per_tensor(scale, zp));
  return m;
}

OneNodeGraph make_dequantize(const Shape& shape, const std::vector<int8_t>& q, float scale,
                             int64_t zp) {
  OneNodeGraph m(OpKind::kDequantize);
  m.add_input<int8_t>(shape, q, per_tensor(scale, zp));
  m.add_output(DType::kF32);
  return m;
}

TEST(XnnQuantize, MatchesTfliteWithin1Lsb) {
  struct Case {
    Shape shape;
    float scale;
    int64_t zp;
  };
  const Case cases[] = {{{1, 8, 8, 3}, 0.02f, 0},
                        {{2, 17}, 0.1f, -7},
                        {{1, 5, 5, 64}, 0.0078125f, 12},
                        {{1}, 0.5f, 127},
                        {{3, 1000}, 0.011f, -128}};
  uint32_t seed = 1;
  for (const Case& c : cases) {
    const int64_t n = num_elements(c.shape);
    // Wide enough to saturate at both ends.
    std::vector<float> x = random_floats(n, seed++, -3.0f, 3.0f);
    OneNodeGraph m = make_quantize(c.shape, x, c.scale, c.zp);
    const SessionRun xr = m.run({"xnnpack"});
    ASSERT_TRUE(xr.status.is_ok()) << xr.status.to_string();
    EXPECT_EQ(xr.node_backend, "xnnpack");
    const SessionRun rr = m.run({"cpu"});
    ASSERT_TRUE(rr.status.is_ok()) << rr.status.to_string();
    std::vector<int8_t> expected(n);
    for (int64_t i = 0; i < n; ++i) {
      expected[i] = requantize(static_cast<double>(x[i]) / c.scale, 1.0,
                               static_cast<int32_t>(c.zp));
    }
    const std::vector<int8_t> got = values_of<int8_t>(xr.output);
    EXPECT_TRUE(within_lsb(got, expected)) << shape_to_string(c.shape);
    EXPECT_TRUE(within_lsb(got, values_of<int8_t>(rr.output))) << shape_to_string(c.shape);
  }
}

TEST(XnnQuantize, RoundingTiesWithin1Lsb) {
  // Exact halves: TFLite rounds away from zero, XNNPACK to nearest even.
  std::vector<float> x;
  for (int k = -20; k <= 20; ++k) x.push_back((k + 0.5f) * 0.25f);
  OneNodeGraph m = make_quantize({static_cast<int64_t>(x.size())}, x, 0.25f, 3);
  const SessionRun xr = m.run({"xnnpack"});
  ASSERT_TRUE(xr.status.is_ok()) << xr.status.to_string();
  const SessionRun rr = m.run({"cpu"});
  EXPECT_TRUE(within_lsb(values_of<int8_t>(xr.output), values_of<int8_t>(rr.output)));
}

TEST(XnnDequantize, MatchesReferenceExactly) {
  struct Case {
    Shape shape;
    float scale;
    int64_t zp;
  };
  const Case cases[] = {{{1, 8, 8, 3}, 0.02f, 0},
                        {{2, 17}, 0.1f, -7},
                        {{1, 5, 5, 64}, 0.0078125f, 127},
                        {{7}, 3.5f, -128}};
  uint32_t seed = 10;
  for (const Case& c : cases) {
    const int64_t n = num_elements(c.shape);
    const std::vector<int8_t> q = random_ints<int8_t>(n, seed++, -128, 127);
    OneNodeGraph m = make_dequantize(c.shape, q, c.scale, c.zp);
    const SessionRun xr = m.run({"xnnpack"});
    ASSERT_TRUE(xr.status.is_ok()) << xr.status.to_string();
    EXPECT_EQ(xr.node_backend, "xnnpack");
    const SessionRun rr = m.run({"cpu"});
    ASSERT_TRUE(rr.status.is_ok()) << rr.status.to_string();
    const std::vector<float> got = values_of<float>(xr.output);
    EXPECT_EQ(got, values_of<float>(rr.output)) << shape_to_string(c.shape);
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(got[i], c.scale * static_cast<float>(q[i] - c.zp)) << i;
    }
  }
}

TEST(XnnConvert, QuantizeDequantizeRoundTrip) {
  // QUANTIZE then DEQUANTIZE, both on XNNPACK in one partition.
  Graph g;
  Tensor x;
  x.name = "x";
  x.shape = {4, 16};
  x.role = TensorRole::kInput;
  const int xi = g.add_tensor(x);
  Tensor q;
  q.name = "q";
  q.dtype = DType::kI8;
  q.quantization = per_tensor(0.05f, -2);
  const int qi = g.add_tensor(q);
  Tensor y;
  y.name = "y";
  y.role = TensorRole::kOutput;
  const int yi = g.add_tensor(y);
  g.inputs = {xi};
  g.outputs = {yi};
  Node a;
  a.op = OpKind::kQuantize;
  a.type_name = "QUANTIZE";
  a.name = "quantize";
  a.inputs = {xi};
  a.outputs = {qi};
  a.source_index = 0;
  Node b = a;
  b.op = OpKind::kDequantize;
  b.type_name = "DEQUANTIZE";
  b.name = "dequantize";
  b.inputs = {qi};
  b.outputs = {yi};
  b.source_index = 1;
  g.nodes = {a, b};
  auto model = std::make_shared<Model>();
  model->graph = g;
  model->info.name = "roundtrip";
  ASSERT_TRUE(validate_graph(model->graph).is_ok());
  SessionOptions options;
  options.backends = {"xnnpack"};
  auto s = Session::create(model, options);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  Session& session = *s.value();
  EXPECT_EQ(session.partition_plan().partitions.size(), 1u);
  const std::vector<float> in = random_floats(64, 3, -6.0f, 6.0f);
  std::memcpy(session.input_data(0), in.data(), in.size() * sizeof(float));
  ASSERT_TRUE(session.invoke().is_ok());
  const float* out = static_cast<const float*>(session.output_data(0));
  for (size_t i = 0; i < in.size(); ++i) {
    const float clamped = std::min(std::max(in[i], 0.05f * (-128 + 2)), 0.05f * (127 + 2));
    EXPECT_NEAR(out[i], clamped, 0.05f * 0.5f + 1e-6f) << i;
  }
}

TEST(XnnConvert, RejectsWithReason) {
  {
    // Per-channel output quantization.
    OneNodeGraph m(OpKind::kQuantize);
    m.add_input<float>({2, 3}, random_floats(6, 1));
    m.add_output(DType::kI8, per_channel({0.1f, 0.2f, 0.3f}, 1));
    std::string why;
    EXPECT_FALSE(m.xnn_supports(&why));
    EXPECT_NE(why.find("per tensor"), std::string::npos) << why;
  }
  {
    // uint8.
    OneNodeGraph m(OpKind::kQuantize);
    m.add_input<float>({2, 3}, random_floats(6, 1));
    m.add_output(DType::kU8, per_tensor(0.1f, 128));
    std::string why;
    EXPECT_FALSE(m.xnn_supports(&why));
    EXPECT_NE(why.find("i8"), std::string::npos) << why;
    expect_falls_back(m, "i8");
  }
  {
    // f16 DEQUANTIZE stays on the reference backend.
    OneNodeGraph m(OpKind::kDequantize);
    m.add_input<uint16_t>({4}, std::vector<uint16_t>{0x3c00, 0x4000, 0, 0xbc00});  // f16 bits
    m.add_output(DType::kF32);
    std::string why;
    EXPECT_FALSE(m.xnn_supports(&why));
    EXPECT_NE(why.find("f16"), std::string::npos) << why;
  }
}

}  // namespace
}  // namespace opscope::testing
