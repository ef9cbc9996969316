// XNNPACK backend: CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV.
//
// f32 runs through a Session on {"xnnpack"} and on {"cpu"} (the reference
// kernels) and compares: max abs error <= 1e-4 * max|ref| + 1e-5. The int8
// variants are in xnnpack_conv_int8_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "tests/engine/backends/xnn_conv_cases.h"
#include "tests/engine/backends/xnn_test_util.h"

namespace opscope::testing {
namespace {

// ---------------------------------------------------------------------------
// f32 CONV_2D and DEPTHWISE_CONV_2D against the reference backend
// ---------------------------------------------------------------------------

struct ConvCase {
  bool depthwise = false;
  int64_t h = 12, w = 11, c = 8;
  int64_t out_c = 16;   // regular conv
  int multiplier = 1;   // depthwise
  int k = 3;
  int stride = 1;
  int dilation = 1;
  Padding padding = Padding::kSame;
  Activation activation = Activation::kNone;
  bool bias = true;
  int64_t batch = 1;
};

std::string case_name(const ConvCase& p) {
  std::string s = p.depthwise ? "dw" : "conv";
  s += window_name(p);
  if (p.batch != 1) s += "_n" + std::to_string(p.batch);
  return s;
}
void PrintTo(const ConvCase& p, std::ostream* os) { *os << case_name(p); }

OneNodeGraph make_conv_f32(const ConvCase& p, uint32_t seed) {
  const int64_t filter_c = p.depthwise ? p.c * p.multiplier : p.out_c;
  OneNodeGraph m = conv_node(p);
  m.add_input<float>({p.batch, p.h, p.w, p.c},
                     random_floats(p.batch * p.h * p.w * p.c, seed, -2.0f, 2.0f));
  const Shape filter = p.depthwise ? Shape{1, p.k, p.k, filter_c} : Shape{filter_c, p.k, p.k, p.c};
  m.add_constant<float>(filter, random_floats(num_elements(filter), seed + 1, -0.5f, 0.5f));
  if (p.bias) {
    m.add_constant<float>({filter_c}, random_floats(filter_c, seed + 2, -1.0f, 1.0f));
  }
  m.add_output();
  return m;
}

class XnnConvF32Test : public ::testing::TestWithParam<ConvCase> {};

TEST_P(XnnConvF32Test, MatchesReferenceBackend) {
  const ConvCase& p = GetParam();
  OneNodeGraph m = make_conv_f32(p, 17);
  expect_xnn_matches_cpu(m);
}

std::vector<ConvCase> conv_f32_cases() {
  std::vector<ConvCase> cases;
  // Shapes of the real models: 3x3 stride 1/2 SAME and VALID, 1x1, 5x5,
  // dilation 2; channels 3/8/17/32/64; the activations rotate through.
  struct Window {
    int k, stride, dilation;
    Padding padding;
  };
  const Window windows[] = {
      {3, 1, 1, Padding::kSame}, {3, 2, 1, Padding::kSame}, {3, 1, 1, Padding::kValid},
      {3, 2, 1, Padding::kValid}, {1, 1, 1, Padding::kValid}, {5, 1, 1, Padding::kSame},
      {5, 2, 1, Padding::kSame}, {3, 1, 2, Padding::kSame}, {3, 1, 2, Padding::kValid},
      {7, 1, 1, Padding::kSame},  // more taps than XNNPACK's single-pass kernels
  };
  const int64_t channels[] = {3, 8, 17, 32, 64};
  int i = 0;
  for (bool depthwise : {false, true}) {
    for (int64_t c : channels) {
      for (const Window& win : windows) {
        for (int m : depthwise ? std::vector<int>{1, 2} : std::vector<int>{1}) {
          ConvCase p;
          p.depthwise = depthwise;
          p.c = c;
          p.out_c = c == 3 ? 16 : c + 8;
          p.multiplier = m;
          p.k = win.k;
          p.stride = win.stride;
          p.dilation = win.dilation;
          p.padding = win.padding;
          p.activation = kClampActivations[i % 4];
          p.bias = (i % 3) != 2;
          cases.push_back(p);
          ++i;
        }
      }
    }
  }
  // Every clamp activation on one shape of each kind, and a batch of 2.
  for (bool depthwise : {false, true}) {
    for (Activation a : kClampActivations) {
      ConvCase p;
      p.depthwise = depthwise;
      p.activation = a;
      p.stride = 2;
      p.k = 3;
      p.c = 17;
      p.out_c = 24;
      p.multiplier = 2;
      p.batch = 2;
      cases.push_back(p);
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Shapes, XnnConvF32Test, ::testing::ValuesIn(conv_f32_cases()),
                         [](const ::testing::TestParamInfo<ConvCase>& info) {
                           return case_name(info.param);
                         });

TEST(XnnConvF32, ExplicitAsymmetricPads) {
  // ONNX-style explicit pads.
  {
    Conv2DAttrs a;
    a.padding = Padding::kExplicit;
    a.explicit_pads = Pads2D{1, 2, 0, 1};
    a.stride_h = 2;
    OneNodeGraph m(OpKind::kConv2D, a);
    m.add_input<float>({1, 9, 10, 6}, random_floats(9 * 10 * 6, 3));
    m.add_constant<float>({12, 3, 3, 6}, random_floats(12 * 3 * 3 * 6, 4));
    m.add_absent_input();
    m.add_output();
    expect_xnn_matches_cpu(m);
  }
}

TEST(XnnConvF32, TwoThreadsMatch) {
  ConvCase p;
  p.c = 32;
  p.out_c = 32;
  p.h = p.w = 20;
  OneNodeGraph m = make_conv_f32(p, 9);
  expect_xnn_matches_cpu(m, /*threads=*/2);
}

// ---------------------------------------------------------------------------
// Fallbacks: supports() says no, with a reason, and the node runs on cpu
// ---------------------------------------------------------------------------

TEST(XnnConvF32, FusedTanhFallsBackWithReason) {
  for (bool depthwise : {false, true}) {
    ConvCase p;
    p.depthwise = depthwise;
    p.activation = Activation::kTanh;
    OneNodeGraph m = make_conv_f32(p, 21);
    std::string why;
    EXPECT_FALSE(m.xnn_supports(&why));
    EXPECT_NE(why.find("TANH"), std::string::npos) << why;
    expect_falls_back(m, "TANH");
  }
}

TEST(XnnConvF32, RejectsNonConstantFilter) {
  for (bool depthwise : {false, true}) {
    Attributes attrs;
    if (depthwise) {
      attrs = DepthwiseConv2DAttrs{};
    } else {
      attrs = Conv2DAttrs{};
    }
    OneNodeGraph m(depthwise ? OpKind::kDepthwiseConv2D : OpKind::kConv2D, attrs);
    m.add_input<float>({1, 6, 6, 4}, random_floats(6 * 6 * 4, 1));
    if (depthwise) {
      m.add_input<float>({1, 3, 3, 4}, random_floats(3 * 3 * 4, 2));  // a runtime filter
    } else {
      m.add_input<float>({5, 3, 3, 4}, random_floats(5 * 3 * 3 * 4, 2));
    }
    m.add_output();
    std::string why;
    EXPECT_FALSE(m.xnn_supports(&why));
    EXPECT_NE(why.find("not a constant"), std::string::npos) << why;
    expect_falls_back(m, "not a constant");
  }
}

TEST(XnnConvF32, RejectsNonConstantBias) {
  Conv2DAttrs a;
  OneNodeGraph m(OpKind::kConv2D, a);
  m.add_input<float>({1, 6, 6, 4}, random_floats(6 * 6 * 4, 1));
  m.add_constant<float>({5, 3, 3, 4}, random_floats(5 * 3 * 3 * 4, 2));
  m.add_input<float>({5}, random_floats(5, 3));
  m.add_output();
  std::string why;
  EXPECT_FALSE(m.xnn_supports(&why));
  EXPECT_NE(why.find("not a constant"), std::string::npos) << why;
}

TEST(XnnConvF32, RejectsUint8WithReason) {
  Conv2DAttrs a;
  OneNodeGraph m(OpKind::kConv2D, a);
  m.add_input<uint8_t>({1, 6, 6, 4}, random_ints<uint8_t>(6 * 6 * 4, 1, 0, 255),
                       per_tensor(0.1f, 128));
  m.add_constant<uint8_t>({5, 3, 3, 4}, random_ints<uint8_t>(5 * 3 * 3 * 4, 2, 0, 255),
                          per_tensor(0.01f, 128));
  m.add_output(DType::kU8, per_tensor(0.2f, 128));
  std::string why;
  EXPECT_FALSE(m.xnn_supports(&why));
  EXPECT_NE(why.find("uint8"), std::string::npos) << why;
}

// A constant input (no tail slack in the model's data) is copied, padded.
TEST(XnnConvF32, ConstantInput) {
  Conv2DAttrs a;
  a.padding = Padding::kSame;
  OneNodeGraph m(OpKind::kConv2D, a);
  m.add_constant<float>({1, 5, 5, 3}, random_floats(5 * 5 * 3, 1));
  m.add_constant<float>({4, 3, 3, 3}, random_floats(4 * 3 * 3 * 3, 2));
  m.add_output();
  expect_xnn_matches_cpu(m);
}

// ---------------------------------------------------------------------------
// f32 TRANSPOSE_CONV
// ---------------------------------------------------------------------------

struct TransposeCase {
  int64_t h = 8, w = 7, c = 4, out_c = 8;
  int k = 2;
  int stride = 2;
  Padding padding = Padding::kSame;
  bool bias = true;
  Shape output_shape;  // empty: derived
  Activation activation = Activation::kNone;
};

std::string case_name(const TransposeCase& p) {
  std::string s = "k" + std::to_string(p.k) + "_s" + std::to_string(p.stride);
  s += "_c" + std::to_string(p.c) + "_o" + std::to_string(p.out_c);
  s += p.padding == Padding::kSame ? "_same" : "_valid";
  s += p.bias ? "_bias" : "_nobias";
  if (!p.output_shape.empty()) {
    s += "_out" + std::to_string(p.output_shape[1]) + "x" + std::to_string(p.output_shape[2]);
  }
  s += std::string("_") + activation_name(p.activation);
  return s;
}
void PrintTo(const TransposeCase& p, std::ostream* os) { *os << case_name(p); }

OneNodeGraph make_transpose_conv(const TransposeCase& p, uint32_t seed) {
  TransposeConvAttrs a;
  a.padding = p.padding;
  a.stride_h = a.stride_w = p.stride;
  a.output_shape = p.output_shape;
  a.activation = p.activation;
  OneNodeGraph m(OpKind::kTransposeConv, a);
  m.add_input<float>({1, p.h, p.w, p.c}, random_floats(p.h * p.w * p.c, seed, -2.0f, 2.0f));
  m.add_constant<float>({p.out_c, p.k, p.k, p.c},
                        random_floats(p.out_c * p.k * p.k * p.c, seed + 1, -0.5f, 0.5f));
  if (p.bias) m.add_constant<float>({p.out_c}, random_floats(p.out_c, seed + 2));
  m.add_output();
  return m;
}

class XnnTransposeConvTest : public ::testing::TestWithParam<TransposeCase> {};

TEST_P(XnnTransposeConvTest, MatchesReferenceBackend) {
  const TransposeCase& p = GetParam();
  OneNodeGraph m = make_transpose_conv(p, 31);
  expect_xnn_matches_cpu(m);
}

std::vector<TransposeCase> transpose_cases() {
  std::vector<TransposeCase> cases;
  int i = 0;
  for (int k : {2, 3, 4}) {
    for (Padding padding : {Padding::kSame, Padding::kValid}) {
      for (bool bias : {true, false}) {
        TransposeCase p;
        p.k = k;
        p.padding = padding;
        p.bias = bias;
        p.c = i % 2 ? 16 : 4;
        p.out_c = i % 2 ? 3 : 8;
        p.activation = kClampActivations[i % 4];
        cases.push_back(p);
        ++i;
      }
    }
  }
  // Output sizes the model states: SAME 2x (k 3: odd total padding), sizes
  // that crop the full output, and sizes that need XNNPACK's adjustment.
  auto with_out = [](int k, Padding padding, int64_t oh, int64_t ow, bool bias) {
    TransposeCase p;
    p.k = k;
    p.padding = padding;
    p.bias = bias;
    p.output_shape = {1, oh, ow, p.out_c};
    return p;
  };
  cases.push_back(with_out(3, Padding::kSame, 16, 14, true));
  cases.push_back(with_out(3, Padding::kSame, 15, 13, false));
  cases.push_back(with_out(4, Padding::kSame, 16, 14, true));
  cases.push_back(with_out(2, Padding::kValid, 17, 15, true));   // adjustment 1
  cases.push_back(with_out(3, Padding::kValid, 16, 14, false));  // crops 1
  cases.push_back(with_out(1, Padding::kSame, 16, 14, true));    // k < stride
  {
    TransposeCase p;  // stride 1 and 3
    p.stride = 1;
    p.k = 3;
    cases.push_back(p);
    p.stride = 3;
    p.k = 5;
    p.padding = Padding::kValid;
    cases.push_back(p);
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Shapes, XnnTransposeConvTest, ::testing::ValuesIn(transpose_cases()),
                         [](const ::testing::TestParamInfo<TransposeCase>& info) {
                           return case_name(info.param);
                         });

TEST(XnnTransposeConv, MediaPipeConvolution2DTransposeBias) {
  // MediaPipe's custom op maps to TRANSPOSE_CONV with an OHWI filter.
  TransposeCase p;
  p.k = 4;
  p.c = 16;
  p.out_c = 1;
  p.h = p.w = 16;
  OneNodeGraph m = make_transpose_conv(p, 41);
  m.node().type_name = "Convolution2DTransposeBias";
  const SessionRun x = m.run({"xnnpack", "cpu"});
  ASSERT_TRUE(x.status.is_ok()) << x.status.to_string();
  EXPECT_EQ(x.node_backend, "xnnpack");
  const SessionRun r = m.run({"cpu"});
  EXPECT_TRUE(close_to_reference(values_of<float>(x.output), values_of<float>(r.output)));
}

TEST(XnnTransposeConv, RejectsOutputBeyondAdjustment) {
  // VALID, k 3, stride 2, in 8: the full output is 17; 20 would need 3
  // pixels of adjustment, XNNPACK takes less than the stride.
  TransposeCase p;
  p.k = 3;
  p.padding = Padding::kValid;
  p.output_shape = {1, 20, 15, p.out_c};
  OneNodeGraph m = make_transpose_conv(p, 51);
  std::string why;
  EXPECT_FALSE(m.xnn_supports(&why));
  EXPECT_NE(why.find("adjustment"), std::string::npos) << why;
  expect_falls_back(m, "adjustment");
}

TEST(XnnTransposeConv, RejectsTanhAndNonConstantFilter) {
  {
    TransposeCase p;
    p.activation = Activation::kTanh;
    OneNodeGraph m = make_transpose_conv(p, 61);
    std::string why;
    EXPECT_FALSE(m.xnn_supports(&why));
    EXPECT_NE(why.find("TANH"), std::string::npos) << why;
  }
  {
    TransposeConvAttrs a;
    a.padding = Padding::kSame;
    a.stride_h = a.stride_w = 2;
    OneNodeGraph m(OpKind::kTransposeConv, a);
    m.add_input<float>({1, 4, 4, 3}, random_floats(48, 1));
    m.add_input<float>({2, 2, 2, 3}, random_floats(24, 2));
    m.add_output();
    std::string why;
    EXPECT_FALSE(m.xnn_supports(&why));
    EXPECT_NE(why.find("not a constant"), std::string::npos) << why;
    expect_falls_back(m, "not a constant");
  }
}

TEST(XnnTransposeConv, RejectsInt8WithReason) {
  TransposeConvAttrs a;
  a.padding = Padding::kSame;
  a.stride_h = a.stride_w = 2;
  OneNodeGraph m(OpKind::kTransposeConv, a);
  m.add_input<int8_t>({1, 4, 4, 3}, random_ints<int8_t>(48, 1, -128, 127), per_tensor(0.1f, 0));
  m.add_constant<int8_t>({2, 2, 2, 3}, random_ints<int8_t>(24, 2, -127, 127),
                         per_tensor(0.01f, 0));
  m.add_output(DType::kI8, per_tensor(0.1f, 0));
  std::string why;
  EXPECT_FALSE(m.xnn_supports(&why));
  EXPECT_NE(why.find("f32 only"), std::string::npos) << why;
}

}  // namespace
}  // namespace opscope::testing
