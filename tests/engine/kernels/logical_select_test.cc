// The comparison, logical, selection, repeat, TOPK, TRILU and integer
// arithmetic kernels against naive loops over multi-indices, on the cases
// ONNX's node tests do not reach: three-way broadcasts, non-canonical bool
// bytes, integer overflow and division by zero, NaN and ties in TOPK,
// diagonals off the matrix.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::counting;
using testing::expect_rejected;
using testing::flatten;
using testing::KernelRunner;
using testing::unflatten;

// The element of `shape` (right-aligned, 1 = broadcast) that output index
// `idx` reads.
int64_t broadcast_index(const std::vector<int64_t>& idx, const Shape& shape) {
  std::vector<int64_t> mine(shape.size());
  const size_t off = idx.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d) mine[d] = shape[d] == 1 ? 0 : idx[d + off];
  return flatten(mine, shape);
}

TEST(Compare, GreaterOnInt64Broadcast) {
  const Shape a{2, 1, 3}, b{4, 1};
  const std::vector<int64_t> av = {5, -1, 7, 0, 3, -9};
  const std::vector<int64_t> bv = {0, 4, -2, 7};
  KernelRunner r(OpKind::kGreater);
  r.add_input(a, av);
  r.add_input(b, bv);
  r.add_output(DType::kBool);
  ASSERT_TRUE(r.prepare(make_greater()).is_ok());
  r.run();
  const Shape out{2, 4, 3};
  ASSERT_EQ(r.output_tensor(0).shape, out);
  ASSERT_EQ(r.output_tensor(0).dtype, DType::kBool);
  const std::vector<uint8_t> got = r.output<uint8_t>(0);
  for (int64_t i = 0; i < num_elements(out); ++i) {
    const auto idx = unflatten(i, out);
    EXPECT_EQ(got[i], av[broadcast_index(idx, a)] > bv[broadcast_index(idx, b)] ? 1 : 0) << i;
  }
}

TEST(Compare, EqualFloatNaNIsUnequal) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  KernelRunner r(OpKind::kEqual);
  r.add_input({3}, std::vector<float>{nan, 1.0f, -0.0f});
  r.add_input({3}, std::vector<float>{nan, 1.0f, 0.0f});
  r.add_output(DType::kBool);
  ASSERT_TRUE(r.prepare(make_equal()).is_ok());
  r.run();
  EXPECT_EQ(r.output<uint8_t>(0), (std::vector<uint8_t>{0, 1, 1}));
}

TEST(Logical, XorReadsAnyNonZeroByteAsTrue) {
  KernelRunner r(OpKind::kLogicalXor);
  r.add_input({4}, std::vector<uint8_t>{0, 2, 255, 1}, DType::kBool);
  r.add_input({1}, std::vector<uint8_t>{7}, DType::kBool);
  r.add_output(DType::kBool);
  ASSERT_TRUE(r.prepare(make_logical_xor()).is_ok());
  r.run();
  EXPECT_EQ(r.output<uint8_t>(0), (std::vector<uint8_t>{1, 0, 0, 0}));
}

TEST(Logical, RefusesFloatOperands) {
  KernelRunner r(OpKind::kLogicalAnd);
  r.add_input({2}, std::vector<float>{1, 0});
  r.add_input({2}, std::vector<float>{1, 1});
  r.add_output(DType::kBool);
  expect_rejected(r.prepare(make_logical_and()), ErrorCode::kTypeMismatch);
}

TEST(Select, ThreeWayBroadcast) {
  const Shape c{2, 1, 3}, x{1, 4, 1}, y{3};
  const std::vector<uint8_t> cv = {1, 0, 1, 0, 0, 1};
  const auto xv = counting<int64_t>(4, 100);
  const std::vector<int64_t> yv = {-1, -2, -3};
  KernelRunner r(OpKind::kSelect);
  r.add_input(c, cv, DType::kBool);
  r.add_input(x, xv);
  r.add_input(y, yv);
  r.add_output(DType::kI64);
  ASSERT_TRUE(r.prepare(make_select()).is_ok());
  r.run();
  const Shape out{2, 4, 3};
  ASSERT_EQ(r.output_tensor(0).shape, out);
  const std::vector<int64_t> got = r.output<int64_t>(0);
  for (int64_t i = 0; i < num_elements(out); ++i) {
    const auto idx = unflatten(i, out);
    const int64_t want = cv[broadcast_index(idx, c)] ? xv[broadcast_index(idx, x)]
                                                     : yv[broadcast_index(idx, y)];
    EXPECT_EQ(got[i], want) << i;
  }
}

TEST(Select, RefusesMixedValueTypes) {
  KernelRunner r(OpKind::kSelect);
  r.add_input({2}, std::vector<uint8_t>{1, 0}, DType::kBool);
  r.add_input({2}, std::vector<float>{1, 2});
  r.add_input({2}, std::vector<int32_t>{1, 2});
  r.add_output();
  expect_rejected(r.prepare(make_select()), ErrorCode::kTypeMismatch);
}

