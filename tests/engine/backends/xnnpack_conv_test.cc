// XNNPACK backend: CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV.
//
// f32 runs through a Session on {"xnnpack"} and on {"cpu"} (the reference
// kernels) and compares: max abs error <= 1e-4 * max|ref| + 1e-5. int8 has no
// reference kernel yet, so it runs the XNNPACK op directly and compares with
// a double-precision TFLite-semantics reference in this file, within 1 LSB.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "tests/engine/backends/xnn_test_util.h"

namespace opscope::testing {
namespace {

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::kNone: return "none";
    case Activation::kRelu: return "relu";
    case Activation::kReluN1To1: return "relu_n1_to_1";
    case Activation::kRelu6: return "relu6";
    case Activation::kTanh: return "tanh";
  }
  return "?";
}

const Activation kClampActivations[] = {Activation::kNone, Activation::kRelu,
                                        Activation::kReluN1To1, Activation::kRelu6};

// The part of a test name that says the window of a conv case (ConvCase or
// Q8Case): "_c8_o16_k3_s1_same_relu_bias".
template <typename Case>
std::string window_name(const Case& p) {
  std::string s = "_c" + std::to_string(p.c);
  s += p.depthwise ? "_m" + std::to_string(p.multiplier) : "_o" + std::to_string(p.out_c);
  s += "_k" + std::to_string(p.k) + "_s" + std::to_string(p.stride);
  if (p.dilation != 1) s += "_d" + std::to_string(p.dilation);
  s += p.padding == Padding::kSame ? "_same" : "_valid";
  s += std::string("_") + activation_name(p.activation);
  s += p.bias ? "_bias" : "_nobias";
  return s;
}

// A CONV_2D or DEPTHWISE_CONV_2D node with the window and activation of a
// conv case (ConvCase or Q8Case), no tensors yet.
template <typename Case>
OneNodeGraph conv_node(const Case& p) {
  if (p.depthwise) {
    DepthwiseConv2DAttrs a;
    a.padding = p.padding;
    a.stride_h = a.stride_w = p.stride;
    a.dilation_h = a.dilation_w = p.dilation;
    a.depth_multiplier = p.multiplier;
    a.activation = p.activation;
    return OneNodeGraph(OpKind::kDepthwiseConv2D, a);
  }
  Conv2DAttrs a;
  a.padding = p.padding;
  a.stride_h = a.stride_w = p.stride;
  a.dilation_h = a.dilation_w = p.dilation;
  a.activation = p.activation;
  return OneNodeGraph(OpKind::kConv2D, a);
}

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

// ---------------------------------------------------------------------------
// int8 CONV_2D / DEPTHWISE_CONV_2D (qs8, qc8) against a naive reference
// ---------------------------------------------------------------------------

struct Q8Case {
  bool depthwise = false;
  bool per_channel = false;
  int64_t batch = 1, h = 10, w = 9, c = 8;
  int64_t out_c = 12;  // regular conv
  int multiplier = 1;  // depthwise
  int k = 3, stride = 1, dilation = 1;
  Padding padding = Padding::kSame;
  Activation activation = Activation::kNone;
  bool bias = true;
  int32_t in_zp = -3, out_zp = 5;
  float in_scale = 0.05f, out_scale = 0.08f;
};

std::string case_name(const Q8Case& p) {
  std::string s = p.depthwise ? "dw" : "conv";
  s += p.per_channel ? "_qc8" : "_qs8";
  return s + window_name(p);
}
void PrintTo(const Q8Case& p, std::ostream* os) { *os << case_name(p); }

// One spatial dim of a forward window op (TFLite SAME/VALID).
struct Dim {
  int64_t out, pad;
};
Dim window(Padding padding, int64_t in, int k, int stride, int dilation) {
  const int64_t eff = static_cast<int64_t>(k - 1) * dilation + 1;
  if (padding == Padding::kValid) return {(in - eff) / stride + 1, 0};
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>(0, (out - 1) * stride + eff - in);
  return {out, total / 2};
}

struct Q8Data {
  std::vector<int8_t> input, filter;
  std::vector<int32_t> bias;
  std::vector<float> filter_scales;
  Shape output_shape;
  std::vector<int8_t> expected;
};

