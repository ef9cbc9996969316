// MEAN / REDUCE_MAX against a naive double-precision loop over every
// element, on the fast (single reduced run), general and copy paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::expect_rejected;
using testing::KernelRunner;
using testing::random_floats;

enum class Kind { kMean, kMax };

struct Expected {
  Shape shape;
  std::vector<double> values;
};

Expected naive_reduce(Kind kind, const Shape& s, const std::vector<float>& x,
                      std::vector<int64_t> axes, bool keep_dims) {
  const int rank = static_cast<int>(s.size());
  std::set<int> reduced;
  for (int64_t a : axes) reduced.insert(static_cast<int>(a < 0 ? a + rank : a));
  Shape kept_shape;  // output shape without keep_dims' ones
  Expected e;
  for (int d = 0; d < rank; ++d) {
    if (!reduced.count(d)) kept_shape.push_back(s[d]);
    if (!reduced.count(d)) e.shape.push_back(s[d]);
    else if (keep_dims) e.shape.push_back(1);
  }
  const int64_t out_n = num_elements(kept_shape);
  std::vector<double> sum(out_n, 0.0),
      mx(out_n, -std::numeric_limits<double>::infinity());
  std::vector<int64_t> count(out_n, 0);
  for (int64_t i = 0; i < num_elements(s); ++i) {
    const auto idx = testing::unflatten(i, s);
    std::vector<int64_t> out_idx;
    for (int d = 0; d < rank; ++d) {
      if (!reduced.count(d)) out_idx.push_back(idx[d]);
    }
    const int64_t o = testing::flatten(out_idx, kept_shape);
    sum[o] += x[i];
    mx[o] = std::max<double>(mx[o], x[i]);
    ++count[o];
  }
  for (int64_t o = 0; o < out_n; ++o) {
    e.values.push_back(kind == Kind::kMean ? sum[o] / count[o] : mx[o]);
  }
  return e;
}

std::unique_ptr<Kernel> make(Kind kind) {
  return kind == Kind::kMean ? make_mean_f32() : make_reduce_max_f32();
}

OpKind op_of(Kind kind) {
  return kind == Kind::kMean ? OpKind::kMean : OpKind::kReduceMax;
}

template <typename AxisT = int32_t>
void check(Kind kind, const Shape& shape, std::vector<int64_t> axes,
           bool keep_dims, uint32_t seed) {
  SCOPED_TRACE(shape_to_string(shape) + " axes " + shape_to_string(axes) +
               (keep_dims ? " keep_dims" : ""));
  const auto x = random_floats(num_elements(shape), seed);
  KernelRunner r(op_of(kind), ReduceAttrs{keep_dims});
  r.add_input(shape, x);
  r.add_constant({static_cast<int64_t>(axes.size())},
                 std::vector<AxisT>(axes.begin(), axes.end()));
  r.add_output();
  ASSERT_TRUE(r.prepare(make(kind)).is_ok());
  r.run();
  const Expected e = naive_reduce(kind, shape, x, axes, keep_dims);
  ASSERT_EQ(r.output_tensor(0).shape, e.shape);
  const auto y = r.output<float>(0);
  ASSERT_EQ(y.size(), e.values.size());
  for (size_t i = 0; i < y.size(); ++i) {
    if (kind == Kind::kMax) {
      ASSERT_EQ(y[i], static_cast<float>(e.values[i])) << "at " << i;
    } else {
      ASSERT_NEAR(y[i], e.values[i], 1e-6) << "at " << i;
    }
  }
}

class ReduceTest : public ::testing::TestWithParam<Kind> {};

TEST_P(ReduceTest, global_average_pool_nhwc) {
  check(GetParam(), {1, 7, 7, 17}, {1, 2}, true, 1);
  check(GetParam(), {2, 5, 3, 3}, {1, 2}, false, 2);
  check(GetParam(), {3, 1, 1, 5}, {1, 2}, true, 3);  // nothing to reduce
}

TEST_P(ReduceTest, last_axis_and_negative_axes) {
  check(GetParam(), {4, 9}, {-1}, false, 4);
  check(GetParam(), {2, 3, 5}, {-1}, true, 5);
  check(GetParam(), {5, 3}, {-2}, false, 6);  // leading axis
}

TEST_P(ReduceTest, several_reduced_runs) {
  check(GetParam(), {2, 3, 4, 5}, {1, 3}, false, 7);
  check(GetParam(), {3, 4, 5}, {0, 2}, true, 8);
  check(GetParam(), {2, 1, 3, 4, 1, 5}, {0, 3, -1}, false, 9);
}

TEST_P(ReduceTest, all_axes_to_scalar) {
  check(GetParam(), {3, 5, 7}, {0, 1, 2}, false, 10);
  check(GetParam(), {3, 5, 7}, {2, 0, 1}, true, 11);
}

TEST_P(ReduceTest, duplicate_axes) {
  check(GetParam(), {2, 3, 4, 3}, {1, -3, 1}, false, 12);
}