TEST(IntArithmetic, WrapsAndDividesTowardZero) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const std::vector<int64_t> a = {kMax, kMin, 7, -7, 5};
  const std::vector<int64_t> b = {1, -1, -2, 2, 0};
  const auto run = [&](OpKind op, std::unique_ptr<Kernel> k) {
    KernelRunner r(op);
    r.add_input({5}, a);
    r.add_input({5}, b);
    r.add_output(DType::kI64);
    EXPECT_TRUE(r.prepare(std::move(k)).is_ok());
    r.run();
    return r.output<int64_t>(0);
  };
  EXPECT_EQ(run(OpKind::kAdd, make_add_i64()), (std::vector<int64_t>{kMin, kMax, 5, -5, 5}));
  EXPECT_EQ(run(OpKind::kDiv, make_div_i64()), (std::vector<int64_t>{kMax, kMin, -3, -3, 0}));
  EXPECT_EQ(run(OpKind::kMul, make_mul_i64()), (std::vector<int64_t>{kMax, kMin, -14, -14, 0}));
}

TEST(Repeat, TileAndBroadcastToAgainstModulo) {
  const Shape in{2, 3};
  const auto x = counting<int32_t>(6);
  KernelRunner tile(OpKind::kTile);
  tile.add_input(in, x);
  tile.add_constant({2}, std::vector<int64_t>{3, 2});
  tile.add_output(DType::kI32);
  ASSERT_TRUE(tile.prepare(make_repeat()).is_ok());
  tile.run();
  const Shape out{6, 6};
  ASSERT_EQ(tile.output_tensor(0).shape, out);
  const auto got = tile.output<int32_t>(0);
  for (int64_t i = 0; i < 36; ++i) {
    const auto idx = unflatten(i, out);
    EXPECT_EQ(got[i], x[flatten({idx[0] % 2, idx[1] % 3}, in)]) << i;
  }

  KernelRunner bt(OpKind::kBroadcastTo);
  bt.add_input({3, 1}, std::vector<float>{1, 2, 3});
  bt.add_constant({3}, std::vector<int64_t>{2, 1, 4});
  bt.add_output();
  ASSERT_TRUE(bt.prepare(make_repeat()).is_ok());
  bt.run();
  ASSERT_EQ(bt.output_tensor(0).shape, (Shape{2, 3, 4}));
  const auto b = bt.output<float>(0);
  for (int64_t i = 0; i < 24; ++i) EXPECT_EQ(b[i], 1 + (i / 4) % 3) << i;
}

TEST(Repeat, RefusesShapesThatDoNotBroadcast) {
  KernelRunner r(OpKind::kBroadcastTo);
  r.add_input({3}, std::vector<float>{1, 2, 3});
  r.add_constant({1}, std::vector<int64_t>{2});
  r.add_output();
  expect_rejected(r.prepare(make_repeat()), ErrorCode::kShapeMismatch);
}

TEST(TopK, NaNFirstAndTiesByIndex) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  KernelRunner r(OpKind::kTopK, TopKAttrs{-1, true, DType::kI64});
  r.add_input({2, 5}, std::vector<float>{1, 3, 3, nan, 2, 0, -1, 0, 5, 0});
  r.add_constant({1}, std::vector<int64_t>{3});
  r.add_output();
  r.add_output(DType::kI64);
  ASSERT_TRUE(r.prepare(make_top_k_f32()).is_ok());
  r.run();
  EXPECT_EQ(r.output<int64_t>(1), (std::vector<int64_t>{3, 1, 2, 3, 0, 2}));
  const auto v = r.output<float>(0);
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], 3.0f);
  EXPECT_EQ(v[3], 5.0f);
}

TEST(TopK, RefusesKLargerThanTheAxis) {
  KernelRunner r(OpKind::kTopK, TopKAttrs{0, true, DType::kI64});
  r.add_input({3}, std::vector<float>{1, 2, 3});
  r.add_constant({1}, std::vector<int64_t>{4});
  r.add_output();
  r.add_output(DType::kI64);
  expect_rejected(r.prepare(make_top_k_f32()), ErrorCode::kInvalidArgument);
}

TEST(Trilu, EveryDiagonalAgainstTheDefinition) {
  const Shape s{2, 3, 4};
  const auto x = counting<int16_t>(24, 1);
  for (bool upper : {true, false}) {
    for (int64_t k = -4; k <= 5; ++k) {
      SCOPED_TRACE((upper ? "upper k " : "lower k ") + std::to_string(k));
      KernelRunner r(OpKind::kTrilu, TriluAttrs{upper, k});
      r.add_input(s, x, DType::kF16);  // any 2-byte type: copied by size
      r.add_output(DType::kF16);
      ASSERT_TRUE(r.prepare(make_trilu()).is_ok());
      r.run();
      const auto got = r.output<int16_t>(0);
      for (int64_t i = 0; i < 24; ++i) {
        const auto idx = unflatten(i, s);
        const int64_t diff = idx[2] - idx[1];
        const bool keep = upper ? diff >= k : diff <= k;
        EXPECT_EQ(got[i], keep ? x[i] : 0) << i;
      }
    }
  }
}

}  // namespace
}  // namespace opscope::reference
