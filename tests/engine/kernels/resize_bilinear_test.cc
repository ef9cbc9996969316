// RESIZE_BILINEAR: TFLite's documented examples, then every mode (default,
// align_corners, half_pixel_centers) up- and downsampling by non-integer
// factors against a double-precision loop of TFLite's formula.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::expect_rejected;
using testing::KernelRunner;
using testing::random_floats;

// Source coordinate and its two neighbours along one axis.
struct Coord {
  int64_t lo, hi;
  double frac;
};

Coord source(int64_t o, int64_t in, int64_t out, const ResizeAttrs& a) {
  double scale = static_cast<double>(in) / out;
  if (a.align_corners && out > 1) scale = (in - 1.0) / (out - 1.0);
  const double src =
      a.half_pixel_centers ? (o + 0.5) * scale - 0.5 : o * scale;
  const int64_t lo = std::max<int64_t>(static_cast<int64_t>(std::floor(src)), 0);
  const int64_t hi =
      std::min<int64_t>(static_cast<int64_t>(std::ceil(src)), in - 1);
  return {lo, hi, src - lo};
}

std::vector<double> naive_resize(const Shape& s, const std::vector<float>& x,
                                 int64_t oh, int64_t ow, const ResizeAttrs& a) {
  std::vector<double> y;
  auto at = [&](int64_t n, int64_t h, int64_t w, int64_t c) {
    return static_cast<double>(x[((n * s[1] + h) * s[2] + w) * s[3] + c]);
  };
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t c = 0; c < s[3]; ++c) {
          const Coord r = source(i, s[1], oh, a);
          const Coord q = source(j, s[2], ow, a);
          const double top = at(n, r.lo, q.lo, c) * (1 - q.frac) +
                             at(n, r.lo, q.hi, c) * q.frac;
          const double bottom = at(n, r.hi, q.lo, c) * (1 - q.frac) +
                                at(n, r.hi, q.hi, c) * q.frac;
          y.push_back(top * (1 - r.frac) + bottom * r.frac);
        }
  return y;
}

std::vector<float> resize(const Shape& s, const std::vector<float>& x,
                          int32_t oh, int32_t ow, const ResizeAttrs& a) {
  KernelRunner r(OpKind::kResizeBilinear, a);
  r.add_input(s, x);
  r.add_constant({2}, std::vector<int32_t>{oh, ow});
  r.add_output();
  const Status st = r.prepare(make_resize_bilinear_f32());
  EXPECT_TRUE(st.is_ok()) << st.message();
  if (!st.is_ok()) return {};
  EXPECT_EQ(r.output_tensor(0).shape, (Shape{s[0], oh, ow, s[3]}));
  r.run();
  return r.output<float>(0);
}

void check(const Shape& s, int32_t oh, int32_t ow, const ResizeAttrs& a,
           uint32_t seed) {
  SCOPED_TRACE(shape_to_string(s) + " -> " + std::to_string(oh) + "x" +
               std::to_string(ow) + (a.align_corners ? " align_corners" : "") +
               (a.half_pixel_centers ? " half_pixel" : ""));
  const auto x = random_floats(num_elements(s), seed);
  const auto y = resize(s, x, oh, ow, a);
  const auto want = naive_resize(s, x, oh, ow, a);
  ASSERT_EQ(y.size(), want.size());
  for (size_t i = 0; i < y.size(); ++i) {
    ASSERT_NEAR(y[i], want[i], 2e-6) << "at " << i;
  }
}

void expect_near_all(const std::vector<float>& got,
                     const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], 1e-6) << "at " << i;
  }
}

TEST(ResizeBilinear, tflite_horizontal_example) {
  expect_near_all(resize({1, 1, 2, 1}, {3, 6}, 1, 3, {}),
                  {3, 5, 6});
}