// TFLite int8 semantics in double: acc = bias + sum (x - in_zp) * w; y =
// out_zp + round(acc * in_scale * w_scale / out_scale), clamped.
Q8Data make_q8_data(const Q8Case& p, uint32_t seed) {
  Q8Data d;
  const int64_t oc = p.depthwise ? p.c * p.multiplier : p.out_c;
  const int64_t in_gc = p.depthwise ? 1 : p.c;
  d.input = random_ints<int8_t>(p.batch * p.h * p.w * p.c, seed, -128, 127);
  d.filter = random_ints<int8_t>(oc * p.k * p.k * in_gc, seed + 1, -127, 127);
  d.bias = random_ints<int32_t>(oc, seed + 2, -2000, 2000);
  if (!p.bias) d.bias.assign(oc, 0);
  d.filter_scales.assign(p.per_channel ? oc : 1, 0.004f);
  if (p.per_channel) {
    for (int64_t o = 0; o < oc; ++o) d.filter_scales[o] = 0.001f + 0.0007f * (o % 9);
  }
  const Dim dh = window(p.padding, p.h, p.k, p.stride, p.dilation);
  const Dim dw = window(p.padding, p.w, p.k, p.stride, p.dilation);
  d.output_shape = {p.batch, dh.out, dw.out, oc};
  int lo, hi;
  quantized_activation(p.activation, p.out_scale, p.out_zp, &lo, &hi);
  d.expected.resize(num_elements(d.output_shape));
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t oy = 0; oy < dh.out; ++oy) {
      for (int64_t ox = 0; ox < dw.out; ++ox) {
        for (int64_t o = 0; o < oc; ++o) {
          int64_t acc = d.bias[o];
          for (int ky = 0; ky < p.k; ++ky) {
            const int64_t iy = oy * p.stride - dh.pad + ky * p.dilation;
            if (iy < 0 || iy >= p.h) continue;
            for (int kx = 0; kx < p.k; ++kx) {
              const int64_t ix = ox * p.stride - dw.pad + kx * p.dilation;
              if (ix < 0 || ix >= p.w) continue;
              const int8_t* px = &d.input[((n * p.h + iy) * p.w + ix) * p.c];
              if (p.depthwise) {
                const int64_t ic = o / p.multiplier;
                const int8_t w = d.filter[(ky * p.k + kx) * oc + o];
                acc += (int64_t{px[ic]} - p.in_zp) * w;
              } else {
                for (int64_t ic = 0; ic < p.c; ++ic) {
                  const int8_t w = d.filter[((o * p.k + ky) * p.k + kx) * p.c + ic];
                  acc += (int64_t{px[ic]} - p.in_zp) * w;
                }
              }
            }
          }
          const double m = double{p.in_scale} * d.filter_scales[p.per_channel ? o : 0] /
                           p.out_scale;
          d.expected[((n * dh.out + oy) * dw.out + ox) * oc + o] =
              requantize(static_cast<double>(acc), m, p.out_zp, lo, hi);
        }
      }
    }
  }
  return d;
}

OneNodeGraph make_conv_q8(const Q8Case& p, const Q8Data& d) {
  const int64_t oc = p.depthwise ? p.c * p.multiplier : p.out_c;
  OneNodeGraph m = conv_node(p);
  m.add_input<int8_t>({p.batch, p.h, p.w, p.c}, d.input, per_tensor(p.in_scale, p.in_zp));
  const Shape filter = p.depthwise ? Shape{1, p.k, p.k, oc} : Shape{oc, p.k, p.k, p.c};
  Quantization fq = p.per_channel ? per_channel(d.filter_scales, p.depthwise ? 3 : 0)
                                  : per_tensor(d.filter_scales[0], 0);
  m.add_constant<int8_t>(filter, d.filter, fq);
  if (p.bias) {
    Quantization bq;
    for (float s : d.filter_scales) bq.scales.push_back(p.in_scale * s);
    bq.zero_points.assign(bq.scales.size(), 0);
    bq.axis = p.per_channel ? 0 : -1;
    m.add_constant<int32_t>({oc}, d.bias, bq);
  }
  m.add_output(DType::kI8, per_tensor(p.out_scale, p.out_zp), d.output_shape);
  return m;
}

class XnnConvQ8Test : public ::testing::TestWithParam<Q8Case> {};

TEST_P(XnnConvQ8Test, MatchesTfliteSemanticsWithin1Lsb) {
  const Q8Case& p = GetParam();
  const Q8Data d = make_q8_data(p, 7);
  OneNodeGraph m = make_conv_q8(p, d);
  std::vector<uint8_t> out;
  const Status st = m.run_xnn_op(&out);
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  const std::vector<int8_t> got = values_of<int8_t>(out);
  EXPECT_TRUE(within_lsb(got, d.expected));
  // Rounding differences are rare: nearly all values match exactly.
  size_t exact = 0;
  for (size_t i = 0; i < got.size(); ++i) exact += got[i] == d.expected[i];
  EXPECT_GE(exact * 100, got.size() * 95) << exact << " of " << got.size() << " exact";
}

