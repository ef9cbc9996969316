// RESHAPE, SQUEEZE, EXPAND_DIMS: output shapes, dtype and quantization
// forwarding, and that the bytes come through unchanged.
#include <gtest/gtest.h>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::counting;
using testing::expect_rejected;
using testing::KernelRunner;

// Runs a prepared runner and checks shape and that the data is a copy.
template <typename T>
void expect_copy(KernelRunner& r, const std::vector<T>& x,
                 const Shape& expected_shape) {
  r.run();
  EXPECT_EQ(r.output_tensor(0).shape, expected_shape);
  EXPECT_EQ(r.output<T>(0), x);
}

TEST(Reshape, from_attributes_with_unknown_dim) {
  const auto x = counting<float>(60);
  KernelRunner r(OpKind::kReshape, ReshapeAttrs{{3, -1, 5}});
  r.add_input({1, 4, 5, 3}, x);
  r.add_output();
  ASSERT_TRUE(r.prepare(make_reshape()).is_ok());
  expect_copy(r, x, {3, 4, 5});
}

TEST(Reshape, from_shape_input_i32_and_i64) {
  const auto x = counting<int8_t>(30);
  Quantization q;
  q.scales = {0.1f};
  q.zero_points = {5};
  {
    KernelRunner r(OpKind::kReshape, ReshapeAttrs{});
    r.add_input({2, 3, 5}, x, DType::kI8, q);
    r.add_constant({2}, std::vector<int32_t>{-1, 15});
    r.add_output(DType::kF32);  // the kernel sets the dtype
    ASSERT_TRUE(r.prepare(make_reshape()).is_ok());
    EXPECT_EQ(r.output_tensor(0).dtype, DType::kI8);
    EXPECT_EQ(r.output_tensor(0).quantization.zero_points, q.zero_points);
    expect_copy(r, x, {2, 15});
  }
  {
    KernelRunner r(OpKind::kReshape, ReshapeAttrs{});
    r.add_input({2, 3, 5}, x, DType::kI8, q);
    r.add_constant({3}, std::vector<int64_t>{5, 1, 6});
    r.add_output(DType::kI8);
    ASSERT_TRUE(r.prepare(make_reshape()).is_ok());
    expect_copy(r, x, {5, 1, 6});
  }
}

TEST(Reshape, attributes_win_over_shape_input) {
  const auto x = counting<float>(6);
  KernelRunner r(OpKind::kReshape, ReshapeAttrs{{6}});
  r.add_input({2, 3}, x);
  r.add_input({2}, std::vector<int32_t>{3, 2});  // not constant, not read
  r.add_output();
  ASSERT_TRUE(r.prepare(make_reshape()).is_ok());
  expect_copy(r, x, {6});
}

TEST(Reshape, to_scalar) {
  const auto x = counting<int32_t>(1, 42);
  KernelRunner r(OpKind::kReshape, ReshapeAttrs{});
  r.add_input({1, 1, 1}, x);
  r.add_output(DType::kI32);
  ASSERT_TRUE(r.prepare(make_reshape()).is_ok());
  expect_copy(r, x, {});
}

TEST(Reshape, rejects_element_count_mismatch) {
  KernelRunner r(OpKind::kReshape, ReshapeAttrs{{4, 4}});
  r.add_input({3, 5}, std::vector<float>(15));
  r.add_output();
  expect_rejected(r.prepare(make_reshape()), ErrorCode::kShapeMismatch);
}

TEST(Reshape, rejects_unresolvable_unknown_dim) {
  KernelRunner r(OpKind::kReshape, ReshapeAttrs{{4, -1}});
  r.add_input({3, 5}, std::vector<float>(15));
  r.add_output();
  expect_rejected(r.prepare(make_reshape()), ErrorCode::kShapeMismatch);
}

TEST(Reshape, rejects_two_unknown_dims) {
  KernelRunner r(OpKind::kReshape, ReshapeAttrs{{-1, 3, -1}});
  r.add_input({3, 5}, std::vector<float>(15));
  r.add_output();
  expect_rejected(r.prepare(make_reshape()), ErrorCode::kInvalidArgument);
}