TEST(ResizeBilinear, tflite_two_dimensional_example) {
  expect_near_all(resize({1, 2, 2, 1}, {3, 6, 9, 12}, 3, 3, {}),
                  {3, 5, 6, 7, 9, 10, 9, 11, 12});
}

TEST(ResizeBilinear, half_pixel_example) {
  expect_near_all(resize({1, 2, 2, 1}, {1, 2, 3, 4}, 3, 3, {false, true}),
                  {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4});
}

TEST(ResizeBilinear, align_corners_example) {
  expect_near_all(resize({1, 2, 2, 1}, {1, 2, 3, 4}, 3, 3, {true, false}),
                  {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4});
}

class ResizeModes : public ::testing::TestWithParam<ResizeAttrs> {};

TEST_P(ResizeModes, upsample_non_integer) {
  check({1, 5, 7, 3}, 8, 11, GetParam(), 1);
  check({2, 3, 3, 5}, 7, 10, GetParam(), 2);
}

TEST_P(ResizeModes, downsample_non_integer) {
  check({1, 9, 13, 17}, 4, 6, GetParam(), 3);
  check({1, 7, 5, 3}, 3, 2, GetParam(), 4);
}

TEST_P(ResizeModes, mixed_and_degenerate) {
  check({1, 3, 3, 5}, 7, 2, GetParam(), 5);
  check({1, 1, 1, 3}, 3, 3, GetParam(), 6);   // one input pixel
  check({1, 4, 6, 3}, 1, 1, GetParam(), 7);   // one output pixel
  check({1, 4, 6, 1}, 4, 6, GetParam(), 8);   // identity size
  check({2, 6, 4, 3}, 12, 8, GetParam(), 9);  // 2x
}

INSTANTIATE_TEST_SUITE_P(Modes, ResizeModes,
                         ::testing::Values(ResizeAttrs{false, false},
                                           ResizeAttrs{true, false},
                                           ResizeAttrs{false, true}));

Status prepare_size(const Shape& s, std::vector<int32_t> size,
                    ResizeAttrs a = {}, bool constant = true) {
  KernelRunner r(OpKind::kResizeBilinear, a);
  r.add_input(s, std::vector<float>(num_elements(s)));
  const Shape size_shape{static_cast<int64_t>(size.size())};
  if (constant) r.add_constant(size_shape, size);
  else r.add_input(size_shape, size);
  r.add_output();
  return r.prepare(make_resize_bilinear_f32());
}

TEST(ResizeBilinear, rejects_both_modes) {
  expect_rejected(prepare_size({1, 2, 2, 1}, {4, 4}, {true, true}),
                  ErrorCode::kInvalidArgument);
}

TEST(ResizeBilinear, rejects_non_constant_size) {
  expect_rejected(prepare_size({1, 2, 2, 1}, {4, 4}, {}, false),
                  ErrorCode::kUnsupportedOp);
}

TEST(ResizeBilinear, rejects_zero_size) {
  expect_rejected(prepare_size({1, 2, 2, 1}, {0, 4}),
                  ErrorCode::kInvalidArgument);
}

TEST(ResizeBilinear, rejects_size_of_three_values) {
  expect_rejected(prepare_size({1, 2, 2, 1}, {4, 4, 4}),
                  ErrorCode::kShapeMismatch);
}

TEST(ResizeBilinear, rejects_rank_3_input) {
  expect_rejected(prepare_size({2, 2, 1}, {4, 4}), ErrorCode::kShapeMismatch);
}

TEST(ResizeBilinear, rejects_i8_input) {
  KernelRunner r(OpKind::kResizeBilinear, ResizeAttrs{});
  r.add_input({1, 2, 2, 1}, std::vector<int8_t>(4));
  r.add_constant({2}, std::vector<int32_t>{4, 4});
  r.add_output(DType::kI8);
  expect_rejected(r.prepare(make_resize_bilinear_f32()),
                  ErrorCode::kTypeMismatch);
}

}  // namespace
}  // namespace opscope::reference
