// MediaPipe's landmark-crop kernels (LANDMARKS_TO_TRANSFORM_MATRIX,
// TRANSFORM_TENSOR_BILINEAR, TRANSFORM_LANDMARKS) against naive
// double-precision loops that build the 4x4 matrices and multiply them out
// as MediaPipe's sources describe the ops, and against what a crop matrix
// must do whatever its formula: the subset's box fills the crop, the
// rotation landmarks lie at the target angle in it, the identity samples
// the input back exactly. Bad attributes and operands are refused at
// prepare, naming the node.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"
#include "tests/engine/test_random.h"

namespace opscope::reference {
namespace {

using testing::expect_rejected;
using testing::KernelRunner;
using Mat4 = std::array<double, 16>;

Mat4 identity() { return {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}; }

Mat4 multiply(const Mat4& a, const Mat4& b) {
  Mat4 c{};
  for (int r = 0; r < 4; ++r)
    for (int k = 0; k < 4; ++k)
      for (int col = 0; col < 4; ++col) c[r * 4 + col] += a[r * 4 + k] * b[k * 4 + col];
  return c;
}

Mat4 shift(double x, double y) {
  Mat4 m = identity();
  m[3] = x;
  m[7] = y;
  return m;
}

Mat4 rotation(double a) {
  Mat4 m = identity();
  m[0] = std::cos(a);
  m[1] = -std::sin(a);
  m[4] = std::sin(a);
  m[5] = std::cos(a);
  return m;
}

Mat4 scale(double x, double y) {
  Mat4 m = identity();
  m[0] = x;
  m[5] = y;
  return m;
}

// (x, y) through the first two rows of m.
std::array<double, 2> apply(const Mat4& m, double x, double y) {
  return {m[0] * x + m[1] * y + m[3], m[4] * x + m[5] * y + m[7]};
}

// MediaPipe's description: rotate the subset by r = target - angle(left ->
// right), take its box there, and compose shift(centre) · rotation(-r) ·
// scale(scale * box / size) · shift(-size / 2).
Mat4 naive_crop_matrix(const std::vector<float>& p, const LandmarksToMatrixAttrs& a) {
  const auto x = [&](int i) { return double{p[static_cast<size_t>(3 * i)]}; };
  const auto y = [&](int i) { return double{p[static_cast<size_t>(3 * i + 1)]}; };
  const double r = a.target_rotation_radians -
                   std::atan2(y(a.right_rotation_idx) - y(a.left_rotation_idx),
                              x(a.right_rotation_idx) - x(a.left_rotation_idx));
  const Mat4 rot = rotation(r);
  double lo_x = 1e300, lo_y = 1e300, hi_x = -1e300, hi_y = -1e300;
  for (int i : a.subset) {
    const auto q = apply(rot, x(i), y(i));
    lo_x = std::min(lo_x, q[0]);
    hi_x = std::max(hi_x, q[0]);
    lo_y = std::min(lo_y, q[1]);
    hi_y = std::max(hi_y, q[1]);
  }
  const auto centre = apply(rotation(-r), (lo_x + hi_x) / 2, (lo_y + hi_y) / 2);
  Mat4 m = shift(centre[0], centre[1]);
  m = multiply(m, rotation(-r));
  m = multiply(m, scale(a.scale_x * (hi_x - lo_x) / a.output_width,
                        a.scale_y * (hi_y - lo_y) / a.output_height));
  return multiply(m, shift(-a.output_width / 2.0, -a.output_height / 2.0));
}

LandmarksToMatrixAttrs crop_attrs() {
  LandmarksToMatrixAttrs a;
  a.subset = {0, 2, 3, 5, 7, 8};
  a.left_rotation_idx = 1;
  a.right_rotation_idx = 4;
  a.target_rotation_radians = 0.3f;
  a.output_height = 16;
  a.output_width = 24;
  a.scale_x = 1.0f;
  a.scale_y = 1.0f;
  return a;
}

std::vector<float> run_crop(const std::vector<float>& landmarks, const LandmarksToMatrixAttrs& a) {
  KernelRunner r(OpKind::kLandmarksToTransformMatrix, a);
  r.add_input(Shape{1, static_cast<int64_t>(landmarks.size() / 3), 3}, landmarks);
  r.add_output();
  const Status st = r.prepare(make_landmarks_to_transform_matrix());
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  if (!st.is_ok()) return {};
  r.run();
  EXPECT_EQ(r.output_tensor(0).shape, (Shape{1, 4, 4}));
  return r.output<float>(0);
}

TEST(LandmarksToTransformMatrix, MatchesTheComposedMatricesInDouble) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const auto p = testing::random_floats(10 * 3, seed, 0.0f, 192.0f);
    LandmarksToMatrixAttrs a = crop_attrs();
    a.scale_x = 1.0f + 0.25f * static_cast<float>(seed % 3);
    a.target_rotation_radians = -1.0f + 0.4f * static_cast<float>(seed);
    const auto got = run_crop(p, a);
    ASSERT_EQ(got.size(), 16u);
    const Mat4 want = naive_crop_matrix(p, a);
    for (int k = 0; k < 16; ++k) EXPECT_NEAR(got[k], want[k], 1e-4 * (1 + std::fabs(want[k]))) << k;
  }
}