TEST(Reshape, rejects_non_constant_shape_input) {
  KernelRunner r(OpKind::kReshape, ReshapeAttrs{});
  r.add_input({3, 5}, std::vector<float>(15));
  r.add_input({1}, std::vector<int32_t>{15});
  r.add_output();
  expect_rejected(r.prepare(make_reshape()), ErrorCode::kUnsupportedOp);
}

TEST(Squeeze, listed_axes_negative_ok) {
  const auto x = counting<float>(15);
  KernelRunner r(OpKind::kSqueeze, SqueezeAttrs{{0, -3}});
  r.add_input({1, 3, 1, 5, 1}, x);
  r.add_output();
  ASSERT_TRUE(r.prepare(make_squeeze()).is_ok());
  expect_copy(r, x, {3, 5, 1});
}

TEST(Squeeze, empty_axes_drops_every_unit_dim) {
  const auto x = counting<uint8_t>(7);
  KernelRunner r(OpKind::kSqueeze, SqueezeAttrs{});
  r.add_input({1, 1, 7, 1}, x);
  r.add_output(DType::kU8);
  ASSERT_TRUE(r.prepare(make_squeeze()).is_ok());
  expect_copy(r, x, {7});
}

TEST(Squeeze, all_ones_to_scalar) {
  const auto x = counting<float>(1);
  KernelRunner r(OpKind::kSqueeze, SqueezeAttrs{});
  r.add_input({1, 1, 1, 1}, x);
  r.add_output();
  ASSERT_TRUE(r.prepare(make_squeeze()).is_ok());
  expect_copy(r, x, {});
}

TEST(Squeeze, rejects_non_unit_axis) {
  KernelRunner r(OpKind::kSqueeze, SqueezeAttrs{{1}});
  r.add_input({1, 3}, std::vector<float>(3));
  r.add_output();
  expect_rejected(r.prepare(make_squeeze()), ErrorCode::kShapeMismatch);
}

TEST(Squeeze, rejects_axis_out_of_range) {
  KernelRunner r(OpKind::kSqueeze, SqueezeAttrs{{-3}});
  r.add_input({1, 3}, std::vector<float>(3));
  r.add_output();
  expect_rejected(r.prepare(make_squeeze()), ErrorCode::kInvalidArgument);
}

TEST(ExpandDims, positive_and_negative_axes) {
  const auto x = counting<int64_t>(6);
  const struct {
    int32_t axis;
    Shape shape;
  } cases[] = {{0, {1, 2, 3}}, {1, {2, 1, 3}}, {2, {2, 3, 1}},
               {-1, {2, 3, 1}}, {-3, {1, 2, 3}}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.axis);
    KernelRunner r(OpKind::kExpandDims);
    r.add_input({2, 3}, x);
    r.add_constant({1}, std::vector<int32_t>{c.axis});
    r.add_output(DType::kI64);
    ASSERT_TRUE(r.prepare(make_expand_dims()).is_ok());
    expect_copy(r, x, c.shape);
  }
}

TEST(ExpandDims, scalar_i64_axis_on_scalar) {
  const auto x = counting<float>(1, 3);
  KernelRunner r(OpKind::kExpandDims);
  r.add_input({}, x);
  r.add_constant({}, std::vector<int64_t>{-1});
  r.add_output();
  ASSERT_TRUE(r.prepare(make_expand_dims()).is_ok());
  expect_copy(r, x, {1});
}

TEST(ExpandDims, rejects_axis_out_of_range) {
  KernelRunner r(OpKind::kExpandDims);
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_constant({1}, std::vector<int32_t>{3});
  r.add_output();
  expect_rejected(r.prepare(make_expand_dims()), ErrorCode::kInvalidArgument);
}

TEST(ExpandDims, rejects_non_constant_axis) {
  KernelRunner r(OpKind::kExpandDims);
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_input({1}, std::vector<int32_t>{0});
  r.add_output();
  expect_rejected(r.prepare(make_expand_dims()), ErrorCode::kUnsupportedOp);
}

TEST(ExpandDims, rejects_two_axis_values) {
  KernelRunner r(OpKind::kExpandDims);
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_constant({2}, std::vector<int32_t>{0, 1});
  r.add_output();
  expect_rejected(r.prepare(make_expand_dims()), ErrorCode::kShapeMismatch);
}

}  // namespace
}  // namespace opscope::reference
