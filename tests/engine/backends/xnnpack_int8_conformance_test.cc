// int8 conformance of the reference backend ("cpu") with XNNPACK's qs8/qc8
// operators ("xnnpack"): the same hand-built one-node int8 graphs run through
// a Session on each backend, for every op both claim, over seeded shapes
// that include layers of the visible models (selfie_segmentation,
// face_detection_full_range, hand_landmark_full). Each node must really run
// on XNNPACK (which needs the int8 reference kernel for its shapes) and the
// outputs must agree within 1 LSB per element, nearly all exactly.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "tests/engine/backends/xnn_test_util.h"
#include "tests/engine/kernels/int8_reference.h"

namespace opscope::testing {
namespace {

// Runs `g` on {"xnnpack"} and {"cpu"}; int8 outputs within `lsb` and at
// least `min_exact` equal, f32 outputs close.
void expect_conformance(const OneNodeGraph& g, int lsb = 1, double min_exact = 0.97) {
  Result<OneNodeRun> xnn = run_session(g, {"xnnpack"});
  ASSERT_TRUE(xnn.is_ok()) << xnn.status().to_string();
  Result<OneNodeRun> cpu = run_session(g, {"cpu"});
  ASSERT_TRUE(cpu.is_ok()) << cpu.status().to_string();
  ASSERT_EQ(xnn->node_backend, 0) << "not on xnnpack: " << xnn->fallback_reason;
  ASSERT_EQ(xnn->outputs.size(), cpu->outputs.size());
  for (size_t i = 0; i < xnn->outputs.size(); ++i) {
    ASSERT_EQ(shape_to_string(xnn->output_shapes[i]), shape_to_string(cpu->output_shapes[i]));
    const DType dtype = g.graph().tensors[g.graph().outputs[i]].dtype;
    if (dtype == DType::kF32) {
      EXPECT_TRUE(close_to_reference(values_of<float>(xnn->outputs[i]),
                                     values_of<float>(cpu->outputs[i])));
      continue;
    }
    const std::vector<int8_t> got = values_of<int8_t>(xnn->outputs[i]);
    const std::vector<int8_t> want = values_of<int8_t>(cpu->outputs[i]);
    EXPECT_TRUE(within_lsb(got, want, lsb));
    EXPECT_GE(exact_fraction(got, want), min_exact);
  }
}

// ---------------------------------------------------------------------------
// CONV_2D, DEPTHWISE_CONV_2D (qs8 and qc8), FULLY_CONNECTED (qs8)
// ---------------------------------------------------------------------------
OneNodeGraph conv_graph(const Int8ConvCase& p, const Int8ConvData& d) {
  OneNodeGraph g(int8_case_op(p), int8_case_attrs(p));
  g.add_input<int8_t>(d.input_shape, d.input, d.input_q);
  g.add_constant<int8_t>(d.filter_shape, d.filter, d.filter_q);
  if (p.bias) {
    g.add_constant<int32_t>({int8_case_out_channels(p)}, d.bias, d.bias_q);
  } else {
    g.add_absent_input();
  }
  g.add_output(DType::kI8, d.output_q);
  return g;
}


class Int8ConvConformance : public ::testing::TestWithParam<Int8ConvCase> {};

TEST_P(Int8ConvConformance, CpuAndXnnpackAgreeWithin1Lsb) {
  const Int8ConvCase& p = GetParam();
  const Int8ConvData d = make_int8_conv_data(p);
  const OneNodeGraph g = conv_graph(p, d);
  expect_conformance(g);
  // Both also agree with the double-precision reference.
  Result<OneNodeRun> xnn = run_session(g, {"xnnpack"});
  ASSERT_TRUE(xnn.is_ok());
  EXPECT_TRUE(within_lsb(values_of<int8_t>(xnn->outputs[0]), d.expected, 1));
}

std::vector<Int8ConvCase> conformance_conv_cases() {
  std::vector<Int8ConvCase> cases;
  // The stems: selfie 256x256x3 -> 16, face 192x192x3 -> 32, hand
  // 224x224x3 -> 24, all 3x3 stride 2 SAME.
  const int64_t stems[][2] = {{256, 16}, {192, 32}, {224, 24}};
  uint32_t seed = 1;
  for (const auto& s : stems) {
    Int8ConvCase p;
    p.h = p.w = s[0];
    p.c = 3;
    p.out_c = s[1];
    p.stride = 2;
    p.per_channel = true;
    p.activation = Activation::kRelu6;
    p.in_scale = 1.0f / 128;
    p.in_zp = 0;
    p.out_scale = 0.05f;
    p.out_zp = -128;
    p.seed = seed++;
    cases.push_back(p);
  }
  // Layers of the models' bodies (1x1 expansions and projections, stride-1
  // and stride-2 depthwise), per tensor and per channel.
  struct Layer {
    ConvOp op;
    int64_t hw, c, out_c;
    int k, stride;
  };
  const Layer layers[] = {{ConvOp::kConv, 64, 16, 72, 1, 1},     // selfie conv2d_5
                          {ConvOp::kDepthwise, 128, 16, 0, 3, 2},  // selfie dw
                          {ConvOp::kDepthwise, 96, 32, 0, 3, 1},   // face dw
                          {ConvOp::kConv, 96, 32, 8, 1, 1},       // face conv2d_1
                          {ConvOp::kDepthwise, 56, 144, 0, 3, 1},  // hand dw_2
                          {ConvOp::kConv, 28, 144, 24, 1, 1},     // hand projection
                          {ConvOp::kDepthwise, 17, 24, 0, 5, 2},
                          {ConvOp::kConv, 13, 20, 33, 3, 1}};
  for (const Layer& l : layers) {
    for (bool per_channel : {false, true}) {
      Int8ConvCase p;
      p.op = l.op;
      p.h = p.w = l.hw;
      p.c = l.c;
      p.out_c = l.out_c;
      p.k = l.k;
      p.stride = l.stride;
      p.padding = l.k == 1 ? Padding::kValid : Padding::kSame;
      p.per_channel = per_channel;
      p.activation = kClampActivations[seed % 4];
      p.in_zp = static_cast<int32_t>(seed * 37 % 256) - 128;
      p.out_zp = static_cast<int32_t>(seed * 91 % 256) - 128;
      p.seed = seed++;
      cases.push_back(p);
    }
  }
  // FULLY_CONNECTED: hand_landmark's 1152 -> 63 and 1152 -> 1 heads, and a
  // batch. XNNPACK (2022) has no per-channel FC, so per tensor only.
  for (int64_t out_c : {63, 1}) {
    Int8ConvCase p;
    p.op = ConvOp::kFullyConnected;
    p.c = 1152;
    p.out_c = out_c;
    p.out_scale = 0.5f;
    p.seed = seed++;
    cases.push_back(p);
  }
  Int8ConvCase fc;
  fc.op = ConvOp::kFullyConnected;
  fc.batch = 7;
  fc.c = 40;
  fc.out_c = 17;
  fc.activation = Activation::kRelu;
  fc.seed = seed++;
  cases.push_back(fc);
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Shapes, Int8ConvConformance,
                         ::testing::ValuesIn(conformance_conv_cases()),
                         [](const ::testing::TestParamInfo<Int8ConvCase>& info) {
                           return int8_case_name(info.param);
                         });

// ---------------------------------------------------------------------------
// ADD, SUB, MUL
// ---------------------------------------------------------------------------
struct BinaryShape {
  Shape a, b;
};

TEST(Int8BinaryConformance, CpuAndXnnpackAgreeWithin1Lsb) {
  // Selfie's residual add (1x32x32x24) and squeeze-excite multiply
  // (1x64x64x16 by 1x1x1x16), face's 1x96x96x32 add, a scalar.
  const BinaryShape shapes[] = {{{1, 32, 32, 24}, {1, 32, 32, 24}},
                                {{1, 64, 64, 16}, {1, 1, 1, 16}},
                                {{1, 96, 96, 32}, {1, 96, 96, 32}},
                                {{7, 40}, {1}}};
  uint32_t seed = 50;
  for (OpKind op : {OpKind::kAdd, OpKind::kSub, OpKind::kMul}) {
    for (const BinaryShape& s : shapes) {
      for (Activation act : {Activation::kNone, Activation::kRelu}) {
        OneNodeGraph g(op, ActivationAttrs{act});
        g.add_input<int8_t>(s.a, random_int8(num_elements(s.a), seed++), per_tensor(0.05f, -3));
        g.add_input<int8_t>(s.b, random_int8(num_elements(s.b), seed++), per_tensor(0.031f, 11));
        g.add_output(DType::kI8, op == OpKind::kMul ? per_tensor(0.07f, 2) : per_tensor(0.06f, -9));
        SCOPED_TRACE(std::string(to_string(op)) + " " + shape_to_string(s.a) + " " +
                     shape_to_string(s.b));
        expect_conformance(g);
      }
    }
  }
}

// ---------------------------------------------------------------------------
// LOGISTIC, MAX_POOL_2D, global AVERAGE_POOL_2D, MEAN over H,W
// ---------------------------------------------------------------------------
TEST(Int8UnaryConformance, LogisticAgreesWithin1Lsb) {
  for (float scale : {0.02f, 0.1f}) {
    OneNodeGraph g(OpKind::kLogistic);
    g.add_input<int8_t>({1, 64, 64, 1}, random_int8(64 * 64, 3), per_tensor(scale, -10));
    g.add_output(DType::kI8, per_tensor(1.0f / 256, -128));
    expect_conformance(g);
  }
}

TEST(Int8PoolConformance, MaxPoolAgreesExactly) {
  // face_detection's 2x2 stride-2 max pools, and a padded 3x3.
  struct Case {
    Shape in;
    int filter, stride;
    Padding padding;
  };
  for (const Case& c : {Case{{1, 96, 96, 32}, 2, 2, Padding::kValid},
                        Case{{1, 24, 24, 64}, 2, 2, Padding::kValid},
                        Case{{2, 11, 9, 5}, 3, 2, Padding::kSame}}) {
    Pool2DAttrs a;
    a.filter_h = a.filter_w = c.filter;
    a.stride_h = a.stride_w = c.stride;
    a.padding = c.padding;
    OneNodeGraph g(OpKind::kMaxPool2D, a);
    g.add_input<int8_t>(c.in, random_int8(num_elements(c.in), 4), per_tensor(0.1f, 7));
    g.add_output(DType::kI8, per_tensor(0.1f, 7));
    expect_conformance(g, /*lsb=*/0, /*min_exact=*/1.0);
  }
}

TEST(Int8PoolConformance, GlobalAveragePoolAndMeanAgreeWithin1Lsb) {
  // Selfie's squeeze-excite global pools (1x64x64x16, 1x16x16x96) and
  // hand_landmark's 1x7x7x1152 MEAN over H, W.
  for (const Shape& in : {Shape{1, 64, 64, 16}, Shape{1, 16, 16, 96}}) {
    Pool2DAttrs a;
    a.filter_h = static_cast<int>(in[1]);
    a.filter_w = static_cast<int>(in[2]);
    a.stride_h = a.stride_w = 1;
    OneNodeGraph g(OpKind::kAveragePool2D, a);
    g.add_input<int8_t>(in, random_int8(num_elements(in), 5), per_tensor(0.08f, -20));
    g.add_output(DType::kI8, per_tensor(0.08f, -20));
    SCOPED_TRACE(shape_to_string(in));
    expect_conformance(g);
  }
  OneNodeGraph g(OpKind::kMean, ReduceAttrs{true});
  const Shape in{1, 7, 7, 1152};
  g.add_input<int8_t>(in, random_int8(num_elements(in), 6), per_tensor(0.05f, 4));
  g.add_constant<int32_t>({2}, {1, 2});
  g.add_output(DType::kI8, per_tensor(0.02f, -6));
  expect_conformance(g);
}

// ---------------------------------------------------------------------------
// QUANTIZE f32 -> i8, DEQUANTIZE, and the byte-moving PAD and RESHAPE
// ---------------------------------------------------------------------------
TEST(Int8ConvertConformance, QuantizeAndDequantizeAgree) {
  OneNodeGraph q(OpKind::kQuantize);
  q.add_input<float>({1, 32, 32, 3}, random_values(32 * 32 * 3, -3.0f, 3.0f, 8));
  q.add_output(DType::kI8, per_tensor(0.025f, -4));
  expect_conformance(q);
  OneNodeGraph dq(OpKind::kDequantize);
  dq.add_input<int8_t>({1, 32, 32, 3}, random_int8(32 * 32 * 3, 9), per_tensor(0.025f, -4));
  dq.add_output(DType::kF32);
  expect_conformance(dq);
}

TEST(Int8MoveConformance, PadWithZeroPointAndReshapeAgreeExactly) {
  OneNodeGraph pad(OpKind::kPad);
  pad.add_input<int8_t>({1, 48, 48, 32}, random_int8(48 * 48 * 32, 10), per_tensor(0.1f, -9));
  pad.add_constant<int32_t>({4, 2}, {0, 0, 0, 1, 0, 1, 0, 32});
  pad.add_output(DType::kI8, per_tensor(0.1f, -9));
  expect_conformance(pad, 0, 1.0);
  OneNodeGraph reshape(OpKind::kReshape, ReshapeAttrs{{1, -1, 16}});
  reshape.add_input<int8_t>({1, 12, 12, 96}, random_int8(12 * 12 * 96, 11), per_tensor(0.1f, 3));
  reshape.add_output(DType::kI8, per_tensor(0.1f, 3));
  expect_conformance(reshape, 0, 1.0);
}

}  // namespace
}  // namespace opscope::testing
