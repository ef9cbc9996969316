// RELU, RELU6, LEAKY_RELU, HARD_SWISH, LOGISTIC, TANH, RSQRT, LOG, EXP, SQRT,
// NEG, ABS, HARD_SIGMOID against
// naive double formulas; large |x| for LOGISTIC and TANH; rejections.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/elementwise_test_util.h"

namespace opscope::reference {
namespace {

using testing::KernelRunner;

struct UnaryCase {
  const char* name;
  OpKind op;
  std::unique_ptr<Kernel> (*factory)();
  double (*ref)(double);
  float lo, hi;  // input range of the random test
  double rel_tol;
};

double naive_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

const UnaryCase kOps[] = {
    {"relu", OpKind::kRelu, make_relu_f32,
     [](double x) { return std::max(x, 0.0); }, -10, 10, 0},
    {"relu6", OpKind::kRelu6, make_relu6_f32,
     [](double x) { return std::clamp(x, 0.0, 6.0); }, -10, 10, 0},
    {"leaky_relu", OpKind::kLeakyRelu, make_leaky_relu_f32,  // default 0.2
     [](double x) { return x > 0 ? x : 0.2 * x; }, -10, 10, 1e-6},
    {"hard_swish", OpKind::kHardSwish, make_hard_swish_f32,
     [](double x) { return x * std::clamp(x + 3.0, 0.0, 6.0) / 6.0; }, -8, 8,
     1e-6},
    {"logistic", OpKind::kLogistic, make_logistic_f32, naive_sigmoid, -20, 20,
     2e-6},
    {"tanh", OpKind::kTanh, make_tanh_f32,
     [](double x) { return std::tanh(x); }, -10, 10, 2e-6},
    {"rsqrt", OpKind::kRsqrt, make_rsqrt_f32,
     [](double x) { return 1.0 / std::sqrt(x); }, 1e-3f, 100, 1e-6},
    {"log", OpKind::kLog, make_log_f32, [](double x) { return std::log(x); },
     1e-3f, 100, 1e-6},
    {"exp", OpKind::kExp, make_exp_f32, [](double x) { return std::exp(x); },
     -20, 20, 2e-6},
    {"sqrt", OpKind::kSqrt, make_sqrt_f32,
     [](double x) { return std::sqrt(x); }, 0, 100, 1e-6},
    {"neg", OpKind::kNeg, make_neg_f32, [](double x) { return -x; }, -10, 10,
     0},
    {"abs", OpKind::kAbs, make_abs_f32, [](double x) { return std::fabs(x); },
     -10, 10, 0},
    {"hard_sigmoid", OpKind::kHardSigmoid, make_hard_sigmoid_f32,  // 0.2, 0.5
     [](double x) { return std::clamp(0.2 * x + 0.5, 0.0, 1.0); }, -5, 5,
     1e-6},
};

std::vector<float> run_unary(const UnaryCase& op, const Shape& shape,
                             const std::vector<float>& x,
                             Attributes attrs = {}) {
  KernelRunner r(op.op, std::move(attrs));
  testing::add_operand(r, shape, x);
  r.add_output();
  const Status st = r.prepare(op.factory());
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  if (!st.is_ok()) return {};
  EXPECT_EQ(r.output_tensor(0).shape, shape);
  EXPECT_EQ(r.output_tensor(0).dtype, DType::kF32);
  r.run();
  if (x.empty()) return {};  // see add_operand
  return r.output<float>(0);
}

TEST(ElementwiseUnary, matches_naive_loops) {
  const Shape shapes[] = {{}, {7}, {2, 3, 4, 5}, {1, 9, 1, 13}, {0, 4}};
  uint32_t seed = 100;
  for (const UnaryCase& op : kOps) {
    for (const Shape& shape : shapes) {
      SCOPED_TRACE(std::string(op.name) + " " + shape_to_string(shape));
      const auto x =
          testing::random_floats(num_elements(shape), op.lo, op.hi, seed++);
      std::vector<double> want(x.size());
      for (size_t i = 0; i < x.size(); ++i) want[i] = op.ref(x[i]);
      testing::expect_all_close(run_unary(op, shape, x), want, 1e-7,
                                op.rel_tol);
    }
  }
}

TEST(ElementwiseUnary, leaky_relu_reads_alpha) {
  const std::vector<float> x = {-2, -0.5f, 0, 0.5f, 3};
  const UnaryCase& leaky = kOps[2];
  const std::vector<float> y =
      run_unary(leaky, {5}, x, LeakyReluAttrs{0.01f});
  EXPECT_EQ(y, (std::vector<float>{-0.02f, -0.005f, 0, 0.5f, 3}));
}

TEST(ElementwiseUnary, hard_sigmoid_reads_alpha_and_beta) {
  const UnaryCase& hsig = kOps[12];
  ASSERT_EQ(hsig.op, OpKind::kHardSigmoid);
  const std::vector<float> y =
      run_unary(hsig, {5}, {-4, -3, 0, 1.5f, 4}, HardSigmoidAttrs{0.25f, 0.75f});
  EXPECT_EQ(y, (std::vector<float>{0, 0, 0.75f, 1, 1}));
}

TEST(ElementwiseUnary, hard_swish_knees) {
  const UnaryCase& hs = kOps[3];
  const std::vector<float> y = run_unary(hs, {5}, {-4, -3, 0, 3, 4});
  EXPECT_EQ(y, (std::vector<float>{-0.0f, -0.0f, 0, 3, 4}));
}

// Large |x| must saturate cleanly, never NaN or inf.
const std::vector<float> kLargeInputs = {
    -FLT_MAX, -1e30f, -1e4f, -1000, -104, -100, -88.8f, -30, -0.0f, 0,
    30,       88.8f,  100,   104,   1000, 1e4f, 1e30f,  FLT_MAX};

TEST(ElementwiseUnary, logistic_large_inputs) {
  const std::vector<float> y = run_unary(kOps[4], {18}, kLargeInputs);
  std::vector<double> want;
  for (float x : kLargeInputs) want.push_back(naive_sigmoid(x));
  for (float v : y) {
    EXPECT_TRUE(std::isfinite(v));
    EXPECT_GE(v, 0.0f);
    EXPECT_LE(v, 1.0f);
  }
  testing::expect_all_close(y, want, 1e-7, 1e-6);
  EXPECT_EQ(y.front(), 0.0f);
  EXPECT_EQ(y.back(), 1.0f);
  // x = -30: e^-30 / (1 + e^-30) ~ 9.36e-14 keeps its relative precision.
  EXPECT_NEAR(y[7] / naive_sigmoid(-30.0), 1.0, 1e-6);
}

TEST(ElementwiseUnary, tanh_large_inputs) {
  const std::vector<float> y = run_unary(kOps[5], {18}, kLargeInputs);
  for (size_t i = 0; i < y.size(); ++i) {
    EXPECT_TRUE(std::isfinite(y[i]));
    EXPECT_NEAR(y[i], std::tanh(static_cast<double>(kLargeInputs[i])), 1e-7);
  }
}

TEST(ElementwiseUnary, rsqrt_and_log_at_zero) {
  EXPECT_EQ(run_unary(kOps[6], {1}, {0.0f})[0],
            std::numeric_limits<float>::infinity());
  EXPECT_EQ(run_unary(kOps[7], {1}, {0.0f})[0],
            -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(run_unary(kOps[7], {1}, {-1.0f})[0]));
}

TEST(ElementwiseUnary, rejects_wrong_dtype) {
  for (const UnaryCase& op : kOps) {
    SCOPED_TRACE(op.name);
    KernelRunner r(op.op);
    r.add_input({3}, std::vector<int8_t>{1, 2, 3});
    r.add_output();
    const Status st = r.prepare(op.factory());
    EXPECT_EQ(st.code(), ErrorCode::kTypeMismatch);
    EXPECT_NE(st.message().find("'test_node'"), std::string::npos)
        << st.message();
  }
}

TEST(ElementwiseUnary, rejects_two_inputs) {
  KernelRunner r(OpKind::kRelu);
  r.add_input({3}, std::vector<float>{1, 2, 3});
  r.add_input({3}, std::vector<float>{1, 2, 3});
  r.add_output();
  const Status st = r.prepare(make_relu_f32());
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos);
}

TEST(ElementwiseUnary, rejects_leaky_relu_with_foreign_attributes) {
  KernelRunner r(OpKind::kLeakyRelu, SoftmaxAttrs{});
  r.add_input({1}, std::vector<float>{1});
  r.add_output();
  const Status st = r.prepare(make_leaky_relu_f32());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidGraph);
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos);
}

}  // namespace
}  // namespace opscope::reference