// What the matrix is for: mapped back into the crop, the subset's box fills
// the crop exactly (scale 1) and the left -> right landmarks point at the
// target angle.
TEST(LandmarksToTransformMatrix, SubsetFillsTheCropAtTheTargetAngle) {
  const auto p = testing::random_floats(10 * 3, 42, 10.0f, 180.0f);
  const LandmarksToMatrixAttrs a = crop_attrs();
  const auto m = run_crop(p, a);
  ASSERT_EQ(m.size(), 16u);
  // Invert the 2x2 part and the translation.
  const double det = double{m[0]} * m[5] - double{m[1]} * m[4];
  ASSERT_GT(std::fabs(det), 1e-9);
  const auto to_crop = [&](int i) {
    const double dx = p[static_cast<size_t>(3 * i)] - double{m[3]};
    const double dy = p[static_cast<size_t>(3 * i + 1)] - double{m[7]};
    return std::array<double, 2>{(m[5] * dx - m[1] * dy) / det, (-m[4] * dx + m[0] * dy) / det};
  };
  double lo_x = 1e300, lo_y = 1e300, hi_x = -1e300, hi_y = -1e300;
  for (int i : a.subset) {
    const auto q = to_crop(i);
    lo_x = std::min(lo_x, q[0]);
    hi_x = std::max(hi_x, q[0]);
    lo_y = std::min(lo_y, q[1]);
    hi_y = std::max(hi_y, q[1]);
  }
  EXPECT_NEAR(lo_x, 0, 1e-3);
  EXPECT_NEAR(hi_x, a.output_width, 1e-3);
  EXPECT_NEAR(lo_y, 0, 1e-3);
  EXPECT_NEAR(hi_y, a.output_height, 1e-3);
  const auto l = to_crop(a.left_rotation_idx), r = to_crop(a.right_rotation_idx);
  // The crop's pixels are the rotated frame scaled per axis (by the norms of
  // M's columns); the angle is the rotated frame's, measured as atan2 over
  // (dx, dy) like the source's.
  const double sx = std::hypot(m[0], m[4]), sy = std::hypot(m[1], m[5]);
  EXPECT_NEAR(std::atan2((r[1] - l[1]) * sy, (r[0] - l[0]) * sx), a.target_rotation_radians,
              1e-4);
}

TEST(LandmarksToTransformMatrix, BadAttributesAreRefusedAtPrepare) {
  const auto p = testing::random_floats(10 * 3, 3, 0.0f, 1.0f);
  const auto refuse = [&](LandmarksToMatrixAttrs a, Shape shape, ErrorCode code) {
    KernelRunner r(OpKind::kLandmarksToTransformMatrix, a);
    r.add_input(shape, p);
    r.add_output();
    expect_rejected(r.prepare(make_landmarks_to_transform_matrix()), code);
  };
  LandmarksToMatrixAttrs a = crop_attrs();
  a.subset.push_back(10);  // one past the 10 landmarks
  refuse(a, {1, 10, 3}, ErrorCode::kInvalidGraph);
  a = crop_attrs();
  a.right_rotation_idx = -1;
  refuse(a, {1, 10, 3}, ErrorCode::kInvalidGraph);
  a = crop_attrs();
  a.subset.clear();
  refuse(a, {1, 10, 3}, ErrorCode::kInvalidGraph);
  a = crop_attrs();
  a.output_width = 0;
  refuse(a, {1, 10, 3}, ErrorCode::kInvalidGraph);
  a = crop_attrs();
  a.scale_y = std::numeric_limits<float>::quiet_NaN();
  refuse(a, {1, 10, 3}, ErrorCode::kInvalidGraph);
  refuse(crop_attrs(), {1, 15, 2}, ErrorCode::kShapeMismatch);  // not (x, y, z)
  refuse(crop_attrs(), {2, 5, 3}, ErrorCode::kShapeMismatch);   // batch 2
}