std::vector<Q8Case> conv_q8_cases() {
  std::vector<Q8Case> cases;
  struct Window {
    int k, stride, dilation;
    Padding padding;
  };
  const Window windows[] = {{3, 1, 1, Padding::kSame}, {3, 2, 1, Padding::kSame},
                            {3, 2, 1, Padding::kValid}, {1, 1, 1, Padding::kValid},
                            {5, 1, 1, Padding::kSame},  {3, 1, 2, Padding::kSame},
                            {7, 1, 1, Padding::kSame}};
  int i = 0;
  for (bool depthwise : {false, true}) {
    for (bool per_channel : {false, true}) {
      for (const Window& win : windows) {
        for (int mult : depthwise ? std::vector<int>{1, 2} : std::vector<int>{1}) {
          Q8Case p;
          p.depthwise = depthwise;
          p.per_channel = per_channel;
          p.multiplier = mult;
          p.k = win.k;
          p.stride = win.stride;
          p.dilation = win.dilation;
          p.padding = win.padding;
          p.c = (i % 3 == 0) ? 3 : (i % 3 == 1 ? 17 : 32);
          p.activation = kClampActivations[i % 4];
          p.bias = i % 5 != 4;
          cases.push_back(p);
          ++i;
        }
      }
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Shapes, XnnConvQ8Test, ::testing::ValuesIn(conv_q8_cases()),
                         [](const ::testing::TestParamInfo<Q8Case>& info) {
                           return case_name(info.param);
                         });

TEST(XnnConvQ8, TwoThreadsMatch) {
  for (bool per_channel : {false, true}) {
    Q8Case p;
    p.per_channel = per_channel;
    p.h = p.w = 20;
    p.c = 32;
    p.out_c = 40;
    const Q8Data d = make_q8_data(p, 11);
    OneNodeGraph m = make_conv_q8(p, d);
    std::vector<uint8_t> out;
    const Status st = m.run_xnn_op(&out, /*threads=*/2);
    ASSERT_TRUE(st.is_ok()) << st.to_string();
    EXPECT_TRUE(within_lsb(values_of<int8_t>(out), d.expected));
  }
}

TEST(XnnConvQ8, SupportsReportsWhatXnnpackCannotTake) {
  auto reason = [](Q8Case p, auto&& edit) {
    const Q8Data d = make_q8_data(p, 3);
    OneNodeGraph m = make_conv_q8(p, d);
    edit(m);
    std::string why;
    EXPECT_FALSE(m.xnn_supports(&why));
    return why;
  };
  Q8Case p;
  // Fused TANH.
  {
    Q8Case t = p;
    t.activation = Activation::kTanh;
    EXPECT_NE(reason(t, [](OneNodeGraph&) {}).find("TANH"), std::string::npos);
  }
  // Asymmetric weights.
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              m.graph().tensors[m.node().inputs[1]].quantization.zero_points = {3};
            }).find("zero point"),
            std::string::npos);
  // Per-channel along the wrong axis (the input-channel axis of OHWI).
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              Tensor& f = m.graph().tensors[m.node().inputs[1]];
              f.quantization = per_channel(std::vector<float>(f.shape[3], 0.01f), 3);
            }).find("per channel"),
            std::string::npos);
  // A non-constant filter.
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              m.graph().tensors[m.node().inputs[1]].role = TensorRole::kInput;
            }).find("not a constant"),
            std::string::npos);
  // Requantization scale out of XNNPACK's range.
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              m.graph().tensors[m.node().outputs[0]].quantization = per_tensor(1e-9f, 0);
            }).find("requantization"),
            std::string::npos);
  // RELU6 with a scale so coarse that only one value is left.
  {
    Q8Case t = p;
    t.activation = Activation::kRelu6;
    t.out_scale = 100.0f;
    t.out_zp = 0;
    EXPECT_NE(reason(t, [](OneNodeGraph&) {}).find("single"), std::string::npos);
  }
  // f32 bias on an int8 conv; i8 output required.
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              m.graph().tensors[m.node().inputs[2]].dtype = DType::kF32;
            }).find("bias"),
            std::string::npos);
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              m.graph().tensors[m.node().outputs[0]].dtype = DType::kF32;
            }).find("output"),
            std::string::npos);
  // Per-channel input activations.
  EXPECT_NE(reason(p, [](OneNodeGraph& m) {
              m.graph().tensors[m.node().inputs[0]].quantization =
                  per_channel(std::vector<float>(8, 0.1f), 3);
            }).find("per tensor"),
            std::string::npos);
}

}  // namespace
}  // namespace opscope::testing
