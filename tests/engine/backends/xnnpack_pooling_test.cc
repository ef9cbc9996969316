// XNNPACK backend: AVERAGE_POOL_2D, MAX_POOL_2D and MEAN (f32 against the
// reference backend, which averages only in-bounds elements as TFLite does;
// int8 max pool, global average pool and MEAN against naive references).
#include <gtest/gtest.h>

#include <ostream>

#include <limits>

#include "tests/engine/backends/xnn_test_util.h"

namespace opscope::testing {
namespace {

Pool2DAttrs pool_attrs(Padding padding, int fh, int fw, int sh, int sw,
                       Activation act = Activation::kNone) {
  Pool2DAttrs a;
  a.padding = padding;
  a.filter_h = fh;
  a.filter_w = fw;
  a.stride_h = sh;
  a.stride_w = sw;
  a.activation = act;
  return a;
}

OneNodeGraph pool_graph(OpKind op, const Shape& in, const Pool2DAttrs& a, uint32_t seed = 51) {
  OneNodeGraph g(op, a);
  g.add_input(in, random_values(num_elements(in), -3, 3, seed));
  g.add_output();
  return g;
}

struct PoolCase {
  OpKind op;
  Shape in;
  Pool2DAttrs attrs;
};

void PrintTo(const PoolCase& c, std::ostream* os) {
  const Pool2DAttrs& a = c.attrs;
  *os << to_string(c.op) << " " << shape_to_string(c.in) << " filter " << a.filter_h << "x"
      << a.filter_w << " stride " << a.stride_h << "x" << a.stride_w << " padding "
      << static_cast<int>(a.padding) << " act " << static_cast<int>(a.activation);
}

class XnnPool : public ::testing::TestWithParam<PoolCase> {};

TEST_P(XnnPool, MatchesReference) {
  const PoolCase& c = GetParam();
  expect_xnn_matches_cpu(pool_graph(c.op, c.in, c.attrs));
}

constexpr OpKind kAvg = OpKind::kAveragePool2D;
constexpr OpKind kMax = OpKind::kMaxPool2D;

INSTANTIATE_TEST_SUITE_P(
    Windows, XnnPool,
    ::testing::Values(
        PoolCase{kAvg, {1, 64, 64, 16}, pool_attrs(Padding::kValid, 2, 2, 2, 2)},
        PoolCase{kMax, {1, 64, 64, 16}, pool_attrs(Padding::kValid, 2, 2, 2, 2)},
        // SAME with padding on every side: the average must exclude it.
        PoolCase{kAvg, {1, 17, 17, 5}, pool_attrs(Padding::kSame, 3, 3, 1, 1)},
        PoolCase{kAvg, {2, 16, 16, 3}, pool_attrs(Padding::kSame, 3, 3, 2, 2)},
        PoolCase{kAvg, {1, 15, 9, 17}, pool_attrs(Padding::kSame, 2, 4, 2, 3)},
        PoolCase{kMax, {1, 15, 15, 17}, pool_attrs(Padding::kSame, 3, 3, 2, 2)},
        PoolCase{kMax, {1, 7, 10, 3}, pool_attrs(Padding::kSame, 2, 3, 1, 2)},
        PoolCase{kMax, {1, 9, 9, 5}, pool_attrs(Padding::kValid, 2, 2, 3, 3)},
        PoolCase{kAvg, {1, 20, 20, 8}, pool_attrs(Padding::kValid, 5, 5, 3, 3)},
        // Fused clamps.
        PoolCase{kMax, {1, 16, 16, 8}, pool_attrs(Padding::kSame, 3, 3, 2, 2, Activation::kRelu6)},
        PoolCase{kAvg, {1, 16, 16, 8},
                 pool_attrs(Padding::kValid, 2, 2, 2, 2, Activation::kReluN1To1)},
        // A window over the whole input: global average pooling.
        PoolCase{kAvg, {1, 8, 8, 32}, pool_attrs(Padding::kValid, 8, 8, 1, 1)},
        PoolCase{kAvg, {2, 6, 4, 5}, pool_attrs(Padding::kValid, 6, 4, 2, 2, Activation::kRelu)},
        PoolCase{kMax, {1, 6, 6, 7}, pool_attrs(Padding::kValid, 6, 6, 1, 1)}));

TEST(XnnPool, ExplicitPads) {
  for (OpKind op : {kAvg, kMax}) {
    Pool2DAttrs a = pool_attrs(Padding::kExplicit, 3, 3, 2, 2);
    a.explicit_pads = {1, 0, 2, 1};  // top, left, bottom, right
    expect_xnn_matches_cpu(pool_graph(op, {1, 11, 12, 6}, a));
  }
}

TEST(XnnPool, MultiThreaded) {
  expect_xnn_matches_cpu(
      pool_graph(kAvg, {1, 32, 32, 16}, pool_attrs(Padding::kSame, 3, 3, 2, 2)), 2);
}

TEST(XnnPool, FallsBackOnTanh) {
  expect_falls_back(
      pool_graph(kMax, {1, 8, 8, 4}, pool_attrs(Padding::kValid, 2, 2, 2, 2, Activation::kTanh)),
      "TANH");
}

TEST(XnnPool, FallsBackOnOneByOneWindow) {
  expect_falls_back(pool_graph(kMax, {1, 8, 8, 4}, pool_attrs(Padding::kValid, 1, 1, 2, 2)),
                    "1x1");
}

TEST(XnnPool, StrideLargerThanWindow) {
  for (OpKind op : {kAvg, kMax}) {
    expect_xnn_matches_cpu(pool_graph(op, {1, 9, 9, 4}, pool_attrs(Padding::kValid, 2, 2, 3, 3)));
    expect_xnn_matches_cpu(pool_graph(op, {1, 10, 11, 3}, pool_attrs(Padding::kSame, 2, 3, 3, 4)));
  }
}

// ---------------------------------------------------------------- MEAN

OneNodeGraph mean_graph(const Shape& in, const std::vector<int32_t>& axes, bool keep_dims) {
  OneNodeGraph g(OpKind::kMean, ReduceAttrs{keep_dims});
  g.add_input(in, random_values(num_elements(in), -3, 3, 61));
  g.add_constant(Shape{static_cast<int64_t>(axes.size())}, axes);
  g.add_output();
  return g;
}

TEST(XnnMean, SpatialAxesOfNhwc) {
  for (bool keep : {false, true}) {
    expect_xnn_matches_cpu(mean_graph({1, 16, 16, 64}, {1, 2}, keep));
    expect_xnn_matches_cpu(mean_graph({2, 7, 5, 17}, {2, 1}, keep));
    expect_xnn_matches_cpu(mean_graph({1, 8, 8, 3}, {-3, -2}, keep));
    expect_xnn_matches_cpu(mean_graph({1, 4, 4, 5}, {1, 2, 2}, keep));  // duplicate
  }
}

TEST(XnnMean, OtherAdjacentAxes) {
  expect_xnn_matches_cpu(mean_graph({2, 7, 5}, {1}, false));         // [N, T, C] over T
  expect_xnn_matches_cpu(mean_graph({3, 4, 5}, {2}, true));          // last axis
  expect_xnn_matches_cpu(mean_graph({1, 16, 16, 8}, {0, 1, 2}, false));
  expect_xnn_matches_cpu(mean_graph({4, 1, 6, 5}, {0, 2}, false));   // adjacent once 1s go
}

TEST(XnnMean, FallsBackOnNonAdjacentAxes) {
  expect_falls_back(mean_graph({3, 4, 5}, {0, 2}, false), "not adjacent");
}

TEST(XnnMean, FallsBackOnRuntimeAxes) {
  OneNodeGraph g(OpKind::kMean, ReduceAttrs{false});
  g.add_input(Shape{1, 4, 4, 3}, random_values(48, -1, 1, 62));
  g.add_input(Shape{2}, std::vector<int32_t>{1, 2});
  g.add_output();
  std::string why;
  EXPECT_FALSE(xnn_supports(g, &why));
  EXPECT_NE(why.find("not a constant"), std::string::npos) << why;
}

// ---------------------------------------------------------------- int8

TEST(XnnPoolInt8, MaxPoolMatchesNaive) {
  const Shape in{1, 9, 9, 5};
  const Quantization q = per_tensor(0.05f, -3);
  for (Activation act : {Activation::kNone, Activation::kRelu6}) {
    const std::vector<int8_t> x = random_int8(num_elements(in), 71);
    OneNodeGraph g(kMax, pool_attrs(Padding::kSame, 3, 3, 2, 2, act));
    g.add_input(in, x, q);
    g.add_output(DType::kI8, q, Shape{1, 5, 5, 5});
    auto out = run_xnn_direct(g);
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    // SAME: total pad 2 per dim, one before.
    const int lo = act == Activation::kRelu6 ? -3 : -128;
    const int hi = act == Activation::kRelu6 ? std::min(127, -3 + 120) : 127;
    std::vector<int> want;
    for (int oh = 0; oh < 5; ++oh) {
      for (int ow = 0; ow < 5; ++ow) {
        for (int c = 0; c < 5; ++c) {
          int m = -129;
          for (int kh = 0; kh < 3; ++kh) {
            for (int kw = 0; kw < 3; ++kw) {
              const int ih = oh * 2 - 1 + kh, iw = ow * 2 - 1 + kw;
              if (ih < 0 || ih >= 9 || iw < 0 || iw >= 9) continue;
              m = std::max<int>(m, x[(ih * 9 + iw) * 5 + c]);
            }
          }
          want.push_back(std::clamp(m, lo, hi));
        }
      }
    }
    const std::vector<int8_t> got = values_of<int8_t>((*out)[0]);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], want[i]) << "element " << i;
  }
}

