// PAD against a naive per-output-element loop, over several dtypes.
#include <gtest/gtest.h>

#include <optional>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::counting;
using testing::expect_rejected;
using testing::KernelRunner;

template <typename T>
std::vector<T> naive_pad(const Shape& s, const std::vector<T>& x,
                         const std::vector<int64_t>& pads, T value,
                         Shape* out_shape) {
  out_shape->clear();
  for (size_t d = 0; d < s.size(); ++d) {
    out_shape->push_back(s[d] + pads[2 * d] + pads[2 * d + 1]);
  }
  std::vector<T> y(num_elements(*out_shape), value);
  for (int64_t i = 0; i < num_elements(*out_shape); ++i) {
    auto idx = testing::unflatten(i, *out_shape);
    bool inside = true;
    for (size_t d = 0; d < s.size(); ++d) {
      idx[d] -= pads[2 * d];
      inside = inside && idx[d] >= 0 && idx[d] < s[d];
    }
    if (inside) y[i] = x[testing::flatten(idx, s)];
  }
  return y;
}

// Pads `shape` filled with counting values; `value` is the constant_value
// input when given, `expected_fill` what the padding must hold.
template <typename T, typename PadT = int32_t>
void check(const Shape& shape, const std::vector<int64_t>& pads,
           std::optional<T> value, T expected_fill, DType dtype,
           Quantization q = {}) {
  SCOPED_TRACE(shape_to_string(shape) + " pads " + shape_to_string(pads));
  const auto x = counting<T>(num_elements(shape), 1);
  KernelRunner r(OpKind::kPad);
  r.add_input(shape, x, dtype, q);
  r.add_constant({static_cast<int64_t>(shape.size()), 2},
                 std::vector<PadT>(pads.begin(), pads.end()));
  if (value) r.add_constant({}, std::vector<T>{*value}, dtype, q);
  r.add_output(dtype);
  ASSERT_TRUE(r.prepare(make_pad()).is_ok());
  r.run();
  Shape expected_shape;
  const auto expected = naive_pad(shape, x, pads, expected_fill,
                                  &expected_shape);
  EXPECT_EQ(r.output_tensor(0).shape, expected_shape);
  EXPECT_EQ(r.output_tensor(0).dtype, dtype);
  EXPECT_EQ(r.output_tensor(0).quantization.scales, q.scales);
  EXPECT_EQ(r.output_tensor(0).quantization.zero_points, q.zero_points);
  EXPECT_EQ(r.output<T>(0), expected);
}

TEST(Pad, f32_nhwc_zero) {
  check<float>({1, 5, 7, 3}, {0, 0, 1, 2, 2, 1, 0, 0}, std::nullopt, 0.0f,
               DType::kF32);
  check<float>({2, 3, 3, 17}, {1, 0, 0, 1, 1, 0, 2, 3}, std::nullopt, 0.0f,
               DType::kF32);
}

TEST(Pad, f32_constant_value) {
  check<float>({3, 4}, {1, 1, 2, 0}, 7.5f, 7.5f, DType::kF32);
}

TEST(Pad, quantized_pads_with_zero_point) {
  Quantization q;
  q.scales = {0.5f};
  q.zero_points = {-3};
  check<int8_t>({1, 3, 5, 3}, {0, 0, 1, 1, 2, 2, 0, 0}, std::nullopt,
                int8_t{-3}, DType::kI8, q);
  q.zero_points = {128};
  check<uint8_t>({2, 5}, {1, 2, 3, 0}, std::nullopt, uint8_t{128}, DType::kU8,
                 q);
}

TEST(Pad, quantized_constant_value_wins) {
  Quantization q;
  q.scales = {0.25f};
  q.zero_points = {10};
  check<uint8_t>({4, 3}, {2, 1, 0, 2}, uint8_t{200}, uint8_t{200}, DType::kU8,
                 q);
}

TEST(Pad, wide_and_narrow_dtypes) {
  check<int64_t>({3, 2, 5}, {1, 0, 0, 2, 1, 1}, std::nullopt, 0, DType::kI64);
  check<uint16_t>({5, 3}, {0, 2, 1, 1}, uint16_t{0x3c00}, uint16_t{0x3c00},
                  DType::kF16);
  check<int32_t>({7}, {3, 4}, int32_t{-1}, -1, DType::kI32);
}

TEST(Pad, i64_paddings) {
  check<float, int64_t>({2, 3, 4}, {0, 1, 2, 0, 1, 1}, std::nullopt, 0.0f,
                        DType::kF32);
}

TEST(Pad, no_padding_is_a_copy) {
  check<float>({2, 3, 4}, {0, 0, 0, 0, 0, 0}, 9.0f, 9.0f, DType::kF32);
}

TEST(Pad, rank_0_and_1x1) {
  check<float>({}, {}, std::nullopt, 0.0f, DType::kF32);
  check<float>({1, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 0, 0}, std::nullopt, 0.0f,
               DType::kF32);
}

TEST(Pad, rejects_negative_padding) {
  KernelRunner r(OpKind::kPad);
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_constant({2, 2}, std::vector<int32_t>{0, 0, -1, 0});
  r.add_output();
  expect_rejected(r.prepare(make_pad()), ErrorCode::kInvalidArgument);
}

TEST(Pad, rejects_paddings_of_wrong_shape) {
  KernelRunner r(OpKind::kPad);
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_constant({3, 2}, std::vector<int32_t>(6, 0));
  r.add_output();
  expect_rejected(r.prepare(make_pad()), ErrorCode::kShapeMismatch);
}

// Paddings computed at run time are a value operand: a session plans them
// (engine/value_operands.h; onnx_runtime_slice_test runs them). Prepared
// without planned values, the kernel refuses, naming the input.
TEST(Pad, rejects_run_time_paddings_with_no_planned_values) {
  KernelRunner r(OpKind::kPad);
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_input({2, 2}, std::vector<int32_t>(4, 0));
  r.add_output();
  expect_rejected(r.prepare(make_pad()), ErrorCode::kInternal);
}

TEST(Pad, rejects_constant_value_of_other_dtype) {
  KernelRunner r(OpKind::kPad);
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_constant({2, 2}, std::vector<int32_t>(4, 1));
  r.add_constant({}, std::vector<int32_t>{1});
  r.add_output();
  expect_rejected(r.prepare(make_pad()), ErrorCode::kTypeMismatch);
}

TEST(Pad, rejects_non_scalar_constant_value) {
  KernelRunner r(OpKind::kPad);
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_constant({2, 2}, std::vector<int32_t>(4, 1));
  r.add_constant({2}, std::vector<float>{1, 2});
  r.add_output();
  expect_rejected(r.prepare(make_pad()), ErrorCode::kShapeMismatch);
}

TEST(Pad, rejects_output_quantized_differently) {
  Quantization in_q, out_q;
  in_q.scales = {0.5f};
  in_q.zero_points = {0};
  out_q.scales = {0.25f};
  out_q.zero_points = {0};
  KernelRunner r(OpKind::kPad);
  r.add_input({2, 3}, std::vector<int8_t>(6), DType::kI8, in_q);
  r.add_constant({2, 2}, std::vector<int32_t>(4, 1));
  r.add_output(DType::kI8, out_q);
  expect_rejected(r.prepare(make_pad()), ErrorCode::kTypeMismatch);
}

TEST(Pad, rejects_missing_paddings) {
  KernelRunner r(OpKind::kPad);
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_output();
  expect_rejected(r.prepare(make_pad()), ErrorCode::kInvalidGraph);
}

}  // namespace
}  // namespace opscope::reference
