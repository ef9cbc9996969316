// AVERAGE_POOL_2D / MAX_POOL_2D against a naive double-precision loop.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::expect_rejected;
using testing::KernelRunner;
using testing::random_floats;

enum class Kind { kAverage, kMax };

// Output size and leading pad along one axis, written independently of
// window.h from TFLite's definitions.
void out_and_pad(Padding p, int64_t in, int f, int s, int pad_lo, int pad_hi,
                 int64_t* out, int64_t* before) {
  if (p == Padding::kSame) {
    *out = (in + s - 1) / s;
    *before = std::max<int64_t>((*out - 1) * s + f - in, 0) / 2;
  } else if (p == Padding::kValid) {
    *out = (in - f) / s + 1;
    *before = 0;
  } else {
    *out = (in + pad_lo + pad_hi - f) / s + 1;
    *before = pad_lo;
  }
}

double activate(double v, Activation a) {
  switch (a) {
    case Activation::kRelu: return std::max(v, 0.0);
    case Activation::kRelu6: return std::clamp(v, 0.0, 6.0);
    case Activation::kReluN1To1: return std::clamp(v, -1.0, 1.0);
    case Activation::kTanh: return std::tanh(v);
    case Activation::kNone: break;
  }
  return v;
}

std::vector<double> naive_pool(Kind kind, const Shape& s,
                               const std::vector<float>& x,
                               const Pool2DAttrs& a, Shape* out_shape) {
  int64_t oh, ow, ph, pw;
  out_and_pad(a.padding, s[1], a.filter_h, a.stride_h, a.explicit_pads.top,
              a.explicit_pads.bottom, &oh, &ph);
  out_and_pad(a.padding, s[2], a.filter_w, a.stride_w, a.explicit_pads.left,
              a.explicit_pads.right, &ow, &pw);
  *out_shape = {s[0], oh, ow, s[3]};
  std::vector<double> y;
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t c = 0; c < s[3]; ++c) {
          double sum = 0, mx = -std::numeric_limits<double>::infinity();
          int count = 0;
          for (int kh = 0; kh < a.filter_h; ++kh)
            for (int kw = 0; kw < a.filter_w; ++kw) {
              const int64_t h = i * a.stride_h - ph + kh;
              const int64_t w = j * a.stride_w - pw + kw;
              if (h < 0 || h >= s[1] || w < 0 || w >= s[2]) continue;
              const double v = x[((n * s[1] + h) * s[2] + w) * s[3] + c];
              sum += v;
              mx = std::max(mx, v);
              ++count;
            }
          y.push_back(activate(kind == Kind::kAverage ? sum / count : mx,
                               a.activation));
        }
  return y;
}

std::unique_ptr<Kernel> make(Kind kind) {
  return kind == Kind::kAverage ? make_average_pool2d_f32()
                                : make_max_pool2d_f32();
}

OpKind op_of(Kind kind) {
  return kind == Kind::kAverage ? OpKind::kAveragePool2D : OpKind::kMaxPool2D;
}

void check(Kind kind, const Shape& shape, const Pool2DAttrs& attrs,
           uint32_t seed, float scale = 1.0f) {
  SCOPED_TRACE(shape_to_string(shape) + " filter " +
               std::to_string(attrs.filter_h) + "x" +
               std::to_string(attrs.filter_w) + " stride " +
               std::to_string(attrs.stride_h) + "x" +
               std::to_string(attrs.stride_w));
  const auto x = random_floats(num_elements(shape), seed, -scale, scale);
  KernelRunner r(op_of(kind), attrs);
  r.add_input(shape, x);
  r.add_output();
  ASSERT_TRUE(r.prepare(make(kind)).is_ok());
  r.run();
  Shape expected_shape;
  const auto expected = naive_pool(kind, shape, x, attrs, &expected_shape);
  ASSERT_EQ(r.output_tensor(0).shape, expected_shape);
  EXPECT_EQ(r.output_tensor(0).dtype, DType::kF32);
  const auto y = r.output<float>(0);
  ASSERT_EQ(y.size(), expected.size());
  for (size_t i = 0; i < y.size(); ++i) {
    ASSERT_NEAR(y[i], expected[i], 1e-5 * (1 + std::abs(expected[i])))
        << "at " << i;
  }
}