TEST(XnnPoolInt8, MaxPoolDeclinesRequantization) {
  OneNodeGraph g(kMax, pool_attrs(Padding::kValid, 2, 2, 2, 2));
  g.add_input(Shape{1, 4, 4, 2}, random_int8(32, 1), per_tensor(0.05f, 0));
  g.add_output(DType::kI8, per_tensor(0.1f, 0), Shape{1, 2, 2, 2});
  std::string why;
  EXPECT_FALSE(xnn_supports(g, &why));
  EXPECT_NE(why.find("different input and output quantization"), std::string::npos) << why;
}

TEST(XnnPoolInt8, WindowedAverageDeclined) {
  OneNodeGraph g(kAvg, pool_attrs(Padding::kValid, 2, 2, 2, 2));
  g.add_input(Shape{1, 4, 4, 2}, random_int8(32, 1), per_tensor(0.05f, 0));
  g.add_output(DType::kI8, per_tensor(0.05f, 0), Shape{1, 2, 2, 2});
  std::string why;
  EXPECT_FALSE(xnn_supports(g, &why));
  EXPECT_NE(why.find("no int8"), std::string::npos) << why;
}

// Mean of int8 values with TFLite semantics, over [outer, reduced, inner].
std::vector<int> naive_int8_mean(const std::vector<int8_t>& x, int64_t outer, int64_t reduced,
                                 int64_t inner, const Quantization& qi, const Quantization& qo) {
  std::vector<int> want;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < inner; ++c) {
      double sum = 0;
      for (int64_t r = 0; r < reduced; ++r) {
        sum += x[(o * reduced + r) * inner + c] - static_cast<double>(qi.zero_points[0]);
      }
      want.push_back(quantize_int8(qi.scales[0] * sum / static_cast<double>(reduced),
                                   qo.scales[0], qo.zero_points[0]));
    }
  }
  return want;
}