// ---- TRANSFORM_TENSOR_BILINEAR

// The definition: output pixel (x, y) samples the input at S·M·A (x, y),
// A and S the half-pixel shifts +0.5 and -0.5; bilinear between the four
// neighbours, a neighbour outside the input counting 0; a point outside
// [0, W-1] x [0, H-1] gives 0.
std::vector<double> naive_transform(const std::vector<float>& x, int64_t h, int64_t w, int64_t c,
                                    const Mat4& m, int64_t out_h, int64_t out_w) {
  const Mat4 t = multiply(multiply(shift(-0.5, -0.5), m), shift(0.5, 0.5));
  const auto at = [&](int64_t row, int64_t col, int64_t ch) {
    if (row < 0 || col < 0 || row >= h || col >= w) return 0.0;
    return double{x[static_cast<size_t>((row * w + col) * c + ch)]};
  };
  std::vector<double> y(static_cast<size_t>(out_h * out_w * c), 0.0);
  for (int64_t oy = 0; oy < out_h; ++oy) {
    for (int64_t ox = 0; ox < out_w; ++ox) {
      const auto s = apply(t, static_cast<double>(ox), static_cast<double>(oy));
      if (s[0] < 0 || s[0] > w - 1 || s[1] < 0 || s[1] > h - 1) continue;
      const auto col = static_cast<int64_t>(std::floor(s[0]));
      const auto row = static_cast<int64_t>(std::floor(s[1]));
      const double fx = s[0] - col, fy = s[1] - row;
      for (int64_t ch = 0; ch < c; ++ch) {
        y[static_cast<size_t>((oy * out_w + ox) * c + ch)] =
            (1 - fy) * ((1 - fx) * at(row, col, ch) + fx * at(row, col + 1, ch)) +
            fy * ((1 - fx) * at(row + 1, col, ch) + fx * at(row + 1, col + 1, ch));
      }
    }
  }
  return y;
}

std::vector<float> run_transform(const std::vector<float>& x, Shape shape, const Mat4& m,
                                 int32_t out_h, int32_t out_w) {
  KernelRunner r(OpKind::kTransformTensorBilinear, TransformTensorAttrs{out_h, out_w});
  r.add_input(shape, x);
  std::vector<float> mf(m.begin(), m.end());
  r.add_input(Shape{1, 4, 4}, mf);
  r.add_output();
  const Status st = r.prepare(make_transform_tensor_bilinear());
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  if (!st.is_ok()) return {};
  r.run();
  EXPECT_EQ(r.output_tensor(0).shape, (Shape{1, out_h, out_w, shape[3]}));
  return r.output<float>(0);
}

TEST(TransformTensorBilinear, IdentitySamplesTheInputBackExactly) {
  const auto x = testing::random_floats(7 * 9 * 3, 5, -3.0f, 3.0f);
  const auto y = run_transform(x, {1, 7, 9, 3}, identity(), 7, 9);
  ASSERT_EQ(y.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], x[i]) << i;
}

TEST(TransformTensorBilinear, RotatedScaledCropsMatchTheDefinition) {
  const int64_t h = 12, w = 10, c = 4;
  const auto x = testing::random_floats(static_cast<size_t>(h * w * c), 8, -1.0f, 1.0f);
  const std::vector<Mat4> crops = {
      shift(2.5, 1.25),                                                      // partly outside
      multiply(shift(5, 6), multiply(rotation(0.7), scale(0.6, 0.45))),      // inside, rotated
      multiply(shift(4, 5), multiply(rotation(-2.1), scale(1.3, 0.9))),      // clipped corners
      multiply(shift(-3, 2), scale(2.5, 2.5)),                                // mostly outside
  };
  for (size_t k = 0; k < crops.size(); ++k) {
    SCOPED_TRACE("crop " + std::to_string(k));
    const auto got = run_transform(x, {1, h, w, c}, crops[k], 8, 6);
    const auto want = naive_transform(x, h, w, c, crops[k], 8, 6);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << i;
  }
}

