// XNNPACK backend: FULLY_CONNECTED, f32 (against the reference backend) and
// int8 qs8 (against a double-precision TFLite-semantics reference, within 1
// LSB; there is no int8 reference kernel yet).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/engine/backends/xnn_test_util.h"

namespace opscope::testing {
namespace {

struct FcCase {
  Shape input;
  int64_t out = 16;
  bool keep_num_dims = false;
  bool bias = true;
  Activation activation = Activation::kNone;
};

OneNodeGraph make_fc_f32(const FcCase& p, uint32_t seed) {
  FullyConnectedAttrs a;
  a.activation = p.activation;
  a.keep_num_dims = p.keep_num_dims;
  OneNodeGraph m(OpKind::kFullyConnected, a);
  const int64_t in_size = p.input.back();
  m.add_input<float>(p.input, random_floats(num_elements(p.input), seed, -2.0f, 2.0f));
  m.add_constant<float>({p.out, in_size}, random_floats(p.out * in_size, seed + 1, -0.5f, 0.5f));
  if (p.bias) m.add_constant<float>({p.out}, random_floats(p.out, seed + 2));
  m.add_output();
  return m;
}

TEST(XnnFullyConnectedF32, MatchesReferenceBackend) {
  const auto& activations = kClampActivations;
  int i = 0;
  for (const Shape& input : {Shape{1, 64}, Shape{4, 33}, Shape{3, 128}, Shape{1, 1152}}) {
    for (Activation a : activations) {
      FcCase p;
      p.input = input;
      p.out = i % 2 ? 17 : 64;
      p.activation = a;
      p.bias = i % 3 != 2;
      OneNodeGraph m = make_fc_f32(p, 100 + i);
      SCOPED_TRACE(shape_to_string(input) + " activation " + std::to_string(int(a)));
      expect_xnn_matches_cpu(m);
      ++i;
    }
  }
}

TEST(XnnFullyConnectedF32, FlattensInputAndKeepsNumDims) {
  {
    // An NHWC feature map straight into a classifier: [1, 2, 2, 8] as [1, 32].
    FcCase p;
    p.input = {1, 2, 2, 8};
    FullyConnectedAttrs a;
    OneNodeGraph m(OpKind::kFullyConnected, a);
    m.add_input<float>(p.input, random_floats(32, 1));
    m.add_constant<float>({10, 32}, random_floats(320, 2));
    m.add_constant<float>({10}, random_floats(10, 3));
    m.add_output();
    expect_xnn_matches_cpu(m);
  }
  {
    // Flattened into a batch: [2, 3, 8] with I = 8 is [6, 8].
    FcCase p;
    p.input = {2, 3, 8};
    OneNodeGraph m = make_fc_f32(p, 7);
    expect_xnn_matches_cpu(m);
  }
  {
    // keep_num_dims: [2, 3, 8] -> [2, 3, 16], same memory.
    FcCase p;
    p.input = {2, 3, 8};
    p.keep_num_dims = true;
    OneNodeGraph m = make_fc_f32(p, 8);
    const SessionRun x = m.run({"xnnpack"});
    ASSERT_TRUE(x.status.is_ok()) << x.status.to_string();
    EXPECT_EQ(x.shape, (Shape{2, 3, 16}));
    expect_xnn_matches_cpu(m);
  }
}

TEST(XnnFullyConnectedF32, TwoThreadsMatch) {
  FcCase p;
  p.input = {8, 256};
  p.out = 128;
  OneNodeGraph m = make_fc_f32(p, 5);
  expect_xnn_matches_cpu(m, /*threads=*/2);
}

TEST(XnnFullyConnectedF32, FallsBackWithReason) {
  {
    FcCase p;
    p.input = {2, 16};
    p.activation = Activation::kTanh;
    OneNodeGraph m = make_fc_f32(p, 1);
    std::string why;
    EXPECT_FALSE(m.xnn_supports(&why));
    EXPECT_NE(why.find("TANH"), std::string::npos) << why;
    expect_falls_back(m, "TANH");
  }
  {
    FullyConnectedAttrs a;
    OneNodeGraph m(OpKind::kFullyConnected, a);
    m.add_input<float>({2, 16}, random_floats(32, 1));
    m.add_input<float>({4, 16}, random_floats(64, 2));  // runtime weights
    m.add_output();
    std::string why;
    EXPECT_FALSE(m.xnn_supports(&why));
    EXPECT_NE(why.find("not a constant"), std::string::npos) << why;
    expect_falls_back(m, "not a constant");
  }
}

// ---------------------------------------------------------------------------
// int8 (qs8)
// ---------------------------------------------------------------------------

struct FcQ8Case {
  int64_t batch = 3, in = 40, out = 24;
  bool bias = true;
  Activation activation = Activation::kNone;
  int32_t in_zp = 7, out_zp = -4;
  float in_scale = 0.03f, w_scale = 0.005f, out_scale = 0.1f;
};

OneNodeGraph make_fc_q8(const FcQ8Case& p, uint32_t seed, std::vector<int8_t>* expected) {
  const std::vector<int8_t> x = random_ints<int8_t>(p.batch * p.in, seed, -128, 127);
  const std::vector<int8_t> w = random_ints<int8_t>(p.out * p.in, seed + 1, -127, 127);
  std::vector<int32_t> b = random_ints<int32_t>(p.out, seed + 2, -3000, 3000);
  if (!p.bias) b.assign(p.out, 0);
  int lo, hi;
  quantized_activation(p.activation, p.out_scale, p.out_zp, &lo, &hi);
  expected->resize(p.batch * p.out);
  const double m = double{p.in_scale} * p.w_scale / p.out_scale;
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t o = 0; o < p.out; ++o) {
      int64_t acc = b[o];
      for (int64_t i = 0; i < p.in; ++i) {
        acc += (int64_t{x[n * p.in + i]} - p.in_zp) * w[o * p.in + i];
      }
      (*expected)[n * p.out + o] = requantize(static_cast<double>(acc), m, p.out_zp, lo, hi);
    }
  }
  FullyConnectedAttrs a;
  a.activation = p.activation;
  OneNodeGraph g(OpKind::kFullyConnected, a);
  g.add_input<int8_t>({p.batch, p.in}, x, per_tensor(p.in_scale, p.in_zp));
  g.add_constant<int8_t>({p.out, p.in}, w, per_tensor(p.w_scale, 0));
  if (p.bias) g.add_constant<int32_t>({p.out}, b, per_tensor(p.in_scale * p.w_scale, 0));
  g.add_output(DType::kI8, per_tensor(p.out_scale, p.out_zp), {p.batch, p.out});
  return g;
}

