// XNNPACK backend: ADD, SUB, MUL, MAXIMUM, MINIMUM (f32 with broadcasting
// and fused clamps against the reference backend; int8 ADD/SUB/MUL against a
// naive double reference with TFLite semantics).
#include <gtest/gtest.h>

#include <ostream>

#include "tests/engine/backends/xnn_test_util.h"

namespace opscope::testing {
namespace {

// A binary node of two runtime inputs with random values.
OneNodeGraph binary_graph(OpKind op, const Shape& a, const Shape& b,
                          Activation act = Activation::kNone, uint32_t seed = 1) {
  OneNodeGraph g(op, ActivationAttrs{act});
  g.add_input(a, random_values(num_elements(a), -3.0f, 3.0f, seed));
  g.add_input(b, random_values(num_elements(b), -3.0f, 3.0f, seed + 100));
  g.add_output();
  return g;
}

struct BinaryCase {
  OpKind op;
  Shape a, b;
};

void PrintTo(const BinaryCase& c, std::ostream* os) {
  *os << to_string(c.op) << " " << shape_to_string(c.a) << " , " << shape_to_string(c.b);
}

class XnnBinaryShapes : public ::testing::TestWithParam<BinaryCase> {};

TEST_P(XnnBinaryShapes, MatchesReference) {
  const BinaryCase& c = GetParam();
  expect_xnn_matches_cpu(binary_graph(c.op, c.a, c.b));
}

INSTANTIATE_TEST_SUITE_P(
    Models, XnnBinaryShapes,
    ::testing::Values(
        // selfie_segmentation / hand_landmark residual adds
        BinaryCase{OpKind::kAdd, {1, 128, 128, 16}, {1, 128, 128, 16}},
        // squeeze-and-excite scaling
        BinaryCase{OpKind::kMul, {1, 32, 32, 64}, {1, 1, 1, 64}},
        BinaryCase{OpKind::kMul, {1, 1, 1, 64}, {1, 32, 32, 64}},
        BinaryCase{OpKind::kSub, {1, 16, 16, 24}, {1, 16, 16, 24}},
        BinaryCase{OpKind::kMaximum, {1, 64, 64, 8}, {1, 64, 64, 8}},
        BinaryCase{OpKind::kMinimum, {1, 64, 64, 8}, {1}}));

INSTANTIATE_TEST_SUITE_P(
    OddShapes, XnnBinaryShapes,
    ::testing::Values(
        BinaryCase{OpKind::kAdd, {17}, {17}},                        // rank 1
        BinaryCase{OpKind::kSub, {17}, {1}},                         // scalar b
        BinaryCase{OpKind::kSub, {1}, {5, 17}},                      // scalar a, reversed
        BinaryCase{OpKind::kSub, {}, {3, 5}},                        // rank-0 a
        BinaryCase{OpKind::kAdd, {1, 16, 16, 3}, {3}},               // ranks differ
        BinaryCase{OpKind::kMul, {4, 1, 5}, {1, 3, 1}},              // both broadcast
        BinaryCase{OpKind::kSub, {3, 1, 5}, {2, 1, 5, 1}},           // both, ranks differ
        BinaryCase{OpKind::kMaximum, {2, 3, 4, 5, 6}, {5, 1}},       // rank 5
        BinaryCase{OpKind::kMinimum, {2, 1, 4, 1, 6}, {2, 3, 1, 5, 1}},
        BinaryCase{OpKind::kAdd, {2, 1, 3, 1, 2, 5}, {3, 4, 2, 1}},  // rank 6
        BinaryCase{OpKind::kMul, {7, 1, 17}, {7, 5, 17}},
        BinaryCase{OpKind::kSub, {2, 3, 17}, {2, 1, 1}}));

TEST(XnnBinary, FusedClampActivations) {
  for (OpKind op : {OpKind::kAdd, OpKind::kSub, OpKind::kMul}) {
    for (Activation act : {Activation::kRelu, Activation::kRelu6, Activation::kReluN1To1}) {
      SCOPED_TRACE(std::string(to_string(op)) + " act " + std::to_string(static_cast<int>(act)));
      expect_xnn_matches_cpu(binary_graph(op, {1, 8, 8, 5}, {5}, act));
    }
  }
}

TEST(XnnBinary, NoAttributesReadsAsNoActivation) {
  OneNodeGraph g(OpKind::kMaximum);
  g.add_input({2, 3}, random_values(6, -1, 1, 3));
  g.add_input({3}, random_values(3, -1, 1, 4));
  g.add_output();
  expect_xnn_matches_cpu(g);
}

TEST(XnnBinary, ConstantOperand) {
  for (int side = 0; side < 2; ++side) {
    OneNodeGraph g(OpKind::kMul, ActivationAttrs{});
    const Shape big{1, 32, 32, 64}, small{1, 1, 1, 64};
    if (side == 0) {
      g.add_input(big, random_values(num_elements(big), -2, 2, 5));
      g.add_constant(small, random_values(64, -2, 2, 6));
    } else {
      g.add_constant(small, random_values(64, -2, 2, 6));
      g.add_input(big, random_values(num_elements(big), -2, 2, 5));
    }
    g.add_output();
    expect_xnn_matches_cpu(g);
  }
}

TEST(XnnBinary, SameTensorTwice) {
  OneNodeGraph g(OpKind::kMul, ActivationAttrs{});
  const int x = g.add_input(Shape{3, 17}, random_values(51, -2, 2, 7));
  g.graph().nodes[0].inputs.push_back(x);
  g.add_output();
  expect_xnn_matches_cpu(g);
}

TEST(XnnBinary, MultiThreaded) {
  expect_xnn_matches_cpu(binary_graph(OpKind::kAdd, {1, 64, 64, 16}, {1, 1, 1, 16}), 2);
}

TEST(XnnBinary, EmptyOutputIsANoOp) {
  OneNodeGraph g(OpKind::kAdd, ActivationAttrs{});
  g.add_constant(Shape{0, 3}, std::vector<float>{});
  g.add_input(Shape{3}, random_values(3, -1, 1, 8));
  g.add_output();
  Result<OneNodeRun> run = run_session(g, {"xnnpack"});
  ASSERT_TRUE(run.is_ok()) << run.status().to_string();
  EXPECT_EQ(run->node_backend, 0);
  EXPECT_EQ(shape_to_string(run->output_shapes[0]), shape_to_string(Shape{0, 3}));
}

TEST(XnnBinary, FallsBackOnTanh) {
  expect_falls_back(binary_graph(OpKind::kAdd, {2, 5}, {5}, Activation::kTanh), "TANH");
}

TEST(XnnBinary, FallsBackOnActivationOfMaximum) {
  expect_falls_back(binary_graph(OpKind::kMaximum, {2, 5}, {5}, Activation::kRelu),
                    "no fused clamp");
}

TEST(XnnBinary, FallsBackAboveSixDims) {
  expect_falls_back(binary_graph(OpKind::kAdd, {1, 1, 2, 1, 2, 1, 3}, {3}), "rank 7");
}

TEST(XnnBinary, DeclinesOtherDtypes) {
  OneNodeGraph g(OpKind::kAdd, ActivationAttrs{});
  g.add_input(Shape{4}, std::vector<int32_t>{1, 2, 3, 4});
  g.add_input(Shape{4}, std::vector<int32_t>{1, 2, 3, 4});
  g.add_output(DType::kI32);
  std::string why;
  EXPECT_FALSE(xnn_supports(g, &why));
  EXPECT_NE(why.find("i32"), std::string::npos) << why;
}

// ---------------------------------------------------------------- int8

struct QuantCase {
  OpKind op;
  Shape a, b, out;
  Quantization qa, qb, qo;
  Activation act;
};

void PrintTo(const QuantCase& c, std::ostream* os) {
  *os << to_string(c.op) << " " << shape_to_string(c.a) << " , " << shape_to_string(c.b);
}

// TFLite int8 semantics in double: dequantize, compute, requantize with
// round-half-away-from-zero, clamp to the activation's quantized range.
std::vector<int> naive_int8_binary(const QuantCase& c, const std::vector<int8_t>& a,
                                   const std::vector<int8_t>& b) {
  const int64_t n = num_elements(c.out);
  std::vector<int> out(static_cast<size_t>(n));
  const float so = c.qo.scales[0];
  const int64_t zo = c.qo.zero_points[0];
  auto q = [&](float v) { return zo + static_cast<int64_t>(std::round(v / so)); };
  int lo = -128, hi = 127;
  if (c.act == Activation::kRelu) lo = std::max<int64_t>(lo, q(0.0f));
  if (c.act == Activation::kRelu6) {
    lo = std::max<int64_t>(lo, q(0.0f));
    hi = std::min<int64_t>(hi, q(6.0f));
  }
  for (int64_t i = 0; i < n; ++i) {
    // Broadcast source indices (right-aligned).
    auto src = [&](const Shape& in) {
      int64_t flat = i, index = 0, stride = 1;
      for (size_t k = 0; k < c.out.size(); ++k) {
        const size_t d = c.out.size() - 1 - k;
        const int64_t coord = flat % c.out[d];
        flat /= c.out[d];
        if (k < in.size()) {
          const int64_t dim = in[in.size() - 1 - k];
          if (dim != 1) index += coord * stride;
          stride *= dim;
        }
      }
      return index;
    };
    const double ra = c.qa.scales[0] * (a[src(c.a)] - static_cast<double>(c.qa.zero_points[0]));
    const double rb = c.qb.scales[0] * (b[src(c.b)] - static_cast<double>(c.qb.zero_points[0]));
    double r = 0;
    switch (c.op) {
      case OpKind::kAdd: r = ra + rb; break;
      case OpKind::kSub: r = ra - rb; break;
      case OpKind::kMul: r = ra * rb; break;
      default: break;
    }
    out[i] = quantize_int8(r, so, zo, lo, hi);
  }
  return out;
}

class XnnBinaryInt8 : public ::testing::TestWithParam<QuantCase> {};

TEST_P(XnnBinaryInt8, WithinOneLsbOfNaiveReference) {
  const QuantCase& c = GetParam();
  const std::vector<int8_t> a = random_int8(num_elements(c.a), 11);
  const std::vector<int8_t> b = random_int8(num_elements(c.b), 12);
  OneNodeGraph g(c.op, ActivationAttrs{c.act});
  g.add_input(c.a, a, c.qa);
  g.add_input(c.b, b, c.qb);
  g.add_output(DType::kI8, c.qo, c.out);
  auto out = run_xnn_direct(g);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  expect_int8_within_1(values_of<int8_t>((*out)[0]), naive_int8_binary(c, a, b));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, XnnBinaryInt8,
    ::testing::Values(
        QuantCase{OpKind::kAdd, {1, 16, 16, 16}, {1, 16, 16, 16}, {1, 16, 16, 16},
                  per_tensor(0.05f, 3), per_tensor(0.04f, -7), per_tensor(0.08f, -2),
                  Activation::kNone},
        QuantCase{OpKind::kAdd, {1, 8, 8, 17}, {17}, {1, 8, 8, 17}, per_tensor(0.02f, 0),
                  per_tensor(0.1f, 10), per_tensor(0.1f, -128), Activation::kRelu},
        QuantCase{OpKind::kSub, {2, 1, 5}, {1, 3, 1}, {2, 3, 5}, per_tensor(0.03f, -1),
                  per_tensor(0.03f, 5), per_tensor(0.06f, 0), Activation::kNone},
        QuantCase{OpKind::kSub, {1}, {4, 9}, {4, 9}, per_tensor(0.5f, 0), per_tensor(0.25f, 1),
                  per_tensor(0.5f, 4), Activation::kRelu6},
        QuantCase{OpKind::kMul, {1, 32, 32, 8}, {1, 1, 1, 8}, {1, 32, 32, 8},
                  per_tensor(0.02f, -3), per_tensor(0.01f, 2), per_tensor(0.004f, 1),
                  Activation::kNone},
        QuantCase{OpKind::kMul, {3, 5}, {3, 5}, {3, 5}, per_tensor(0.1f, 0),
                  per_tensor(0.1f, 0), per_tensor(0.05f, -20), Activation::kRelu6}));

TEST(XnnBinaryInt8Support, DeclinesOutOfRangeScaleRatio) {
  OneNodeGraph g(OpKind::kAdd, ActivationAttrs{});
  g.add_input(Shape{4}, random_int8(4, 1), per_tensor(1.0f, 0));
  g.add_input(Shape{4}, random_int8(4, 2), per_tensor(1.0f, 0));
  g.add_output(DType::kI8, per_tensor(1e-4f, 0), Shape{4});
  std::string why;
  EXPECT_FALSE(xnn_supports(g, &why));
  EXPECT_NE(why.find("scale ratio"), std::string::npos) << why;
}

TEST(XnnBinaryInt8Support, DeclinesInt8MaximumAndPerChannel) {
  OneNodeGraph max(OpKind::kMaximum);
  max.add_input(Shape{4}, random_int8(4, 1), per_tensor(0.1f, 0));
  max.add_input(Shape{4}, random_int8(4, 2), per_tensor(0.1f, 0));
  max.add_output(DType::kI8, per_tensor(0.1f, 0), Shape{4});
  std::string why;
  EXPECT_FALSE(xnn_supports(max, &why));
  EXPECT_NE(why.find("no int8"), std::string::npos) << why;

  Quantization per_channel;
  per_channel.scales = {0.1f, 0.2f};
  per_channel.zero_points = {0, 0};
  per_channel.axis = 1;
  OneNodeGraph add(OpKind::kAdd, ActivationAttrs{});
  add.add_input(Shape{1, 2}, random_int8(2, 1), per_channel);
  add.add_input(Shape{1, 2}, random_int8(2, 2), per_tensor(0.1f, 0));
  add.add_output(DType::kI8, per_tensor(0.1f, 0), Shape{1, 2});
  why.clear();
  EXPECT_FALSE(xnn_supports(add, &why));
  EXPECT_NE(why.find("per tensor"), std::string::npos) << why;
}

}  // namespace
}  // namespace opscope::testing
