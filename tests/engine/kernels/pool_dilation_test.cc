// Dilated AVERAGE_POOL_2D / MAX_POOL_2D (f32 and int8) and the u8
// MAX_POOL_2D, against a naive double-precision loop written from ONNX's
// definition: taps `dilation` apart, only in-bounds taps count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::expect_rejected;
using testing::KernelRunner;
using testing::random_floats;

// NHWC input `s`, explicit pads; returns the output and sets its shape.
std::vector<double> naive_pool(bool average, const Shape& s, const std::vector<double>& x,
                               const Pool2DAttrs& a, Shape* out_shape) {
  const Pads2D& p = a.explicit_pads;
  const int64_t ext_h = (a.filter_h - 1) * a.dilation_h + 1;
  const int64_t ext_w = (a.filter_w - 1) * a.dilation_w + 1;
  const int64_t oh = (s[1] + p.top + p.bottom - ext_h) / a.stride_h + 1;
  const int64_t ow = (s[2] + p.left + p.right - ext_w) / a.stride_w + 1;
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
              const int64_t h = i * a.stride_h - p.top + kh * a.dilation_h;
              const int64_t w = j * a.stride_w - p.left + kw * a.dilation_w;
              if (h < 0 || h >= s[1] || w < 0 || w >= s[2]) continue;
              const double v = x[((n * s[1] + h) * s[2] + w) * s[3] + c];
              sum += v;
              mx = std::max(mx, v);
              ++count;
            }
          y.push_back(average ? sum / count : mx);
        }
  return y;
}

Pool2DAttrs dilated(int fh, int fw, int sh, int sw, int dh, int dw, Pads2D pads) {
  Pool2DAttrs a;
  a.padding = Padding::kExplicit;
  a.explicit_pads = pads;
  a.filter_h = fh;
  a.filter_w = fw;
  a.stride_h = sh;
  a.stride_w = sw;
  a.dilation_h = dh;
  a.dilation_w = dw;
  return a;
}

void check_f32(bool average, const Shape& shape, const Pool2DAttrs& a, uint32_t seed) {
  SCOPED_TRACE(std::string(average ? "average " : "max ") + shape_to_string(shape) +
               " dilation " + std::to_string(a.dilation_h) + "x" +
               std::to_string(a.dilation_w));
  const auto x = random_floats(num_elements(shape), seed, -2.0f, 2.0f);
  KernelRunner r(average ? OpKind::kAveragePool2D : OpKind::kMaxPool2D, a);
  r.add_input(shape, x);
  r.add_output();
  ASSERT_TRUE(r.prepare(average ? make_average_pool2d_f32() : make_max_pool2d_f32()).is_ok());
  r.run();
  Shape want_shape;
  const auto want =
      naive_pool(average, shape, std::vector<double>(x.begin(), x.end()), a, &want_shape);
  ASSERT_EQ(r.output_tensor(0).shape, want_shape);
  const auto y = r.output<float>(0);
  ASSERT_EQ(y.size(), want.size());
  for (size_t i = 0; i < y.size(); ++i) {
    ASSERT_NEAR(y[i], want[i], 1e-5 * (1 + std::abs(want[i]))) << "at " << i;
  }
}

TEST(PoolDilation, F32MaxAndAverageWithPadsAndStrides) {
  for (bool average : {false, true}) {
    check_f32(average, {1, 9, 11, 3}, dilated(3, 2, 1, 1, 2, 3, {}), 1);
    check_f32(average, {2, 10, 9, 4}, dilated(2, 3, 2, 2, 3, 2, {2, 1, 1, 3}), 2);
    // A window that straddles a pad and skips input cells between taps.
    check_f32(average, {1, 7, 7, 5}, dilated(3, 3, 3, 2, 2, 2, {3, 4, 2, 1}), 3);
    // Dilation 1 is the plain pool.
    check_f32(average, {1, 6, 6, 2}, dilated(2, 2, 2, 2, 1, 1, {1, 1, 1, 1}), 4);
  }
}