Pool2DAttrs attrs(Padding p, int fh, int fw, int sh, int sw,
                  Activation act = Activation::kNone) {
  Pool2DAttrs a;
  a.padding = p;
  a.filter_h = fh;
  a.filter_w = fw;
  a.stride_h = sh;
  a.stride_w = sw;
  a.activation = act;
  return a;
}

class PoolTest : public ::testing::TestWithParam<Kind> {};

TEST_P(PoolTest, single_pixel) {
  check(GetParam(), {1, 1, 1, 1}, attrs(Padding::kValid, 1, 1, 1, 1), 1);
  check(GetParam(), {1, 1, 1, 3}, attrs(Padding::kSame, 3, 3, 2, 2), 2);
}

TEST_P(PoolTest, same_stride2_odd_sizes) {
  check(GetParam(), {1, 5, 7, 3}, attrs(Padding::kSame, 3, 3, 2, 2), 3);
  check(GetParam(), {2, 9, 8, 17}, attrs(Padding::kSame, 3, 2, 2, 1), 4);
  check(GetParam(), {1, 6, 6, 5}, attrs(Padding::kSame, 2, 2, 2, 2), 5);
}

TEST_P(PoolTest, same_filter_larger_than_input) {
  check(GetParam(), {1, 4, 3, 3}, attrs(Padding::kSame, 5, 5, 1, 1), 6);
}

TEST_P(PoolTest, valid) {
  check(GetParam(), {2, 6, 6, 5}, attrs(Padding::kValid, 2, 2, 2, 2), 7);
  check(GetParam(), {1, 7, 9, 3}, attrs(Padding::kValid, 3, 2, 2, 3), 8);
  // Global pooling: the window is the whole image.
  check(GetParam(), {1, 7, 7, 17}, attrs(Padding::kValid, 7, 7, 1, 1), 9);
}

TEST_P(PoolTest, explicit_pads) {
  Pool2DAttrs a = attrs(Padding::kExplicit, 3, 3, 2, 2);
  a.explicit_pads = {1, 2, 2, 0};  // top, left, bottom, right
  check(GetParam(), {1, 7, 5, 3}, a, 10);
}

TEST_P(PoolTest, fused_activations) {
  for (Activation act : {Activation::kRelu, Activation::kRelu6,
                         Activation::kReluN1To1, Activation::kTanh}) {
    check(GetParam(), {1, 5, 5, 5}, attrs(Padding::kSame, 3, 3, 2, 2, act), 11,
          10.0f);
  }
}

INSTANTIATE_TEST_SUITE_P(Pool, PoolTest,
                         ::testing::Values(Kind::kAverage, Kind::kMax));

TEST(Pool, average_counts_only_in_bounds_elements) {
  // 2x2 input, 3x3 SAME window: every window covers all 4 values.
  KernelRunner r(OpKind::kAveragePool2D, attrs(Padding::kSame, 3, 3, 1, 1));
  r.add_input({1, 2, 2, 1}, std::vector<float>{1, 2, 3, 6});
  r.add_output();
  ASSERT_TRUE(r.prepare(make_average_pool2d_f32()).is_ok());
  r.run();
  EXPECT_EQ(r.output<float>(0), (std::vector<float>{3, 3, 3, 3}));
}

Status prepare_with(Kind kind, const Shape& shape, const Attributes& a,
                    DType dtype = DType::kF32) {
  KernelRunner r(op_of(kind), a);
  if (dtype == DType::kF32) {
    r.add_input(shape, std::vector<float>(num_elements(shape)));
  } else {
    r.add_input(shape, std::vector<int8_t>(num_elements(shape)), dtype);
  }
  r.add_output();
  return r.prepare(make(kind));
}

