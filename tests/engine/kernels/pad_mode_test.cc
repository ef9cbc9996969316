// PAD's reflect, symmetric and edge modes against a naive loop that
// mirrors an out-of-range index step by step (numpy's definition: reflect
// about the edge element, symmetric about the edge itself, edge repeats
// it), over several dtypes, pads wider than the input and every rank.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::counting;
using testing::expect_rejected;
using testing::KernelRunner;

int64_t naive_source(PadMode mode, int64_t i, int64_t n) {
  if (mode == PadMode::kEdge) return i < 0 ? 0 : (i >= n ? n - 1 : i);
  if (n == 1) return 0;
  while (i < 0 || i >= n) {
    if (mode == PadMode::kReflect) {
      i = i < 0 ? -i : 2 * (n - 1) - i;
    } else {  // symmetric
      i = i < 0 ? -i - 1 : 2 * n - 1 - i;
    }
  }
  return i;
}

template <typename T>
std::vector<T> naive_pad(PadMode mode, const Shape& s, const std::vector<T>& x,
                         const std::vector<int64_t>& pads, Shape* out) {
  out->clear();
  for (size_t d = 0; d < s.size(); ++d) out->push_back(s[d] + pads[2 * d] + pads[2 * d + 1]);
  std::vector<T> y;
  for (int64_t i = 0; i < num_elements(*out); ++i) {
    auto idx = testing::unflatten(i, *out);
    for (size_t d = 0; d < s.size(); ++d) idx[d] = naive_source(mode, idx[d] - pads[2 * d], s[d]);
    y.push_back(x[testing::flatten(idx, s)]);
  }
  return y;
}

template <typename T>
void check(PadMode mode, const Shape& shape, const std::vector<int64_t>& pads,
           DType dtype = testing::dtype_of<T>()) {
  SCOPED_TRACE("mode " + std::to_string(static_cast<int>(mode)) + " " + shape_to_string(shape) +
               " pads " + shape_to_string(pads));
  const auto x = counting<T>(num_elements(shape), 1);
  KernelRunner r(OpKind::kPad, PadAttrs{mode});
  r.add_input(shape, x, dtype);
  r.add_constant({static_cast<int64_t>(shape.size()), 2}, pads);
  r.add_output(dtype);
  const Status st = r.prepare(make_pad());
  ASSERT_TRUE(st.is_ok()) << st.message();
  r.run();
  Shape want_shape;
  const auto want = naive_pad(mode, shape, x, pads, &want_shape);
  EXPECT_EQ(r.output_tensor(0).shape, want_shape);
  EXPECT_EQ(r.output<T>(0), want);
}

// The examples of ONNX's Pad documentation: pads [0, 2, 0, 0] of a 3x2.
TEST(PadMode, onnx_reflect_and_edge_examples) {
  const std::vector<float> x = {1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f};
  for (auto [mode, want] :
       {std::pair{PadMode::kReflect, std::vector<float>{1.0f, 1.2f, 1.0f, 1.2f, 2.3f, 3.4f, 2.3f,
                                                         3.4f, 4.5f, 5.7f, 4.5f, 5.7f}},
        std::pair{PadMode::kEdge, std::vector<float>{1.0f, 1.0f, 1.0f, 1.2f, 2.3f, 2.3f, 2.3f,
                                                      3.4f, 4.5f, 4.5f, 4.5f, 5.7f}}}) {
    KernelRunner r(OpKind::kPad, PadAttrs{mode});
    r.add_input({3, 2}, x);
    r.add_constant({2, 2}, std::vector<int64_t>{0, 0, 2, 0});
    r.add_output();
    ASSERT_TRUE(r.prepare(make_pad()).is_ok());
    r.run();
    EXPECT_EQ(r.output_tensor(0).shape, (Shape{3, 4}));
    EXPECT_EQ(r.output<float>(0), want);
  }
}

class PadModes : public ::testing::TestWithParam<PadMode> {};

TEST_P(PadModes, nhwc_f32) {
  check<float>(GetParam(), {1, 5, 7, 3}, {0, 0, 1, 2, 2, 1, 0, 0});
  check<float>(GetParam(), {2, 3, 4, 5}, {1, 1, 2, 2, 3, 3, 4, 4});
}

TEST_P(PadModes, pads_wider_than_the_input) {
  check<float>(GetParam(), {4}, {7, 9});
  check<float>(GetParam(), {1, 2, 3, 1}, {0, 0, 5, 4, 6, 7, 0, 0});
  check<float>(GetParam(), {3, 1}, {2, 2, 3, 1});  // a dim of 1
}

TEST_P(PadModes, other_dtypes_and_ranks) {
  check<int8_t>(GetParam(), {3, 4, 2}, {1, 2, 0, 3, 1, 1});
  check<int64_t>(GetParam(), {2, 3}, {1, 0, 2, 2});
  check<uint8_t>(GetParam(), {2, 1, 2, 2, 3}, {1, 1, 0, 1, 1, 0, 0, 2, 2, 0});
}

TEST_P(PadModes, no_padding_is_a_copy) {
  check<float>(GetParam(), {2, 3, 4}, {0, 0, 0, 0, 0, 0});
}

INSTANTIATE_TEST_SUITE_P(Modes, PadModes,
                         ::testing::Values(PadMode::kReflect, PadMode::kSymmetric,
                                           PadMode::kEdge));

TEST(PadMode, rejects_constant_value_in_mirror_mode) {
  KernelRunner r(OpKind::kPad, PadAttrs{PadMode::kReflect});
  r.add_input({2, 2}, std::vector<float>(4));
  r.add_constant({2, 2}, std::vector<int32_t>{1, 1, 1, 1});
  r.add_constant({}, std::vector<float>{1.0f});
  r.add_output();
  expect_rejected(r.prepare(make_pad()), ErrorCode::kInvalidGraph);
}

TEST(PadMode, rejects_padding_an_empty_dim_from_itself) {
  KernelRunner r(OpKind::kPad, PadAttrs{PadMode::kEdge});
  r.add_input({0, 2}, std::vector<float>{});
  r.add_constant({2, 2}, std::vector<int32_t>{1, 1, 0, 0});
  r.add_output();
  expect_rejected(r.prepare(make_pad()), ErrorCode::kShapeMismatch);
}

}  // namespace
}  // namespace opscope::reference