TEST(PoolDilation, Int8MaxAndAverage) {
  const Shape shape = {1, 8, 9, 3};
  const Pool2DAttrs a = dilated(2, 3, 1, 2, 3, 2, {1, 2, 2, 1});
  Quantization q;
  q.scales = {0.05f};
  q.zero_points = {-3};
  std::vector<int8_t> x(static_cast<size_t>(num_elements(shape)));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>((i * 37 + 11) % 256 - 128);
  for (bool average : {false, true}) {
    SCOPED_TRACE(average ? "average" : "max");
    KernelRunner r(average ? OpKind::kAveragePool2D : OpKind::kMaxPool2D, a);
    r.add_input(shape, x, DType::kI8, q);
    r.add_output(DType::kI8, q);
    ASSERT_TRUE(
        r.prepare(average ? int8::make_average_pool2d_i8() : int8::make_max_pool2d_i8()).is_ok());
    r.run();
    Shape want_shape;
    const auto want =
        naive_pool(average, shape, std::vector<double>(x.begin(), x.end()), a, &want_shape);
    ASSERT_EQ(r.output_tensor(0).shape, want_shape);
    const auto y = r.output<int8_t>(0);
    ASSERT_EQ(y.size(), want.size());
    for (size_t i = 0; i < y.size(); ++i) {
      // Raw int8 values: max exactly, the average rounded half away from 0.
      const double w = average ? std::copysign(std::floor(std::abs(want[i]) + 0.5), want[i])
                               : want[i];
      ASSERT_EQ(y[i], static_cast<int8_t>(w)) << "at " << i;
    }
  }
}

TEST(PoolDilation, U8MaxRawAndQuantized) {
  const Shape shape = {2, 5, 6, 3};
  const Pool2DAttrs a = dilated(3, 2, 2, 1, 1, 2, {1, 1, 1, 0});
  std::vector<uint8_t> x(static_cast<size_t>(num_elements(shape)));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>((i * 53 + 7) % 256);
  Quantization q;
  q.scales = {0.1f};
  q.zero_points = {128};
  for (const Quantization& quant : {Quantization{}, q}) {
    SCOPED_TRACE(quant.empty() ? "raw" : "quantized");
    KernelRunner r(OpKind::kMaxPool2D, a);
    r.add_input(shape, x, DType::kU8, quant);
    r.add_output(DType::kU8);
    ASSERT_TRUE(r.prepare(make_max_pool2d_u8()).is_ok());
    r.run();
    Shape want_shape;
    const auto want =
        naive_pool(false, shape, std::vector<double>(x.begin(), x.end()), a, &want_shape);
    ASSERT_EQ(r.output_tensor(0).shape, want_shape);
    EXPECT_EQ(r.output_tensor(0).dtype, DType::kU8);
    EXPECT_EQ(r.output_tensor(0).quantization.scales, quant.scales);
    const auto y = r.output<uint8_t>(0);
    ASSERT_EQ(y.size(), want.size());
    for (size_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], want[i]) << "at " << i;
  }
}

TEST(PoolDilation, RejectsAWindowWhollyInThePadding) {
  // W = 2, taps 4 apart, pads 2: the first window's taps are at -2 and 2,
  // both outside [0, 2).
  KernelRunner r(OpKind::kMaxPool2D, dilated(1, 2, 1, 1, 1, 4, {0, 2, 0, 2}));
  r.add_input(Shape{1, 1, 2, 1}, std::vector<float>{1, 2});
  r.add_output();
  expect_rejected(r.prepare(make_max_pool2d_f32()), ErrorCode::kInvalidArgument);
}

TEST(PoolDilation, RejectsU8WithANegativeScaleOrAnActivation) {
  Quantization q;
  q.scales = {-0.5f};
  q.zero_points = {0};
  KernelRunner r(OpKind::kMaxPool2D, dilated(2, 2, 1, 1, 1, 1, {}));
  r.add_input(Shape{1, 2, 2, 1}, std::vector<uint8_t>{1, 2, 3, 4}, DType::kU8, q);
  r.add_output(DType::kU8);
  expect_rejected(r.prepare(make_max_pool2d_u8()), ErrorCode::kUnsupportedOp);
  Pool2DAttrs relu = dilated(2, 2, 1, 1, 1, 1, {});
  relu.activation = Activation::kRelu;
  KernelRunner r2(OpKind::kMaxPool2D, relu);
  r2.add_input(Shape{1, 2, 2, 1}, std::vector<uint8_t>{1, 2, 3, 4}, DType::kU8);
  r2.add_output(DType::kU8);
  expect_rejected(r2.prepare(make_max_pool2d_u8()), ErrorCode::kUnsupportedOp);
}

}  // namespace
}  // namespace opscope::reference
