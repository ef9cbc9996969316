// TRANSPOSE against a naive index-mapping loop, ranks 0..6, seeded random
// permutations and shapes, element sizes 1, 2, 4 and 8.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::counting;
using testing::expect_rejected;
using testing::KernelRunner;

template <typename T>
std::vector<T> naive_transpose(const Shape& s, const std::vector<T>& x,
                               const std::vector<int>& perm, Shape* out) {
  out->clear();
  for (int p : perm) out->push_back(s[p]);
  std::vector<T> y(x.size());
  for (int64_t i = 0; i < static_cast<int64_t>(y.size()); ++i) {
    const auto oi = testing::unflatten(i, *out);
    std::vector<int64_t> ii(s.size());
    for (size_t d = 0; d < perm.size(); ++d) ii[perm[d]] = oi[d];
    y[i] = x[testing::flatten(ii, s)];
  }
  return y;
}

template <typename T, typename PermT = int32_t>
void check(const Shape& shape, const std::vector<int>& perm, DType dtype) {
  SCOPED_TRACE(shape_to_string(shape) + " perm " +
               shape_to_string(Shape(perm.begin(), perm.end())));
  const auto x = counting<T>(num_elements(shape));
  KernelRunner r(OpKind::kTranspose);
  r.add_input(shape, x, dtype);
  r.add_constant({static_cast<int64_t>(perm.size())},
                 std::vector<PermT>(perm.begin(), perm.end()));
  r.add_output(dtype);
  ASSERT_TRUE(r.prepare(make_transpose()).is_ok());
  r.run();
  Shape expected_shape;
  const auto expected = naive_transpose(shape, x, perm, &expected_shape);
  EXPECT_EQ(r.output_tensor(0).shape, expected_shape);
  EXPECT_EQ(r.output_tensor(0).dtype, dtype);
  EXPECT_EQ(r.output<T>(0), expected);
}

TEST(Transpose, nhwc_to_nchw_and_back) {
  check<float>({2, 5, 7, 3}, {0, 3, 1, 2}, DType::kF32);
  check<float>({2, 3, 5, 7}, {0, 2, 3, 1}, DType::kF32);
}

// Plans that are one 2D transpose (the fast path): an image's NCHW->NHWC
// (1 to 5 channels, and many), with a batch, and NHWC->NCHW, every element
// size.
TEST(Transpose, two_dim_fast_path_all_element_sizes) {
  for (int64_t c : {1, 2, 3, 4, 5, 40}) {
    for (int64_t n : {1, 2}) {
      const Shape nchw{n, c, 9, 37};
      check<uint8_t>(nchw, {0, 2, 3, 1}, DType::kU8);
      check<uint16_t>(nchw, {0, 2, 3, 1}, DType::kF16);
      check<float>(nchw, {0, 2, 3, 1}, DType::kF32);
      check<int64_t>(nchw, {0, 2, 3, 1}, DType::kI64);
      check<float>({n, 9, 37, c}, {0, 3, 1, 2}, DType::kF32);
    }
  }
  check<float>({1, 3, 224, 224}, {0, 2, 3, 1}, DType::kF32);
  check<int8_t>({1, 3, 224, 224}, {0, 2, 3, 1}, DType::kI8);
  // Three 1-byte rows around the 16-pixel steps' bound (c + 18 <= cols).
  for (int64_t w : {15, 16, 17, 18, 19, 33, 34, 35, 50}) {
    check<int8_t>({2, 3, 1, w}, {0, 2, 3, 1}, DType::kI8);
  }
  check<float>({70, 33}, {1, 0}, DType::kF32);
}

TEST(Transpose, matrix_and_vector) {
  check<float>({17, 5}, {1, 0}, DType::kF32);
  check<float>({9}, {0}, DType::kF32);
  check<float>({}, {}, DType::kF32);
}

TEST(Transpose, copy_when_only_unit_dims_move) {
  check<float>({1, 6, 1, 5}, {2, 1, 0, 3}, DType::kF32);
  check<int8_t>({3, 1, 4}, {1, 0, 2}, DType::kI8);
}

TEST(Transpose, i64_perm) {
  check<float, int64_t>({2, 3, 4}, {2, 0, 1}, DType::kF32);
}

TEST(Transpose, random_shapes_up_to_rank_6_all_element_sizes) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 120; ++trial) {
    const int rank = 1 + trial % 6;
    Shape shape(rank);
    for (int64_t& d : shape) d = 1 + rng() % 4;
    std::vector<int> perm(rank);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    switch (trial % 4) {
      case 0: check<uint8_t>(shape, perm, DType::kU8); break;
      case 1: check<uint16_t>(shape, perm, DType::kF16); break;
      case 2: check<int32_t>(shape, perm, DType::kI32); break;
      case 3: check<int64_t>(shape, perm, DType::kI64); break;
    }
  }
}

Status prepare_perm(const Shape& shape, std::vector<int32_t> perm,
                    bool constant = true) {
  KernelRunner r(OpKind::kTranspose);
  r.add_input(shape, std::vector<float>(num_elements(shape)));
  const Shape perm_shape{static_cast<int64_t>(perm.size())};
  if (constant) r.add_constant(perm_shape, perm);
  else r.add_input(perm_shape, perm);
  r.add_output();
  return r.prepare(make_transpose());
}

TEST(Transpose, rejects_rank_7) {
  expect_rejected(prepare_perm({1, 1, 1, 1, 1, 1, 2}, {0, 1, 2, 3, 4, 5, 6}),
                  ErrorCode::kShapeMismatch);
}

TEST(Transpose, rejects_repeated_axis) {
  expect_rejected(prepare_perm({2, 3, 4}, {0, 1, 1}),
                  ErrorCode::kInvalidArgument);
}

TEST(Transpose, rejects_axis_out_of_range) {
  expect_rejected(prepare_perm({2, 3}, {0, 2}), ErrorCode::kInvalidArgument);
}

TEST(Transpose, rejects_perm_of_wrong_length) {
  expect_rejected(prepare_perm({2, 3, 4}, {1, 0}), ErrorCode::kShapeMismatch);
}

TEST(Transpose, rejects_non_constant_perm) {
  expect_rejected(prepare_perm({2, 3}, {1, 0}, false),
                  ErrorCode::kUnsupportedOp);
}

TEST(Transpose, rejects_per_channel_quantized_input) {
  Quantization q;
  q.scales = {0.1f, 0.2f};
  q.zero_points = {0, 0};
  q.axis = 1;
  KernelRunner r(OpKind::kTranspose);
  r.add_input({3, 2}, std::vector<int8_t>(6), DType::kI8, q);
  r.add_constant({2}, std::vector<int32_t>{1, 0});
  r.add_output(DType::kI8);
  expect_rejected(r.prepare(make_transpose()), ErrorCode::kTypeMismatch);
}

}  // namespace
}  // namespace opscope::reference
