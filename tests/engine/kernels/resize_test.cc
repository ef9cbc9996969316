// RESIZE (ONNX Resize semantics) against a double-precision model written
// from the operator's specification and its reference implementation: each
// axis is interpolated in turn (outermost last) over the n input elements
// nearest the source coordinate, found by sorting all indexes of the
// edge-padded axis by distance (ties to the smaller index), as the spec's
// reference does; the kernel instead derives its taps from ceil(c) - 1.
// Every mode, coordinate transform, nearest rounding and exclude_outside,
// up and down by non-integer scales, on H and W and also on N and C.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::expect_rejected;
using testing::KernelRunner;
using testing::random_floats;

// ---- The model: one axis.

std::vector<double> spec_coeffs(const ResizeNdAttrs& a, double ratio) {
  switch (a.mode) {
    case ResizeMode::kNearest: {
      if (ratio == 1.0) return {0, 1};
      switch (a.nearest) {
        case NearestRounding::kRoundPreferFloor: return {ratio <= 0.5 ? 1.0 : 0.0, ratio > 0.5 ? 1.0 : 0.0};
        case NearestRounding::kRoundPreferCeil: return {ratio < 0.5 ? 1.0 : 0.0, ratio >= 0.5 ? 1.0 : 0.0};
        case NearestRounding::kFloor: return {1, 0};
        case NearestRounding::kCeil: return {0, 1};
      }
      return {};
    }
    case ResizeMode::kLinear: return {1 - ratio, ratio};
    case ResizeMode::kCubic: {
      const double A = a.cubic_coeff_a, r = ratio, s = 1 - ratio;
      return {((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A,
              ((A + 2) * r - (A + 3)) * r * r + 1, ((A + 2) * s - (A + 3)) * s * s + 1,
              ((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A};
    }
  }
  return {};
}

// The spec's coordinate transforms; `length` is in * scale, unfloored.
double spec_coordinate(const ResizeNdAttrs& a, int axis, double x, int64_t in) {
  const double scale = a.scales[axis], length = scale * in;
  switch (a.coordinates) {
    case ResizeCoordinates::kHalfPixel: return (x + 0.5) / scale - 0.5;
    case ResizeCoordinates::kPytorchHalfPixel: return length > 1 ? (x + 0.5) / scale - 0.5 : -0.5;
    case ResizeCoordinates::kAlignCorners: return length == 1 ? 0 : x * (in - 1) / (length - 1);
    case ResizeCoordinates::kAsymmetric: return x / scale;
    case ResizeCoordinates::kTfHalfPixelForNn: return (x + 0.5) / scale;
    case ResizeCoordinates::kTfCropAndResize: {
      const double s = a.roi_start[axis], e = a.roi_end[axis];
      return (length == 1 ? (e - s) * (in - 1) / 2 : x * (e - s) * (in - 1) / (length - 1)) +
             s * (in - 1);
    }
  }
  return 0;
}

// One output value along one axis from that axis's input values; NaN
// stands for "extrapolate" (tf_crop_and_resize outside the input).
double spec_interpolate_1d(const ResizeNdAttrs& a, int axis, const std::vector<double>& data,
                           double x) {
  const auto in = static_cast<int64_t>(data.size());
  const double c = spec_coordinate(a, axis, x, in);
  if (a.coordinates == ResizeCoordinates::kTfCropAndResize && (c < 0 || c > in - 1)) return NAN;
  const double ratio = c == std::floor(c) ? 1.0 : c - std::floor(c);
  std::vector<double> coeffs = spec_coeffs(a, ratio);
  const auto n = static_cast<int64_t>(coeffs.size());
  const int64_t pad = (n + 1) / 2;
  // The n indexes of the padded axis nearest c + pad, ties to the smaller.
  std::vector<int64_t> order(static_cast<size_t>(in + 2 * pad));
  std::iota(order.begin(), order.end(), 0);
  const double cp = c + pad;
  std::stable_sort(order.begin(), order.end(), [cp](int64_t p, int64_t q) {
    return std::abs(cp - p) < std::abs(cp - q);
  });
  std::vector<int64_t> taps(order.begin(), order.begin() + n);
  std::sort(taps.begin(), taps.end());
  if (a.exclude_outside) {
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (taps[i] - pad < 0 || taps[i] - pad >= in) coeffs[i] = 0;
      sum += coeffs[i];
    }
    for (double& w : coeffs) w /= sum;
  }
  double y = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t src = std::clamp<int64_t>(taps[i] - pad, 0, in - 1);  // edge padding
    y += coeffs[i] * data[src];
  }
  return y;
}

// All axes from `axis` on, at output index `out_idx`, of the sub-tensor of
// shape `shape[axis:]` starting at `x`.
double spec_interpolate_nd(const ResizeNdAttrs& a, const Shape& shape, int axis, const double* x,
                           const std::vector<int64_t>& out_idx) {
  const int rank = static_cast<int>(shape.size());
  int64_t inner = 1;
  for (int d = axis + 1; d < rank; ++d) inner *= shape[d];
  std::vector<double> line(static_cast<size_t>(shape[axis]));
  for (int64_t i = 0; i < shape[axis]; ++i) {
    line[i] = axis + 1 == rank ? x[i]
                               : spec_interpolate_nd(a, shape, axis + 1, x + i * inner, out_idx);
  }
  return spec_interpolate_1d(a, axis, line, static_cast<double>(out_idx[axis]));
}

std::vector<double> spec_resize(const ResizeNdAttrs& a, const Shape& s,
                                const std::vector<float>& x) {
  const std::vector<double> xd(x.begin(), x.end());
  std::vector<double> y;
  for (int64_t i = 0; i < num_elements(a.output_shape); ++i) {
    const double v = spec_interpolate_nd(a, s, 0, xd.data(), testing::unflatten(i, a.output_shape));
    y.push_back(std::isnan(v) ? a.extrapolation_value : v);
  }
  return y;
}

// ---- Driving the kernel.

Result<std::vector<float>> run_resize(const ResizeNdAttrs& a, const Shape& s,
                                      const std::vector<float>& x) {
  KernelRunner r(OpKind::kResize, a);
  r.add_input(s, x);
  r.add_output();
  OPSCOPE_RETURN_IF_ERROR(r.prepare(make_resize_f32()));
  EXPECT_EQ(r.output_tensor(0).shape, a.output_shape);
  r.run();
  return r.output<float>(0);
}

// Attrs for `s` resized by `scales` (out = floor(in * scale)).
ResizeNdAttrs with_scales(ResizeNdAttrs a, const Shape& s, const std::vector<double>& scales) {
  a.scales = scales;
  a.output_shape.clear();
  for (size_t d = 0; d < s.size(); ++d) {
    a.output_shape.push_back(static_cast<int64_t>(std::floor(s[d] * scales[d])));
  }
  return a;
}

std::string describe(const ResizeNdAttrs& a) {
  std::string d = "mode " + std::to_string(static_cast<int>(a.mode)) + " coords " +
                  std::to_string(static_cast<int>(a.coordinates)) + " nearest " +
                  std::to_string(static_cast<int>(a.nearest)) + " A " +
                  std::to_string(a.cubic_coeff_a) + (a.exclude_outside ? " exclude" : "") +
                  " out " + shape_to_string(a.output_shape) + " scales";
  for (double s : a.scales) d += " " + std::to_string(s);
  return d;
}

void check(const ResizeNdAttrs& a, const Shape& s, uint32_t seed) {
  SCOPED_TRACE(shape_to_string(s) + " " + describe(a));
  const auto x = random_floats(num_elements(s), seed);
  auto y = run_resize(a, s, x);
  ASSERT_TRUE(y.is_ok()) << y.status().message();
  const auto want = spec_resize(a, s, x);
  ASSERT_EQ(y.value().size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_NEAR(y.value()[i], want[i], 1e-5 * (1 + std::abs(want[i]))) << "at " << i;
  }
}

// ---- Examples from the operator's documentation (NCHW data with C = 1
// is also NHWC data).

ResizeNdAttrs attrs(ResizeMode mode, ResizeCoordinates coords) {
  ResizeNdAttrs a;
  a.mode = mode;
  a.coordinates = coords;
  return a;
}

void expect_values(const ResizeNdAttrs& a, const Shape& s, const std::vector<float>& x,
                   const std::vector<float>& want) {
  auto y = run_resize(a, s, x);
  ASSERT_TRUE(y.is_ok()) << y.status().message();
  ASSERT_EQ(y.value().size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(y.value()[i], want[i], 1e-5) << "at " << i;
}

const std::vector<float> k2x4 = {1, 2, 3, 4, 5, 6, 7, 8};

TEST(Resize, downsample_linear_example) {
  const Shape s{1, 2, 4, 1};
  expect_values(with_scales(attrs(ResizeMode::kLinear, ResizeCoordinates::kHalfPixel), s,
                            {1, 0.6f, 0.6f, 1}),
                s, k2x4, {2.6666667f, 4.3333335f});
}

TEST(Resize, downsample_linear_align_corners_uses_unfloored_length) {
  // x * (4 - 1) / (4 * 0.6 - 1) = 2.142857 for x = 1, not 3 / (2 - 1).
  const Shape s{1, 2, 4, 1};
  expect_values(with_scales(attrs(ResizeMode::kLinear, ResizeCoordinates::kAlignCorners), s,
                            {1, 0.6f, 0.6f, 1}),
                s, k2x4, {1.0f, 3.142857f});
}

TEST(Resize, downsample_nearest_example) {
  const Shape s{1, 2, 4, 1};
  expect_values(with_scales(attrs(ResizeMode::kNearest, ResizeCoordinates::kHalfPixel), s,
                            {1, 0.6f, 0.6f, 1}),
                s, k2x4, {1, 3});
}

TEST(Resize, upsample_nearest_example) {
  const Shape s{1, 2, 2, 1};
  expect_values(with_scales(attrs(ResizeMode::kNearest, ResizeCoordinates::kHalfPixel), s,
                            {1, 2, 3, 1}),
                s, {1, 2, 3, 4},
                {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
}

TEST(Resize, crop_and_resize_extrapolates_outside) {
  // ONNX's test_resize_tf_crop_and_resize: a 4x4 ramp, roi H [0.4, 1.2],
  // W [0.6, 1.7], 3x3 output, extrapolation 10.
  const Shape s{1, 4, 4, 1};
  ResizeNdAttrs a = attrs(ResizeMode::kLinear, ResizeCoordinates::kTfCropAndResize);
  a.output_shape = {1, 3, 3, 1};
  a.scales = {1, 0.75, 0.75, 1};
  a.roi_start = {0, 0.4, 0.6, 0};
  a.roi_end = {1, 1.2, 1.7, 1};
  a.extrapolation_value = 10;
  expect_values(a, s, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
                {7.6f, 10, 10, 12.4f, 10, 10, 10, 10, 10});
}

// ---- Every mode against the model.

struct Case {
  ResizeMode mode;
  ResizeCoordinates coords;
  NearestRounding nearest;
  bool exclude_outside;
  float cubic_a;
};

class ResizeSweep : public ::testing::TestWithParam<Case> {
 protected:
  ResizeNdAttrs base() const {
    ResizeNdAttrs a;
    a.mode = GetParam().mode;
    a.coordinates = GetParam().coords;
    a.nearest = GetParam().nearest;
    a.exclude_outside = GetParam().exclude_outside;
    a.cubic_coeff_a = GetParam().cubic_a;
    a.extrapolation_value = -3.5f;
    return a;
  }
  // roi per axis for tf_crop_and_resize: partly outside the input on H.
  ResizeNdAttrs cropped(ResizeNdAttrs a) const {
    const size_t r = a.scales.size();
    a.roi_start.assign(r, 0.0);
    a.roi_end.assign(r, 1.0);
    if (r >= 3) {
      a.roi_start[1] = -0.2;
      a.roi_end[1] = 0.9;
      a.roi_start[2] = 0.1;
      a.roi_end[2] = 1.3;
    }
    return a;
  }
  void check_scales(const Shape& s, const std::vector<double>& scales, uint32_t seed) {
    check(cropped(with_scales(base(), s, scales)), s, seed);
  }
  // `sizes` given: the scale is out / in.
  void check_sizes(const Shape& s, const Shape& out, uint32_t seed) {
    ResizeNdAttrs a = base();
    a.output_shape = out;
    for (size_t d = 0; d < s.size(); ++d) a.scales.push_back(double(out[d]) / double(s[d]));
    check(cropped(a), s, seed);
  }
};

TEST_P(ResizeSweep, upsample_h_w) {
  check_scales({1, 5, 7, 3}, {1, 1.7, 2.3, 1}, 1);
  check_scales({2, 3, 4, 2}, {1, 2, 3, 1}, 2);
}

TEST_P(ResizeSweep, downsample_h_w) {
  check_scales({1, 9, 13, 4}, {1, 0.45, 0.6, 1}, 3);
  check_sizes({1, 7, 5, 3}, {1, 3, 2, 3}, 4);
}

TEST_P(ResizeSweep, one_output_or_one_input_pixel) {
  check_sizes({1, 4, 6, 2}, {1, 1, 1, 2}, 5);
  check_sizes({1, 1, 1, 3}, {1, 3, 4, 3}, 6);
  check_sizes({1, 4, 6, 2}, {1, 4, 6, 2}, 7);  // same size
}

TEST_P(ResizeSweep, channel_and_batch_axes) {
  check_scales({2, 3, 3, 5}, {1.5, 1, 1.4, 0.8}, 8);
  check_sizes({3, 2, 2, 4}, {2, 3, 2, 7}, 9);
}

TEST_P(ResizeSweep, lower_ranks) {
  check_sizes({9}, {5}, 10);
  check_scales({3, 10}, {2.5, 0.7}, 11);
  check_sizes({4, 3, 6}, {2, 5, 6}, 12);
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  const ResizeCoordinates coords[] = {
      ResizeCoordinates::kHalfPixel,   ResizeCoordinates::kPytorchHalfPixel,
      ResizeCoordinates::kAlignCorners, ResizeCoordinates::kAsymmetric,
      ResizeCoordinates::kTfHalfPixelForNn, ResizeCoordinates::kTfCropAndResize};
  for (ResizeCoordinates c : coords) {
    for (NearestRounding n : {NearestRounding::kRoundPreferFloor, NearestRounding::kRoundPreferCeil,
                              NearestRounding::kFloor, NearestRounding::kCeil}) {
      cases.push_back({ResizeMode::kNearest, c, n, false, -0.75f});
    }
    for (bool exclude : {false, true}) {
      cases.push_back({ResizeMode::kLinear, c, NearestRounding::kRoundPreferFloor, exclude, -0.75f});
      cases.push_back({ResizeMode::kCubic, c, NearestRounding::kRoundPreferFloor, exclude, -0.75f});
      cases.push_back({ResizeMode::kCubic, c, NearestRounding::kRoundPreferFloor, exclude, -0.5f});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(AllModes, ResizeSweep, ::testing::ValuesIn(all_cases()));

// ---- Rejections: attrs the importer must have filled in.

Status prepare(const ResizeNdAttrs& a, const Shape& s, DType dtype = DType::kF32) {
  KernelRunner r(OpKind::kResize, a);
  if (dtype == DType::kF32) {
    r.add_input(s, std::vector<float>(num_elements(s)));
  } else {
    r.add_input(s, std::vector<int8_t>(num_elements(s)), dtype);
  }
  r.add_output(dtype);
  return r.prepare(make_resize_f32());
}

TEST(Resize, rejects_attrs_of_another_rank) {
  ResizeNdAttrs a = with_scales({}, {1, 2, 2}, {1, 2, 2});
  expect_rejected(prepare(a, {1, 2, 2, 1}), ErrorCode::kInvalidGraph);
}

TEST(Resize, rejects_non_positive_scale) {
  ResizeNdAttrs a = with_scales({}, {1, 2, 2, 1}, {1, 2, 2, 1});
  a.scales[1] = 0;
  expect_rejected(prepare(a, {1, 2, 2, 1}), ErrorCode::kInvalidArgument);
}

TEST(Resize, rejects_empty_output_dim) {
  ResizeNdAttrs a = with_scales({}, {1, 2, 2, 1}, {1, 2, 2, 1});
  a.output_shape[2] = 0;
  expect_rejected(prepare(a, {1, 2, 2, 1}), ErrorCode::kInvalidArgument);
}

TEST(Resize, rejects_crop_without_roi) {
  ResizeNdAttrs a = with_scales(attrs(ResizeMode::kLinear, ResizeCoordinates::kTfCropAndResize),
                                {1, 2, 2, 1}, {1, 2, 2, 1});
  expect_rejected(prepare(a, {1, 2, 2, 1}), ErrorCode::kInvalidGraph);
}

TEST(Resize, rejects_rank_5) {
  const Shape s{1, 1, 2, 2, 1};
  expect_rejected(prepare(with_scales({}, s, {1, 1, 2, 2, 1}), s), ErrorCode::kShapeMismatch);
}

TEST(Resize, rejects_i8_input) {
  const Shape s{1, 2, 2, 1};
  expect_rejected(prepare(with_scales({}, s, {1, 2, 2, 1}), s, DType::kI8),
                  ErrorCode::kTypeMismatch);
}

}  // namespace
}  // namespace opscope::reference