TEST(XnnFullyConnectedQs8, MatchesTfliteSemanticsWithin1Lsb) {
  const auto& activations = kClampActivations;
  int i = 0;
  for (int64_t in : {8, 40, 257}) {
    for (Activation a : activations) {
      FcQ8Case p;
      p.in = in;
      p.out = i % 2 ? 9 : 32;
      p.activation = a;
      p.bias = i % 3 != 1;
      std::vector<int8_t> expected;
      OneNodeGraph m = make_fc_q8(p, 200 + i, &expected);
      std::vector<uint8_t> out;
      const Status st = m.run_xnn_op(&out);
      ASSERT_TRUE(st.is_ok()) << st.to_string();
      EXPECT_TRUE(within_lsb(values_of<int8_t>(out), expected))
          << "in " << in << " activation " << int(a);
      ++i;
    }
  }
}

TEST(XnnFullyConnectedQs8, RejectsPerChannelWeightsWithReason) {
  FcQ8Case p;
  std::vector<int8_t> expected;
  OneNodeGraph m = make_fc_q8(p, 1, &expected);
  Tensor& w = m.graph().tensors[m.node().inputs[1]];
  w.quantization = per_channel(std::vector<float>(p.out, 0.004f), 0);
  std::string why;
  EXPECT_FALSE(m.xnn_supports(&why));
  EXPECT_NE(why.find("per channel"), std::string::npos) << why;
}

TEST(XnnFullyConnectedQs8, RejectsHybridAndUint8) {
  {
    // f32 activations with int8 weights (dynamic-range quantization).
    FullyConnectedAttrs a;
    OneNodeGraph m(OpKind::kFullyConnected, a);
    m.add_input<float>({2, 8}, random_floats(16, 1));
    m.add_constant<int8_t>({4, 8}, random_ints<int8_t>(32, 2, -127, 127), per_tensor(0.01f, 0));
    m.add_output();
    std::string why;
    EXPECT_FALSE(m.xnn_supports(&why));
    EXPECT_NE(why.find("not f32"), std::string::npos) << why;
  }
  {
    FullyConnectedAttrs a;
    OneNodeGraph m(OpKind::kFullyConnected, a);
    m.add_input<uint8_t>({2, 8}, random_ints<uint8_t>(16, 1, 0, 255), per_tensor(0.1f, 128));
    m.add_constant<uint8_t>({4, 8}, random_ints<uint8_t>(32, 2, 0, 255), per_tensor(0.01f, 128));
    m.add_output(DType::kU8, per_tensor(0.1f, 128));
    std::string why;
    EXPECT_FALSE(m.xnn_supports(&why));
    EXPECT_NE(why.find("uint8"), std::string::npos) << why;
  }
}

}  // namespace
}  // namespace opscope::testing
