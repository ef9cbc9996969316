// PRELU against a naive double loop, alpha of many broadcast shapes,
// constant or computed; rejections.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/elementwise_test_util.h"

namespace opscope::reference {
namespace {

using testing::KernelRunner;

struct PreluShapes {
  Shape x, alpha;
};

const PreluShapes kCases[] = {
    {{1, 4, 5, 3}, {1, 1, 3}},   // TFLite's usual [1,1,C]
    {{1, 4, 5, 3}, {3}},         // [C]
    {{2, 6, 7, 19}, {19}},       // C longer than the 8-wide blocks
    {{1, 4, 5, 3}, {4, 5, 3}},   // full [H,W,C]
    {{1, 4, 5, 3}, {1, 1, 1, 1}},  // one shared alpha
    {{2, 3, 9}, {}},             // scalar alpha
    {{2, 4, 5, 3}, {4, 1, 1}},   // per-row alpha (broadcast inner dims)
    {{7}, {7}},
};

TEST(Prelu, matches_naive_loop) {
  uint32_t seed = 300;
  for (const PreluShapes& c : kCases) {
    for (bool constant_alpha : {true, false}) {
      SCOPED_TRACE(shape_to_string(c.x) + " alpha " +
                   shape_to_string(c.alpha) +
                   (constant_alpha ? " constant" : " runtime"));
      const auto x = testing::random_floats(num_elements(c.x), -5, 5, seed++);
      const auto alpha =
          testing::random_floats(num_elements(c.alpha), -1, 1, seed++);
      Shape out_shape;
      ASSERT_TRUE(testing::naive_broadcast_shape(c.x, c.alpha, &out_shape));
      std::vector<double> want(static_cast<size_t>(num_elements(out_shape)));
      for (int64_t i = 0; i < static_cast<int64_t>(want.size()); ++i) {
        const double v = x[testing::naive_source_index(c.x, out_shape, i)];
        const double a =
            alpha[testing::naive_source_index(c.alpha, out_shape, i)];
        want[i] = v >= 0 ? v : a * v;
      }

      KernelRunner r(OpKind::kPRelu);
      r.add_input(c.x, x);
      if (constant_alpha) {
        r.add_constant(c.alpha, alpha);
      } else {
        r.add_input(c.alpha, alpha);
      }
      r.add_output();
      const Status st = r.prepare(make_prelu_f32());
      ASSERT_TRUE(st.is_ok()) << st.to_string();
      EXPECT_EQ(r.output_tensor(0).shape, out_shape);
      EXPECT_EQ(r.output_tensor(0).dtype, DType::kF32);
      r.run();
      testing::expect_all_close(r.output<float>(0), want, 0, 1e-7);
    }
  }
}

TEST(Prelu, rejects_non_broadcastable_alpha) {
  KernelRunner r(OpKind::kPRelu);
  r.add_input({1, 2, 2, 3}, std::vector<float>(12));
  r.add_constant({4}, std::vector<float>(4));
  r.add_output();
  const Status st = r.prepare(make_prelu_f32());
  EXPECT_EQ(st.code(), ErrorCode::kShapeMismatch);
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("1x2x2x3"), std::string::npos) << st.message();
}

TEST(Prelu, rejects_wrong_dtype) {
  KernelRunner r(OpKind::kPRelu);
  r.add_input({3}, std::vector<float>(3));
  r.add_constant({3}, std::vector<uint8_t>(3));
  r.add_output();
  const Status st = r.prepare(make_prelu_f32());
  EXPECT_EQ(st.code(), ErrorCode::kTypeMismatch);
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos) << st.message();
}

TEST(Prelu, rejects_missing_alpha) {
  KernelRunner r(OpKind::kPRelu);
  r.add_input({3}, std::vector<float>(3));
  r.add_output();
  const Status st = r.prepare(make_prelu_f32());
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos);
}

}  // namespace
}  // namespace opscope::reference
