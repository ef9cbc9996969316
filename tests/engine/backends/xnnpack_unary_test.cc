// XNNPACK backend: RELU, RELU6, HARD_SWISH, LOGISTIC, LEAKY_RELU, PRELU (f32
// against the reference backend) and int8 LOGISTIC (against a naive double
// reference with TFLite semantics).
#include <gtest/gtest.h>

#include <ostream>

#include "tests/engine/backends/xnn_test_util.h"

namespace opscope::testing {
namespace {

OneNodeGraph unary_graph(OpKind op, const Shape& shape, float lo, float hi,
                         Attributes attrs = {}) {
  OneNodeGraph g(op, std::move(attrs));
  g.add_input(shape, random_values(num_elements(shape), lo, hi, 21));
  g.add_output();
  return g;
}

struct UnaryCase {
  OpKind op;
  Shape shape;
  float lo, hi;
};

void PrintTo(const UnaryCase& c, std::ostream* os) {
  *os << to_string(c.op) << " " << shape_to_string(c.shape);
}

class XnnUnary : public ::testing::TestWithParam<UnaryCase> {};

TEST_P(XnnUnary, MatchesReference) {
  const UnaryCase& c = GetParam();
  expect_xnn_matches_cpu(unary_graph(c.op, c.shape, c.lo, c.hi));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, XnnUnary,
    ::testing::Values(UnaryCase{OpKind::kRelu, {1, 64, 64, 16}, -4, 4},
                      UnaryCase{OpKind::kRelu, {17}, -4, 4},
                      UnaryCase{OpKind::kRelu6, {1, 32, 32, 17}, -4, 10},
                      UnaryCase{OpKind::kRelu6, {2, 3, 5}, -4, 10},
                      UnaryCase{OpKind::kHardSwish, {1, 16, 16, 5}, -5, 5},
                      UnaryCase{OpKind::kHardSwish, {1, 64, 64, 16}, -5, 5},
                      UnaryCase{OpKind::kLogistic, {1, 16, 16, 3}, -12, 12},
                      UnaryCase{OpKind::kLogistic, {1, 128, 128, 1}, -30, 30},
                      UnaryCase{OpKind::kLogistic, {}, -3, 3}));

TEST(XnnUnary, LeakyRelu) {
  for (float alpha : {0.1f, 0.2f, 1.5f, -0.3f}) {
    expect_xnn_matches_cpu(
        unary_graph(OpKind::kLeakyRelu, {2, 7, 3}, -4, 4, LeakyReluAttrs{alpha}));
  }
  // No attributes: the reader's default alpha.
  expect_xnn_matches_cpu(unary_graph(OpKind::kLeakyRelu, {1, 9, 9, 5}, -4, 4));
}

// A constant data input (never folded here): the op reads a padded copy,
// not the constant's own bytes (which may be the mapped model file).
TEST(XnnUnary, ConstantInput) {
  for (OpKind op : {OpKind::kRelu, OpKind::kHardSwish, OpKind::kLogistic}) {
    OneNodeGraph g(op);
    g.add_constant(Shape{3, 7}, random_values(21, -4, 4, 25));
    g.add_output();
    expect_xnn_matches_cpu(g);
  }
}

TEST(XnnUnary, MultiThreaded) {
  expect_xnn_matches_cpu(unary_graph(OpKind::kHardSwish, {1, 64, 64, 16}, -5, 5), 2);
}

// PRELU with the slope shapes the real models use.
TEST(XnnUnary, PreluPerChannelSlope) {
  const Shape x{1, 16, 16, 24};
  for (const Shape& slope : {Shape{24}, Shape{1, 24}, Shape{1, 1, 24}, Shape{1, 1, 1, 24},
                             Shape{1}, Shape{1, 1, 1, 1}}) {
    SCOPED_TRACE(shape_to_string(slope));
    OneNodeGraph g(OpKind::kPRelu);
    g.add_input(x, random_values(num_elements(x), -3, 3, 31));
    g.add_constant(slope, random_values(num_elements(slope), -0.5f, 0.9f, 32));
    g.add_output();
    expect_xnn_matches_cpu(g);
  }
}

TEST(XnnUnary, PreluOddChannels) {
  for (int64_t c : {1, 3, 5, 17}) {
    OneNodeGraph g(OpKind::kPRelu);
    g.add_input(Shape{2, 5, c}, random_values(10 * c, -3, 3, 33));
    g.add_constant(Shape{c}, random_values(c, -0.5f, 0.9f, 34));
    g.add_output();
    expect_xnn_matches_cpu(g);
  }
}

TEST(XnnUnary, PreluFallsBackOnSpatialSlope) {
  OneNodeGraph g(OpKind::kPRelu);
  g.add_input(Shape{1, 4, 4, 3}, random_values(48, -3, 3, 35));
  g.add_constant(Shape{4, 4, 3}, random_values(48, -0.5f, 0.9f, 36));
  g.add_output();
  expect_falls_back(g, "one value per channel");
}

TEST(XnnUnary, PreluFallsBackOnRuntimeSlope) {
  OneNodeGraph g(OpKind::kPRelu);
  g.add_input(Shape{1, 4, 4, 3}, random_values(48, -3, 3, 37));
  g.add_input(Shape{3}, random_values(3, -0.5f, 0.9f, 38));
  g.add_output();
  expect_falls_back(g, "not a constant");
}

TEST(XnnUnary, DeclinesTanh) {
  // TANH has no entry in the XNNPACK table: it stays on cpu.
  expect_falls_back(unary_graph(OpKind::kTanh, {2, 3}, -2, 2), "does not implement TANH");
}

// ---------------------------------------------------------------- int8

TEST(XnnUnaryInt8, LogisticWithinOneLsb) {
  for (const Quantization& qin : {per_tensor(0.1f, 0), per_tensor(0.05f, -20),
                                  per_tensor(0.3f, 17)}) {
    const Shape shape{1, 16, 16, 5};
    const std::vector<int8_t> x = random_int8(num_elements(shape), 41);
    const Quantization qout = per_tensor(1.0f / 256.0f, -128);
    OneNodeGraph g(OpKind::kLogistic);
    g.add_input(shape, x, qin);
    g.add_output(DType::kI8, qout, shape);
    auto out = run_xnn_direct(g);
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    std::vector<int> want(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      const double r = qin.scales[0] * (x[i] - static_cast<double>(qin.zero_points[0]));
      want[i] = quantize_int8(1.0 / (1.0 + std::exp(-r)), qout.scales[0], qout.zero_points[0]);
    }
    expect_int8_within_1(values_of<int8_t>((*out)[0]), want);
  }
}

TEST(XnnUnaryInt8, LogisticDeclinesOtherOutputQuantization) {
  OneNodeGraph g(OpKind::kLogistic);
  g.add_input(Shape{4}, random_int8(4, 1), per_tensor(0.1f, 0));
  g.add_output(DType::kI8, per_tensor(1.0f / 128.0f, 0), Shape{4});
  std::string why;
  EXPECT_FALSE(xnn_supports(g, &why));
  EXPECT_NE(why.find("1/256"), std::string::npos) << why;
}

TEST(XnnUnaryInt8, DeclinesInt8Relu) {
  OneNodeGraph g(OpKind::kRelu);
  g.add_input(Shape{4}, random_int8(4, 1), per_tensor(0.1f, 0));
  g.add_output(DType::kI8, per_tensor(0.1f, 0), Shape{4});
  std::string why;
  EXPECT_FALSE(xnn_supports(g, &why));
  EXPECT_NE(why.find("not f32"), std::string::npos) << why;
}

}  // namespace
}  // namespace opscope::testing
