// SOFTMAX against a naive double loop over the last axis, several betas
// (negative and zero too), large |x|; rejections.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/elementwise_test_util.h"

namespace opscope::reference {
namespace {

using testing::KernelRunner;

// exp(beta * x - max(beta * x)) / sum, in double.
std::vector<double> naive_softmax(const Shape& shape,
                                  const std::vector<float>& x, double beta) {
  const int64_t depth = shape.empty() ? 1 : shape.back();
  std::vector<double> y(x.size());
  for (size_t row = 0; row + depth <= x.size() && depth > 0; row += depth) {
    double m = -HUGE_VAL;
    for (int64_t i = 0; i < depth; ++i) m = std::max(m, beta * x[row + i]);
    double sum = 0;
    for (int64_t i = 0; i < depth; ++i) {
      y[row + i] = std::exp(beta * x[row + i] - m);
      sum += y[row + i];
    }
    for (int64_t i = 0; i < depth; ++i) y[row + i] /= sum;
  }
  return y;
}

std::vector<float> run_softmax(const Shape& shape, const std::vector<float>& x,
                               Attributes attrs) {
  KernelRunner r(OpKind::kSoftmax, std::move(attrs));
  r.add_input(shape, x);
  r.add_output();
  const Status st = r.prepare(make_softmax_f32());
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  if (!st.is_ok()) return {};
  EXPECT_EQ(r.output_tensor(0).shape, shape);
  EXPECT_EQ(r.output_tensor(0).dtype, DType::kF32);
  r.run();
  return r.output<float>(0);
}

TEST(Softmax, matches_naive_loop) {
  const Shape shapes[] = {{1, 10}, {2, 3, 7}, {5}, {1, 1001}, {4, 1}, {}};
  const float betas[] = {1.0f, 0.5f, 2.0f, -1.5f, 0.0f};
  uint32_t seed = 500;
  for (const Shape& shape : shapes) {
    for (float beta : betas) {
      SCOPED_TRACE(shape_to_string(shape) + " beta " + std::to_string(beta));
      const auto x = testing::random_floats(num_elements(shape), -8, 8, seed++);
      testing::expect_all_close(run_softmax(shape, x, SoftmaxAttrs{beta}),
                                naive_softmax(shape, x, beta), 1e-7, 1e-5);
    }
  }
}

TEST(Softmax, no_attributes_means_beta_one) {
  const std::vector<float> x = {1, 2, 3};
  testing::expect_all_close(run_softmax({3}, x, {}), naive_softmax({3}, x, 1),
                            1e-7, 1e-6);
}

TEST(Softmax, large_inputs_stay_finite) {
  const std::vector<float> x = {
      1e30f,    -1e30f, 0,      1e30f,     // row 0: two equal maxima
      FLT_MAX,  -FLT_MAX, 1,    FLT_MAX,   // row 1: a range beyond FLT_MAX
      -1e30f,   -1e30f, -1e30f, -1e30f,    // row 2: all equal, very negative
      1000,     999,    -1000,  88.8f,     // row 3: exp(x) alone overflows
  };
  const Shape shape = {4, 4};
  for (float beta : {1.0f, -1.0f, 0.0f, 1e-30f, 1e30f}) {
    SCOPED_TRACE("beta " + std::to_string(beta));
    const std::vector<float> y = run_softmax(shape, x, SoftmaxAttrs{beta});
    for (float v : y) EXPECT_TRUE(std::isfinite(v)) << v;
    for (int row = 0; row < 4; ++row) {
      double sum = 0;
      for (int i = 0; i < 4; ++i) sum += y[row * 4 + i];
      EXPECT_NEAR(sum, 1.0, 1e-6) << "row " << row;
    }
    testing::expect_all_close(y, naive_softmax(shape, x, beta), 1e-7, 1e-5);
  }
  // beta = 1: row 0 splits between its two maxima, row 2 is uniform.
  const std::vector<float> y = run_softmax(shape, x, SoftmaxAttrs{1.0f});
  EXPECT_EQ(y[0], 0.5f);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[8], 0.25f);
}

TEST(Softmax, rejects_wrong_dtype) {
  KernelRunner r(OpKind::kSoftmax, SoftmaxAttrs{});
  r.add_input({2}, std::vector<uint8_t>{1, 2});
  r.add_output();
  const Status st = r.prepare(make_softmax_f32());
  EXPECT_EQ(st.code(), ErrorCode::kTypeMismatch);
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos) << st.message();
}

TEST(Softmax, rejects_non_finite_beta) {
  KernelRunner r(OpKind::kSoftmax, SoftmaxAttrs{NAN});
  r.add_input({2}, std::vector<float>{1, 2});
  r.add_output();
  const Status st = r.prepare(make_softmax_f32());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidGraph);
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace opscope::reference
