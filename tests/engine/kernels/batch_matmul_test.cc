// BATCH_MATMUL f32 against a naive loop in double.
#include <gtest/gtest.h>

#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/linear_test_util.h"

namespace opscope::reference {
namespace {

using testing::add_input_or_constant;
using testing::expect_kernel_output;
using testing::expect_rejected;
using testing::KernelRunner;
using testing::prepare_on_zeros;
using testing::random_floats;

// Index of `out_index` (over the broadcast batch dims `out`) in a tensor
// whose batch dims are `dims` (right-aligned, size-1 dims broadcast).
int64_t batch_offset(const Shape& out, const Shape& dims, int64_t out_index) {
  int64_t index = 0, stride = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    const size_t d = out.size() - 1 - i;  // from the right
    const int64_t digit = out_index % out[d];
    out_index /= out[d];
    if (i < dims.size()) {
      const int64_t size = dims[dims.size() - 1 - i];
      if (size != 1) index += digit * stride;
      stride *= size;
    }
  }
  return index;
}

void check(const Shape& a_shape, const Shape& b_shape, bool adj_x, bool adj_y,
           const Shape& want_shape, bool constant_b = false) {
  SCOPED_TRACE(::testing::Message()
               << shape_to_string(a_shape) << (adj_x ? "^T" : "") << " x "
               << shape_to_string(b_shape) << (adj_y ? "^T" : "")
               << (constant_b ? " const" : ""));
  const auto a = random_floats(num_elements(a_shape), 51);
  const auto b = random_floats(num_elements(b_shape), 52);
  const size_t ra = a_shape.size(), rb = b_shape.size();
  const int64_t m = adj_x ? a_shape[ra - 1] : a_shape[ra - 2];
  const int64_t k = adj_x ? a_shape[ra - 2] : a_shape[ra - 1];
  const int64_t n = adj_y ? b_shape[rb - 2] : b_shape[rb - 1];
  const Shape a_batch(a_shape.begin(), a_shape.end() - 2);
  const Shape b_batch(b_shape.begin(), b_shape.end() - 2);
  const Shape out_batch(want_shape.begin(), want_shape.end() - 2);

  std::vector<double> want;
  for (int64_t ob = 0; ob < num_elements(out_batch); ++ob) {
    const float* ap = a.data() + batch_offset(out_batch, a_batch, ob) * m * k;
    const float* bp = b.data() + batch_offset(out_batch, b_batch, ob) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0.0;
        for (int64_t p = 0; p < k; ++p) {
          const double x = adj_x ? ap[p * m + i] : ap[i * k + p];
          const double y = adj_y ? bp[j * k + p] : bp[p * n + j];
          acc += x * y;
        }
        want.push_back(acc);
      }
  }

  BatchMatMulAttrs attrs;
  attrs.adj_x = adj_x;
  attrs.adj_y = adj_y;
  KernelRunner r(OpKind::kBatchMatMul, attrs);
  r.add_input(a_shape, a);
  add_input_or_constant(r, b_shape, b, constant_b);
  r.add_output();
  expect_kernel_output(r, make_batch_matmul_f32(), want_shape, want);
}

TEST(BatchMatMul, plain_2d) { check({5, 7}, {7, 9}, false, false, {5, 9}); }

TEST(BatchMatMul, batched) {
  check({3, 5, 7}, {3, 7, 9}, false, false, {3, 5, 9});
}

TEST(BatchMatMul, adj_x_and_adj_y) {
  for (bool adj_x : {false, true}) {
    for (bool adj_y : {false, true}) {
      const Shape a = adj_x ? Shape{2, 7, 5} : Shape{2, 5, 7};
      const Shape b = adj_y ? Shape{2, 9, 7} : Shape{2, 7, 9};
      check(a, b, adj_x, adj_y, {2, 5, 9});
      check(a, b, adj_x, adj_y, {2, 5, 9}, /*constant_b=*/true);
    }
  }
}

TEST(BatchMatMul, broadcasts_b) {
  // b without batch dims: one GEMM over the stacked rows of a.
  check({2, 3, 4, 17}, {17, 5}, false, false, {2, 3, 4, 5});
  check({2, 3, 4, 17}, {17, 5}, false, false, {2, 3, 4, 5}, true);
  check({2, 3, 17, 4}, {1, 5, 17}, true, true, {2, 3, 4, 5});
}

TEST(BatchMatMul, broadcasts_a) {
  check({4, 6}, {3, 6, 5}, false, false, {3, 4, 5});
  check({1, 4, 6}, {3, 6, 5}, false, false, {3, 4, 5}, true);
}

TEST(BatchMatMul, broadcasts_both_ways) {
  check({2, 1, 3, 4}, {1, 5, 4, 6}, false, false, {2, 5, 3, 6});
  check({2, 1, 4, 3}, {5, 6, 4}, true, true, {2, 5, 3, 6});
  check({2, 1, 4, 3}, {5, 6, 4}, true, true, {2, 5, 3, 6}, true);
}

TEST(BatchMatMul, ones_and_odd_sizes) {
  check({1, 1}, {1, 1}, false, false, {1, 1});
  check({3, 1, 3}, {3, 3, 1}, false, false, {3, 1, 1});
  check({2, 17, 3}, {2, 3, 17}, false, false, {2, 17, 17});
}

TEST(BatchMatMul, long_k) { check({2, 9, 600}, {600, 11}, false, false, {2, 9, 11}); }

// ---- rejects ----

Status prepare_bmm(Shape a, Shape b, DType dtype = DType::kF32,
                   bool adj_y = false) {
  BatchMatMulAttrs attrs;
  attrs.adj_y = adj_y;
  return prepare_on_zeros(OpKind::kBatchMatMul, attrs, make_batch_matmul_f32(),
                          a, b, dtype, /*constant_filter=*/false);
}

TEST(BatchMatMul, rejects_inner_dim_mismatch) {
  const Status st = prepare_bmm({2, 3, 4}, {2, 5, 6});
  expect_rejected(st, ErrorCode::kShapeMismatch);
  EXPECT_NE(st.message().find("2x3x4"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("2x5x6"), std::string::npos) << st.message();
  // adj_y reads b as [N, K]: K = 6 still does not match 4.
  expect_rejected(prepare_bmm({2, 3, 4}, {2, 5, 6}, DType::kF32, true),
                  ErrorCode::kShapeMismatch);
}

TEST(BatchMatMul, rejects_batch_dims_that_do_not_broadcast) {
  expect_rejected(prepare_bmm({2, 3, 4}, {3, 4, 5}),
                  ErrorCode::kShapeMismatch);
}

TEST(BatchMatMul, rejects_wrong_dtype) {
  expect_rejected(prepare_bmm({3, 4}, {4, 5}, DType::kI32),
                  ErrorCode::kTypeMismatch);
}

TEST(BatchMatMul, rejects_wrong_rank) {
  expect_rejected(prepare_bmm({4}, {4, 5}), ErrorCode::kShapeMismatch);
}

TEST(BatchMatMul, rejects_wrong_input_count) {
  KernelRunner r(OpKind::kBatchMatMul, BatchMatMulAttrs{});
  r.add_input({3, 4}, std::vector<float>(12));
  r.add_output();
  expect_rejected(r.prepare(make_batch_matmul_f32()), ErrorCode::kInvalidGraph);
}

}  // namespace
}  // namespace opscope::reference