TEST(XnnPoolInt8, GlobalAveragePoolWithinOneLsb) {
  const Shape in{2, 7, 7, 17};
  const Quantization qi = per_tensor(0.05f, 5), qo = per_tensor(0.02f, -10);
  const std::vector<int8_t> x = random_int8(num_elements(in), 72);
  OneNodeGraph g(kAvg, pool_attrs(Padding::kValid, 7, 7, 1, 1));
  g.add_input(in, x, qi);
  g.add_output(DType::kI8, qo, Shape{2, 1, 1, 17});
  auto out = run_xnn_direct(g);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  expect_int8_within_1(values_of<int8_t>((*out)[0]), naive_int8_mean(x, 2, 49, 17, qi, qo));
}

TEST(XnnPoolInt8, MeanWithinOneLsb) {
  const Shape in{1, 16, 16, 64};
  const Quantization qi = per_tensor(0.1f, -7), qo = per_tensor(0.05f, 3);
  const std::vector<int8_t> x = random_int8(num_elements(in), 73);
  OneNodeGraph g(OpKind::kMean, ReduceAttrs{true});
  g.add_input(in, x, qi);
  g.add_constant(Shape{2}, std::vector<int32_t>{1, 2});
  g.add_output(DType::kI8, qo, Shape{1, 1, 1, 64});
  auto out = run_xnn_direct(g);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  expect_int8_within_1(values_of<int8_t>((*out)[0]), naive_int8_mean(x, 1, 256, 64, qi, qo));
}

TEST(XnnPoolInt8, MeanDeclinesOutOfRangeScales) {
  OneNodeGraph g(OpKind::kMean, ReduceAttrs{false});
  g.add_input(Shape{1, 4, 4, 2}, random_int8(32, 1), per_tensor(1.0f, 0));
  g.add_constant(Shape{2}, std::vector<int32_t>{1, 2});
  g.add_output(DType::kI8, per_tensor(1e-3f, 0), Shape{1, 2});
  std::string why;
  EXPECT_FALSE(xnn_supports(g, &why));
  EXPECT_NE(why.find("scale ratio"), std::string::npos) << why;
}

// ------------------------------------------------------- dilated windows

Pool2DAttrs dilated_attrs(int dh, int dw, Pads2D pads) {
  Pool2DAttrs a = pool_attrs(Padding::kExplicit, 3, 2, 2, 1);
  a.explicit_pads = pads;
  a.dilation_h = dh;
  a.dilation_w = dw;
  return a;
}

// XNNPACK's max pooling takes dilation: it must run there and agree.
TEST(XnnPoolDilated, MaxRunsOnXnnpackAndMatchesReference) {
  expect_xnn_matches_cpu(pool_graph(kMax, {1, 13, 11, 5}, dilated_attrs(2, 3, {2, 1, 1, 2})));
  expect_xnn_matches_cpu(pool_graph(kMax, {2, 9, 9, 3}, dilated_attrs(3, 2, {})));
  OneNodeGraph g(kMax, dilated_attrs(2, 2, {1, 1, 1, 1}));
  g.add_input(Shape{1, 9, 8, 4}, random_int8(9 * 8 * 4, 3), per_tensor(0.05f, 2));
  g.add_output(DType::kI8, per_tensor(0.05f, 2));
  expect_xnn_matches_cpu(g);
}

// XNNPACK's average pooling has no dilation: it must decline, not mis-run.
TEST(XnnPoolDilated, AverageFallsBack) {
  expect_falls_back(pool_graph(kAvg, {1, 9, 9, 4}, dilated_attrs(2, 2, {})), "dilated");
}

}  // namespace
}  // namespace opscope::testing
