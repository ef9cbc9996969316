// FULLY_CONNECTED f32 against a naive loop in double.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/linear_test_util.h"

namespace opscope::reference {
namespace {

using testing::add_bias_or_absent;
using testing::add_input_or_constant;
using testing::expect_kernel_output;
using testing::expect_rejected;
using testing::KernelRunner;
using testing::prepare_on_zeros;
using testing::random_floats;
using testing::reference_activation;

struct FcCase {
  Shape input = {2, 7};
  int64_t out = 5;
  FullyConnectedAttrs attrs;
  bool bias = true;
  bool constant_weights = true;
};

FcCase fc(Shape input, int64_t out) {
  FcCase t;
  t.input = std::move(input);
  t.out = out;
  return t;
}

void check(const FcCase& t, const Shape& want_shape) {
  SCOPED_TRACE(::testing::Message()
               << "input " << shape_to_string(t.input) << " out " << t.out
               << " act " << static_cast<int>(t.attrs.activation));
  const int64_t in_size = t.input.back();
  const int64_t batch = num_elements(t.input) / in_size;
  const auto in = random_floats(num_elements(t.input), 41);
  const auto weights = random_floats(t.out * in_size, 42);
  const auto bias = random_floats(t.out, 43);
  std::vector<double> want;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t o = 0; o < t.out; ++o) {
      double acc = t.bias ? bias[o] : 0.0;
      for (int64_t i = 0; i < in_size; ++i) {
        acc += static_cast<double>(in[b * in_size + i]) *
               weights[o * in_size + i];
      }
      want.push_back(reference_activation(acc, t.attrs.activation));
    }

  KernelRunner r(OpKind::kFullyConnected, t.attrs);
  r.add_input(t.input, in);
  add_input_or_constant(r, {t.out, in_size}, weights, t.constant_weights);
  add_bias_or_absent(r, bias, t.bias);
  r.add_output();
  expect_kernel_output(r, make_fully_connected_f32(), want_shape, want);
}

TEST(FullyConnected, batch_2) { check(FcCase{}, {2, 5}); }

TEST(FullyConnected, batch_1_wide) {
  check(fc({1, 300}, 1000), {1, 1000});
}

TEST(FullyConnected, flattens_leading_dims) {
  check(fc({2, 3, 4, 5}, 6), {24, 6});
}

TEST(FullyConnected, keep_num_dims) {
  FcCase t = fc({2, 3, 4, 5}, 6);
  t.attrs.keep_num_dims = true;
  check(t, {2, 3, 4, 6});
  t.input = {17};
  check(t, {6});
}

TEST(FullyConnected, sizes_not_multiple_of_8) {
  for (int64_t i : {1, 3, 5, 17}) {
    for (int64_t o : {1, 3, 5, 17}) check(fc({3, i}, o), {3, o});
  }
}

TEST(FullyConnected, every_activation) {
  for (Activation act : testing::kAllActivations) {
    FcCase t = fc({4, 9}, 11);
    t.attrs.activation = act;
    check(t, {4, 11});
  }
}

TEST(FullyConnected, absent_bias) {
  FcCase t = fc({3, 10}, 7);
  t.bias = false;
  check(t, {3, 7});
}

TEST(FullyConnected, runtime_weights) {
  FcCase t = fc({5, 12}, 9);
  t.constant_weights = false;
  check(t, {5, 9});
  t.attrs.activation = Activation::kRelu6;
  t.bias = false;
  check(t, {5, 9});
}

TEST(FullyConnected, long_input_crosses_k_blocks) {
  check(fc({3, 700}, 20), {3, 20});
}

// ---- rejects ----

Status prepare_fc(Shape in, Shape weights, DType dtype = DType::kF32,
                  bool keep_num_dims = false) {
  FullyConnectedAttrs attrs;
  attrs.keep_num_dims = keep_num_dims;
  return prepare_on_zeros(OpKind::kFullyConnected, attrs,
                          make_fully_connected_f32(), in, weights, dtype);
}

TEST(FullyConnected, rejects_input_size_mismatch) {
  const Status st = prepare_fc({2, 5}, {3, 4});
  expect_rejected(st, ErrorCode::kShapeMismatch);
  EXPECT_NE(st.message().find("2x5"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("3x4"), std::string::npos) << st.message();
}

TEST(FullyConnected, rejects_keep_num_dims_with_wrong_last_dim) {
  // 2x6 flattens to 3 rows of 4, but keep_num_dims needs [..., 4].
  expect_rejected(prepare_fc({2, 6}, {3, 4}, DType::kF32, true),
                  ErrorCode::kShapeMismatch);
}

TEST(FullyConnected, rejects_wrong_dtype) {
  expect_rejected(prepare_fc({2, 4}, {3, 4}, DType::kI32),
                  ErrorCode::kTypeMismatch);
}

TEST(FullyConnected, rejects_wrong_rank) {
  expect_rejected(prepare_fc({2, 4}, {3, 4, 1}), ErrorCode::kShapeMismatch);
}

TEST(FullyConnected, rejects_bias_of_wrong_size) {
  KernelRunner r(OpKind::kFullyConnected, FullyConnectedAttrs{});
  r.add_input({2, 4}, std::vector<float>(8));
  r.add_constant({3, 4}, std::vector<float>(12));
  r.add_constant({4}, std::vector<float>(4));
  r.add_output();
  expect_rejected(r.prepare(make_fully_connected_f32()),
                  ErrorCode::kShapeMismatch);
}

}  // namespace
}  // namespace opscope::reference
