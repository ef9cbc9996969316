// CONCATENATION against a naive loop: axes (negative too), several inputs
// of different sizes along the axis (one empty), dtypes, fused activation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::counting;
using testing::expect_rejected;
using testing::KernelRunner;
using testing::random_floats;

template <typename T>
std::vector<T> naive_concat(const std::vector<Shape>& shapes,
                            const std::vector<std::vector<T>>& xs, int axis,
                            Shape* out) {
  *out = shapes[0];
  (*out)[axis] = 0;
  for (const Shape& s : shapes) (*out)[axis] += s[axis];
  std::vector<T> y(num_elements(*out));
  for (int64_t i = 0; i < static_cast<int64_t>(y.size()); ++i) {
    auto idx = testing::unflatten(i, *out);
    size_t k = 0;
    while (idx[axis] >= shapes[k][axis]) idx[axis] -= shapes[k++][axis];
    y[i] = xs[k][testing::flatten(idx, shapes[k])];
  }
  return y;
}

template <typename T>
void check(const std::vector<Shape>& shapes, int axis, DType dtype,
           Activation act = Activation::kNone) {
  SCOPED_TRACE("axis " + std::to_string(axis) + " first " +
               shape_to_string(shapes[0]));
  KernelRunner r(OpKind::kConcatenation, ConcatenationAttrs{axis, act});
  std::vector<std::vector<T>> xs;
  int64_t first = 0;
  for (const Shape& s : shapes) {
    if constexpr (std::is_same_v<T, float>) {
      xs.push_back(random_floats(num_elements(s), 7 + first, -8, 8));
    } else {
      xs.push_back(counting<T>(num_elements(s), first));
    }
    first += num_elements(s);
    // Empty inputs go in as constants: KernelRunner memcpys runtime inputs
    // from a null pointer when they are empty, which UBSan reports.
    if (num_elements(s) == 0) r.add_constant(s, xs.back(), dtype);
    else r.add_input(s, xs.back(), dtype);
  }
  r.add_output(dtype);
  ASSERT_TRUE(r.prepare(make_concatenation()).is_ok());
  r.run();
  Shape expected_shape;
  const int rank = static_cast<int>(shapes[0].size());
  auto expected = naive_concat(shapes, xs, axis < 0 ? axis + rank : axis,
                               &expected_shape);
  if constexpr (std::is_same_v<T, float>) {
    for (float& v : expected) {
      if (act == Activation::kRelu6) v = std::clamp(v, 0.0f, 6.0f);
      if (act == Activation::kTanh) v = std::tanh(v);
    }
  }
  EXPECT_EQ(r.output_tensor(0).shape, expected_shape);
  EXPECT_EQ(r.output<T>(0), expected);
}

TEST(Concatenation, channels_of_nhwc) {
  check<float>({{1, 5, 7, 3}, {1, 5, 7, 5}, {1, 5, 7, 17}}, 3, DType::kF32);
  check<float>({{2, 3, 3, 1}, {2, 3, 3, 2}}, -1, DType::kF32);
}

TEST(Concatenation, every_axis_and_negative) {
  for (int axis = -4; axis < 4; ++axis) {
    std::vector<Shape> shapes = {{2, 3, 4, 5}, {2, 3, 4, 5}, {2, 3, 4, 5}};
    const int a = axis < 0 ? axis + 4 : axis;
    shapes[1][a] = 1;
    shapes[2][a] = 3;
    check<int16_t>(shapes, axis, DType::kF16);
  }
}

TEST(Concatenation, single_input_and_empty_input) {
  check<int8_t>({{3, 5}}, 0, DType::kI8);
  check<int64_t>({{3, 2}, {3, 0}, {3, 4}}, 1, DType::kI64);
}

TEST(Concatenation, many_inputs) {
  std::vector<Shape> shapes;
  for (int i = 0; i < 9; ++i) shapes.push_back({1, 1 + i % 3, 3});
  check<int32_t>(shapes, 1, DType::kI32);
}

TEST(Concatenation, fused_activation_f32) {
  check<float>({{2, 3}, {2, 4}}, 1, DType::kF32, Activation::kRelu6);
  check<float>({{2, 3}, {1, 3}}, 0, DType::kF32, Activation::kTanh);
}

TEST(Concatenation, quantized_inputs_sharing_parameters) {
  Quantization q;
  q.scales = {0.5f};
  q.zero_points = {3};
  KernelRunner r(OpKind::kConcatenation, ConcatenationAttrs{0});
  r.add_input({2}, std::vector<uint8_t>{1, 2}, DType::kU8, q);
  r.add_input({1}, std::vector<uint8_t>{3}, DType::kU8, q);
  r.add_output(DType::kU8);
  ASSERT_TRUE(r.prepare(make_concatenation()).is_ok());
  r.run();
  EXPECT_EQ(r.output<uint8_t>(0), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(r.output_tensor(0).quantization.zero_points, q.zero_points);
}

TEST(Concatenation, rejects_dtype_mismatch) {
  KernelRunner r(OpKind::kConcatenation, ConcatenationAttrs{0});
  r.add_input({2}, std::vector<float>(2));
  r.add_input({2}, std::vector<int32_t>(2));
  r.add_output();
  expect_rejected(r.prepare(make_concatenation()), ErrorCode::kTypeMismatch);
}

TEST(Concatenation, rejects_shape_mismatch_off_axis) {
  KernelRunner r(OpKind::kConcatenation, ConcatenationAttrs{1});
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_input({3, 3}, std::vector<float>(9));
  r.add_output();
  expect_rejected(r.prepare(make_concatenation()), ErrorCode::kShapeMismatch);
}

TEST(Concatenation, rejects_rank_mismatch) {
  KernelRunner r(OpKind::kConcatenation, ConcatenationAttrs{0});
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_input({3}, std::vector<float>(3));
  r.add_output();
  expect_rejected(r.prepare(make_concatenation()), ErrorCode::kShapeMismatch);
}

TEST(Concatenation, rejects_axis_out_of_range) {
  KernelRunner r(OpKind::kConcatenation, ConcatenationAttrs{2});
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_output();
  expect_rejected(r.prepare(make_concatenation()),
                  ErrorCode::kInvalidArgument);
}

TEST(Concatenation, rejects_activation_on_int8) {
  KernelRunner r(OpKind::kConcatenation,
                 ConcatenationAttrs{0, Activation::kRelu});
  r.add_input({2}, std::vector<int8_t>(2));
  r.add_output(DType::kI8);
  expect_rejected(r.prepare(make_concatenation()), ErrorCode::kTypeMismatch);
}

TEST(Concatenation, rejects_differently_quantized_inputs) {
  Quantization a, b;
  a.scales = {0.5f};
  a.zero_points = {0};
  b.scales = {0.25f};
  b.zero_points = {0};
  KernelRunner r(OpKind::kConcatenation, ConcatenationAttrs{0});
  r.add_input({2}, std::vector<int8_t>(2), DType::kI8, a);
  r.add_input({2}, std::vector<int8_t>(2), DType::kI8, b);
  r.add_output(DType::kI8);
  expect_rejected(r.prepare(make_concatenation()), ErrorCode::kTypeMismatch);
}

TEST(Concatenation, rejects_no_inputs) {
  KernelRunner r(OpKind::kConcatenation, ConcatenationAttrs{0});
  r.add_output();
  expect_rejected(r.prepare(make_concatenation()), ErrorCode::kInvalidGraph);
}

}  // namespace
}  // namespace opscope::reference