TEST(TransformTensorBilinear, NonFiniteMatrixGivesZerosAndBadOperandsAreRefused) {
  const auto x = testing::random_floats(4 * 4 * 2, 9, -1.0f, 1.0f);
  Mat4 nan_m = identity();
  nan_m[3] = std::numeric_limits<double>::quiet_NaN();
  for (float v : run_transform(x, {1, 4, 4, 2}, nan_m, 3, 3)) EXPECT_EQ(v, 0.0f);
  Mat4 huge = identity();
  huge[0] = 1e30;
  for (float v : run_transform(x, {1, 4, 4, 2}, huge, 3, 3)) EXPECT_TRUE(std::isfinite(v));

  const auto refuse = [&](TransformTensorAttrs a, Shape data, Shape matrix, ErrorCode code) {
    KernelRunner r(OpKind::kTransformTensorBilinear, a);
    r.add_input(data, std::vector<float>(static_cast<size_t>(num_elements(data)), 0.0f));
    r.add_input(matrix, std::vector<float>(static_cast<size_t>(num_elements(matrix)), 0.0f));
    r.add_output();
    expect_rejected(r.prepare(make_transform_tensor_bilinear()), code);
  };
  refuse({3, 0}, {1, 4, 4, 2}, {1, 4, 4}, ErrorCode::kInvalidGraph);
  refuse({3, 3}, {1, 4, 4, 2}, {1, 3, 3}, ErrorCode::kShapeMismatch);
  refuse({3, 3}, {2, 4, 4, 2}, {1, 4, 4}, ErrorCode::kShapeMismatch);
  refuse({3, 3}, {1, 4, 8}, {1, 4, 4}, ErrorCode::kShapeMismatch);
}

// ---- TRANSFORM_LANDMARKS

TEST(TransformLandmarks, EachPointGoesThroughTheMatrixAndZIsKept) {
  const Mat4 m = multiply(shift(30, -4), multiply(rotation(0.9), scale(1.7, 0.8)));
  std::vector<float> mf(m.begin(), m.end());
  for (int64_t dims : {2, 3}) {
    SCOPED_TRACE("dims " + std::to_string(dims));
    const auto p = testing::random_floats(static_cast<size_t>(7 * dims), 12, -20.0f, 20.0f);
    KernelRunner r(OpKind::kTransformLandmarks);
    r.add_input(Shape{1, 7, dims}, p);
    r.add_input(Shape{1, 4, 4}, mf);
    r.add_output();
    ASSERT_TRUE(r.prepare(make_transform_landmarks()).is_ok());
    r.run();
    ASSERT_EQ(r.output_tensor(0).shape, (Shape{1, 7, dims}));
    const auto got = r.output<float>(0);
    for (int64_t i = 0; i < 7; ++i) {
      const auto want = apply(m, p[static_cast<size_t>(i * dims)], p[static_cast<size_t>(i * dims + 1)]);
      EXPECT_NEAR(got[static_cast<size_t>(i * dims)], want[0], 1e-4);
      EXPECT_NEAR(got[static_cast<size_t>(i * dims + 1)], want[1], 1e-4);
      if (dims == 3) {
        EXPECT_EQ(got[static_cast<size_t>(i * dims + 2)], p[static_cast<size_t>(i * dims + 2)]);
      }
    }
  }
  KernelRunner bad(OpKind::kTransformLandmarks);
  bad.add_input(Shape{1, 5, 4}, std::vector<float>(20, 0.0f));
  bad.add_input(Shape{1, 4, 4}, mf);
  bad.add_output();
  expect_rejected(bad.prepare(make_transform_landmarks()), ErrorCode::kShapeMismatch);
}

}  // namespace
}  // namespace opscope::reference