TEST(Pool, rejects_non_f32_input) {
  expect_rejected(prepare_with(Kind::kAverage, {1, 4, 4, 1},
                               attrs(Padding::kValid, 2, 2, 2, 2), DType::kI8),
                  ErrorCode::kTypeMismatch);
}

TEST(Pool, rejects_rank_3_input) {
  expect_rejected(prepare_with(Kind::kMax, {4, 4, 1},
                               attrs(Padding::kValid, 2, 2, 2, 2)),
                  ErrorCode::kShapeMismatch);
}

TEST(Pool, rejects_zero_stride) {
  expect_rejected(prepare_with(Kind::kMax, {1, 4, 4, 1},
                               attrs(Padding::kValid, 2, 2, 0, 1)),
                  ErrorCode::kInvalidArgument);
}

TEST(Pool, rejects_zero_filter) {
  expect_rejected(prepare_with(Kind::kAverage, {1, 4, 4, 1},
                               attrs(Padding::kSame, 0, 2, 1, 1)),
                  ErrorCode::kInvalidArgument);
}

TEST(Pool, rejects_valid_filter_larger_than_input) {
  expect_rejected(prepare_with(Kind::kAverage, {1, 2, 5, 1},
                               attrs(Padding::kValid, 3, 3, 1, 1)),
                  ErrorCode::kShapeMismatch);
}

TEST(Pool, rejects_explicit_pad_as_large_as_filter) {
  Pool2DAttrs a = attrs(Padding::kExplicit, 2, 2, 1, 1);
  a.explicit_pads = {2, 0, 0, 0};
  expect_rejected(prepare_with(Kind::kAverage, {1, 4, 4, 1}, a),
                  ErrorCode::kInvalidArgument);
}

TEST(Pool, rejects_missing_attributes) {
  expect_rejected(prepare_with(Kind::kMax, {1, 4, 4, 1}, std::monostate{}),
                  ErrorCode::kInvalidGraph);
}

TEST(Pool, rejects_two_inputs) {
  KernelRunner r(OpKind::kMaxPool2D, attrs(Padding::kValid, 1, 1, 1, 1));
  r.add_input({1, 2, 2, 1}, std::vector<float>(4));
  r.add_input({1, 2, 2, 1}, std::vector<float>(4));
  r.add_output();
  expect_rejected(r.prepare(make_max_pool2d_f32()), ErrorCode::kInvalidGraph);
}

}  // namespace
}  // namespace opscope::reference

namespace opscope::reference {
namespace {

// A global average over 128x128 pixels must be as exact as a double sum:
// a float accumulator drifts by ~1e-5 relative, enough to break agreement
// with LiteRT.js on selfie_segmentation's squeeze-excite blocks.
TEST(AveragePoolAccuracy, GlobalPoolMatchesDoubleSum) {
  const int64_t h = 128, w = 128, c = 3;
  std::vector<float> x(static_cast<size_t>(h * w * c));
  uint32_t state = 7;
  for (float& v : x) {
    state = state * 1664525u + 1013904223u;
    v = 0.5f + static_cast<float>(state >> 8) * 0x1p-24f;  // [0.5, 1.5)
  }
  Pool2DAttrs a;
  a.padding = Padding::kValid;
  a.filter_h = static_cast<int>(h);
  a.filter_w = static_cast<int>(w);
  opscope::testing::KernelRunner r(OpKind::kAveragePool2D, a);
  r.add_input<float>({1, h, w, c}, x);
  r.add_output();
  ASSERT_TRUE(r.prepare(make_average_pool2d_f32()).is_ok());
  r.run();
  const std::vector<float> y = r.output<float>(0);
  for (int64_t ch = 0; ch < c; ++ch) {
    double sum = 0;
    for (int64_t i = 0; i < h * w; ++i) sum += x[static_cast<size_t>(i * c + ch)];
    const double want = sum / static_cast<double>(h * w);
    EXPECT_NEAR(y[static_cast<size_t>(ch)], want, 1e-7 * want) << "channel " << ch;
  }
}

}  // namespace
}  // namespace opscope::reference
