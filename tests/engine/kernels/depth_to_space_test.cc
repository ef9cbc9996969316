// DEPTH_TO_SPACE against a naive DCR loop, block sizes 1..3, several dtypes.
#include <gtest/gtest.h>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::counting;
using testing::expect_rejected;
using testing::KernelRunner;

template <typename T>
void check(const Shape& s, int block, DType dtype) {
  SCOPED_TRACE(shape_to_string(s) + " block " + std::to_string(block));
  const auto x = counting<T>(num_elements(s));
  KernelRunner r(OpKind::kDepthToSpace, DepthToSpaceAttrs{block});
  r.add_input(s, x, dtype);
  r.add_output(dtype);
  ASSERT_TRUE(r.prepare(make_depth_to_space()).is_ok());
  r.run();
  const int64_t b = block, oc = s[3] / (b * b);
  const Shape out{s[0], s[1] * b, s[2] * b, oc};
  ASSERT_EQ(r.output_tensor(0).shape, out);
  std::vector<T> expected(x.size());
  for (int64_t n = 0; n < out[0]; ++n)
    for (int64_t y = 0; y < out[1]; ++y)
      for (int64_t xx = 0; xx < out[2]; ++xx)
        for (int64_t c = 0; c < oc; ++c) {
          const int64_t ic = ((y % b) * b + xx % b) * oc + c;
          expected[((n * out[1] + y) * out[2] + xx) * oc + c] =
              x[((n * s[1] + y / b) * s[2] + xx / b) * s[3] + ic];
        }
  EXPECT_EQ(r.output<T>(0), expected);
}

TEST(DepthToSpace, block_2) {
  check<float>({1, 1, 1, 4}, 2, DType::kF32);
  check<float>({2, 3, 5, 12}, 2, DType::kF32);
  check<int8_t>({1, 4, 3, 68}, 2, DType::kI8);  // 17 output channels
}

TEST(DepthToSpace, block_3_and_1) {
  check<int64_t>({1, 3, 2, 45}, 3, DType::kI64);  // 5 output channels
  check<uint16_t>({2, 2, 3, 27}, 3, DType::kF16);
  check<float>({1, 2, 3, 5}, 1, DType::kF32);
}

TEST(DepthToSpace, keeps_quantization) {
  Quantization q;
  q.scales = {0.02f};
  q.zero_points = {-7};
  KernelRunner r(OpKind::kDepthToSpace, DepthToSpaceAttrs{2});
  r.add_input({1, 1, 1, 4}, counting<int8_t>(4), DType::kI8, q);
  r.add_output(DType::kI8);
  ASSERT_TRUE(r.prepare(make_depth_to_space()).is_ok());
  EXPECT_EQ(r.output_tensor(0).quantization.scales, q.scales);
}

TEST(DepthToSpace, rejects_depth_not_divisible) {
  KernelRunner r(OpKind::kDepthToSpace, DepthToSpaceAttrs{2});
  r.add_input({1, 2, 2, 6}, std::vector<float>(24));
  r.add_output();
  expect_rejected(r.prepare(make_depth_to_space()),
                  ErrorCode::kShapeMismatch);
}

TEST(DepthToSpace, rejects_block_size_0) {
  KernelRunner r(OpKind::kDepthToSpace, DepthToSpaceAttrs{0});
  r.add_input({1, 2, 2, 4}, std::vector<float>(16));
  r.add_output();
  expect_rejected(r.prepare(make_depth_to_space()),
                  ErrorCode::kInvalidArgument);
}

TEST(DepthToSpace, rejects_rank_3) {
  KernelRunner r(OpKind::kDepthToSpace, DepthToSpaceAttrs{2});
  r.add_input({2, 2, 4}, std::vector<float>(16));
  r.add_output();
  expect_rejected(r.prepare(make_depth_to_space()),
                  ErrorCode::kShapeMismatch);
}

}  // namespace
}  // namespace opscope::reference