TEST_P(ReduceTest, empty_axes_copies) {
  check(GetParam(), {2, 3, 5}, {}, false, 13);
}

TEST_P(ReduceTest, i64_axes) {
  check<int64_t>(GetParam(), {1, 6, 5, 3}, {1, 2}, true, 14);
  check<int64_t>(GetParam(), {2, 3, 4, 5}, {0, 2}, false, 15);
}

TEST_P(ReduceTest, scalar_axes_tensor) {
  const auto x = random_floats(12, 16);
  KernelRunner r(op_of(GetParam()), ReduceAttrs{false});
  r.add_input({3, 4}, x);
  r.add_constant({}, std::vector<int32_t>{1});
  r.add_output();
  ASSERT_TRUE(r.prepare(make(GetParam())).is_ok());
  r.run();
  EXPECT_EQ(r.output_tensor(0).shape, (Shape{3}));
}

INSTANTIATE_TEST_SUITE_P(Reduce, ReduceTest,
                         ::testing::Values(Kind::kMean, Kind::kMax));

TEST(Reduce, mean_of_many_values_is_accurate) {
  // A float running sum of 2^22 values of 0.1 drifts by ~1e-3; a double
  // accumulator does not.
  const int64_t n = int64_t{1} << 22;
  KernelRunner r(OpKind::kMean, ReduceAttrs{false});
  r.add_input({1, 2048, 2048, 1}, std::vector<float>(n, 0.1f));
  r.add_constant({2}, std::vector<int32_t>{1, 2});
  r.add_output();
  ASSERT_TRUE(r.prepare(make_mean_f32()).is_ok());
  r.run();
  EXPECT_EQ(r.output<float>(0), (std::vector<float>{0.1f, }));
}

TEST(Reduce, empty_reduced_axis) {
  for (Kind kind : {Kind::kMean, Kind::kMax}) {
    KernelRunner r(op_of(kind), ReduceAttrs{false});
    // A constant: KernelRunner memcpys runtime inputs from a null pointer
    // when they are empty, which UBSan reports.
    r.add_constant({2, 0}, std::vector<float>{});
    r.add_constant({1}, std::vector<int32_t>{1});
    r.add_output();
    ASSERT_TRUE(r.prepare(make(kind)).is_ok());
    r.run();
    const auto y = r.output<float>(0);
    ASSERT_EQ(y.size(), 2u);
    if (kind == Kind::kMean) EXPECT_TRUE(std::isnan(y[0]));
    else EXPECT_EQ(y[0], -std::numeric_limits<float>::infinity());
  }
}

Status prepare_axes(const Shape& shape, bool axes_constant,
                    std::vector<int32_t> axes) {
  KernelRunner r(OpKind::kMean, ReduceAttrs{});
  r.add_input(shape, std::vector<float>(num_elements(shape)));
  const Shape axes_shape{static_cast<int64_t>(axes.size())};
  if (axes_constant) r.add_constant(axes_shape, axes);
  else r.add_input(axes_shape, axes);
  r.add_output();
  return r.prepare(make_mean_f32());
}

TEST(Reduce, rejects_axis_out_of_range) {
  expect_rejected(prepare_axes({2, 3}, true, {2}), ErrorCode::kInvalidArgument);
  expect_rejected(prepare_axes({2, 3}, true, {-3}),
                  ErrorCode::kInvalidArgument);
}

TEST(Reduce, rejects_non_constant_axes) {
  expect_rejected(prepare_axes({2, 3}, false, {1}), ErrorCode::kUnsupportedOp);
}

TEST(Reduce, rejects_float_axes) {
  KernelRunner r(OpKind::kReduceMax, ReduceAttrs{});
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_constant({1}, std::vector<float>{1});
  r.add_output();
  expect_rejected(r.prepare(make_reduce_max_f32()), ErrorCode::kTypeMismatch);
}

TEST(Reduce, rejects_i8_input) {
  KernelRunner r(OpKind::kMean, ReduceAttrs{});
  r.add_input({2, 3}, std::vector<int8_t>(6));
  r.add_constant({1}, std::vector<int32_t>{1});
  r.add_output();
  expect_rejected(r.prepare(make_mean_f32()), ErrorCode::kTypeMismatch);
}

TEST(Reduce, rejects_missing_axes_input) {
  KernelRunner r(OpKind::kMean, ReduceAttrs{});
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_output();
  expect_rejected(r.prepare(make_mean_f32()), ErrorCode::kInvalidGraph);
}

TEST(Reduce, rejects_2d_axes_tensor) {
  KernelRunner r(OpKind::kMean, ReduceAttrs{});
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_constant({1, 1}, std::vector<int32_t>{1});
  r.add_output();
  expect_rejected(r.prepare(make_mean_f32()), ErrorCode::kShapeMismatch);
}

}  // namespace
}  // namespace opscope::reference
