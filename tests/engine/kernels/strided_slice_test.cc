// STRIDED_SLICE: known answers from TF's and TFLite's documented examples,
// then seeded random specs (every mask, offset, negative indices and
// strides, clamping) against a naive reference that enumerates the selected
// indices of each dim the way numpy slicing does.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>

#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::counting;
using testing::expect_rejected;
using testing::KernelRunner;

struct Spec {
  std::vector<int32_t> begin, end, strides;
  StridedSliceAttrs attrs;
};

struct Sliced {
  Shape shape;
  std::vector<int32_t> values;
};

// The reference; nullopt where the kernel must reject the spec.
std::optional<Sliced> naive_slice(const Shape& shape,
                                  const std::vector<int32_t>& x,
                                  const Spec& spec) {
  const int n = static_cast<int>(spec.begin.size());
  const int rank = static_cast<int>(shape.size());
  const StridedSliceAttrs& a = spec.attrs;
  auto bit = [](int mask, int i) { return ((mask >> i) & 1) != 0; };
  int ellipses = 0, explicit_dims = 0;
  for (int i = 0; i < n; ++i) {
    if (bit(a.ellipsis_mask, i)) ++ellipses;
    else if (!bit(a.new_axis_mask, i)) ++explicit_dims;
  }
  if (ellipses > 1 || explicit_dims > rank) return std::nullopt;

  Sliced out;
  std::vector<std::vector<int64_t>> picks;  // selected indices per input dim
  auto full = [&](int d) {
    std::vector<int64_t> all;
    for (int64_t k = 0; k < shape[d]; ++k) all.push_back(k);
    picks.push_back(all);
    out.shape.push_back(shape[d]);
  };
  int d = 0;
  for (int i = 0; i < n; ++i) {
    if (bit(a.ellipsis_mask, i)) {
      for (int k = 0; k < rank - explicit_dims; ++k) full(d++);
      continue;
    }
    if (bit(a.new_axis_mask, i)) {
      out.shape.push_back(1);
      continue;
    }
    const int64_t size = shape[d];
    const int64_t s = spec.strides[i];
    if (bit(a.shrink_axis_mask, i)) {
      int64_t k = bit(a.begin_mask, i) ? 0 : spec.begin[i];
      if (k < 0) k += size;
      if (s < 0 || k < 0 || k >= size) return std::nullopt;
      picks.push_back({k});
      ++d;
      continue;
    }
    auto clamp = [&](int64_t v) {
      return s > 0 ? std::clamp<int64_t>(v, 0, size)
                   : std::clamp<int64_t>(v, -1, size - 1);
    };
    int64_t start = spec.begin[i];
    start = clamp(start < 0 ? start + size : start);
    if (bit(a.begin_mask, i)) start = s > 0 ? 0 : size - 1;
    int64_t stop = a.offset ? start + spec.end[i] : spec.end[i];
    stop = clamp(stop < 0 ? stop + size : stop);
    if (bit(a.end_mask, i)) stop = s > 0 ? size : -1;
    std::vector<int64_t> pick;
    for (int64_t k = start; s > 0 ? k < stop : k > stop; k += s) {
      pick.push_back(k);
    }
    out.shape.push_back(static_cast<int64_t>(pick.size()));
    picks.push_back(pick);
    ++d;
  }
  while (d < rank) full(d++);

  // Every combination of the picks, first dim slowest.
  const Shape pick_shape = [&] {
    Shape s;
    for (const auto& p : picks) s.push_back(static_cast<int64_t>(p.size()));
    return s;
  }();
  for (int64_t i = 0; i < num_elements(pick_shape); ++i) {
    const auto idx = testing::unflatten(i, pick_shape);
    std::vector<int64_t> in_idx(rank);
    for (int k = 0; k < rank; ++k) in_idx[k] = picks[k][idx[k]];
    out.values.push_back(x[testing::flatten(in_idx, shape)]);
  }
  return out;
}

Status run_slice(const Shape& shape, const std::vector<int32_t>& x,
                 const Spec& spec, Sliced* got) {
  KernelRunner r(OpKind::kStridedSlice, spec.attrs);
  const Shape n{static_cast<int64_t>(spec.begin.size())};
  // Empty tensors avoid KernelRunner's memcpy from/to a null pointer (UBSan):
  // an empty input goes in as a constant, an empty output is not read.
  if (x.empty()) r.add_constant(shape, x);
  else r.add_input(shape, x);
  r.add_constant(n, spec.begin);
  r.add_constant(n, spec.end);
  r.add_constant(n, spec.strides);
  r.add_output(DType::kI32);
  Status st = r.prepare(make_strided_slice());
  if (!st.is_ok()) return st;
  r.run();
  got->shape = r.output_tensor(0).shape;
  got->values.clear();
  if (num_elements(got->shape) > 0) got->values = r.output<int32_t>(0);
  return st;
}

void expect_slice(const Shape& shape, const Spec& spec,
                  const Shape& want_shape, std::vector<int32_t> want,
                  int32_t first = 1) {
  Sliced got;
  ASSERT_TRUE(
      run_slice(shape, counting<int32_t>(num_elements(shape), first), spec,
                &got)
          .is_ok());
  EXPECT_EQ(got.shape, want_shape);
  EXPECT_EQ(got.values, want);
}

StridedSliceAttrs masks(int begin, int end, int ellipsis, int new_axis,
                        int shrink, bool offset = false) {
  StridedSliceAttrs a;
  a.begin_mask = begin;
  a.end_mask = end;
  a.ellipsis_mask = ellipsis;
  a.new_axis_mask = new_axis;
  a.shrink_axis_mask = shrink;
  a.offset = offset;
  return a;
}

TEST(StridedSlice, negative_begin) {
  expect_slice({4}, {{-3}, {3}, {1}, {}}, {2}, {2, 3});
}

TEST(StridedSlice, reverse_with_masks) {
  expect_slice({4}, {{0}, {0}, {-1}, masks(1, 1, 0, 0, 0)}, {4},
               {4, 3, 2, 1});
}

TEST(StridedSlice, negative_stride_2d) {
  expect_slice({2, 3}, {{1, -1}, {2, -4}, {2, -1}, {}}, {1, 3}, {6, 5, 4});
}

TEST(StridedSlice, shrink_axis) {
  expect_slice({2, 3}, {{1, 0}, {2, 3}, {1, 1}, masks(0, 0, 0, 0, 1)}, {3},
               {4, 5, 6});
  // foo[-1]: the end value does not matter.
  expect_slice({4}, {{-1}, {0}, {1}, masks(0, 0, 0, 0, 1)}, {}, {4});
}

TEST(StridedSlice, ellipsis) {
  // x[..., 1] on 2x3x4 counting from 0.
  expect_slice({2, 3, 4}, {{0, 1}, {0, 2}, {1, 1}, masks(0, 0, 1, 0, 2)},
               {2, 3}, {1, 5, 9, 13, 17, 21}, 0);
  // x[..., 1, 1:3] on 2x3: the ellipsis stands for no dim.
  expect_slice({2, 3}, {{0, 1, 1}, {0, 2, 3}, {1, 1, 1}, masks(0, 0, 1, 0, 2)},
               {2}, {4, 5}, 0);
  // x[1:, ...]: ellipsis last.
  expect_slice({3, 2}, {{1, 0}, {3, 0}, {1, 1}, masks(0, 0, 2, 0, 0)}, {2, 2},
               {2, 3, 4, 5}, 0);
}

TEST(StridedSlice, new_axis) {
  // x[None, :, 1:] on 2x3.
  expect_slice({2, 3}, {{0, 0, 1}, {0, 0, 3}, {1, 1, 1}, masks(2, 2, 0, 1, 0)},
               {1, 2, 2}, {1, 2, 4, 5}, 0);
  // x[..., None]: new axis after an ellipsis.
  expect_slice({2, 3}, {{0, 0}, {0, 0}, {1, 1}, masks(0, 0, 1, 2, 0)},
               {2, 3, 1}, {0, 1, 2, 3, 4, 5}, 0);
}

TEST(StridedSlice, offset) {
  expect_slice({5}, {{1}, {2}, {1}, masks(0, 0, 0, 0, 0, true)}, {2}, {1, 2},
               0);
}

TEST(StridedSlice, clamping_and_fewer_entries_than_dims) {
  expect_slice({4}, {{-10}, {10}, {1}, {}}, {4}, {1, 2, 3, 4});
  expect_slice({4}, {{10}, {-10}, {-1}, {}}, {4}, {4, 3, 2, 1});
  expect_slice({2, 3, 2}, {{1}, {2}, {1}, {}}, {1, 3, 2}, {6, 7, 8, 9, 10, 11},
               0);
  expect_slice({3}, {{2}, {1}, {1}, {}}, {0}, {});  // empty interval
}

TEST(StridedSlice, nhwc_crop_with_stride_on_wide_dtype) {
  const Shape shape{1, 5, 7, 3};
  const auto x = counting<int64_t>(num_elements(shape));
  KernelRunner r(OpKind::kStridedSlice, StridedSliceAttrs{});
  r.add_input(shape, x);
  r.add_constant({4}, std::vector<int32_t>{0, 1, -1, 0});
  r.add_constant({4}, std::vector<int32_t>{1, 5, 0, 3});
  r.add_constant({4}, std::vector<int32_t>{1, 2, -3, 2});
  r.add_output(DType::kI64);
  ASSERT_TRUE(r.prepare(make_strided_slice()).is_ok());
  r.run();
  ASSERT_EQ(r.output_tensor(0).shape, (Shape{1, 2, 2, 2}));
  // h in {1, 3}, w in {6, 3}, c in {0, 2}.
  std::vector<int64_t> want;
  for (int h : {1, 3})
    for (int w : {6, 3})
      for (int c : {0, 2}) want.push_back((h * 7 + w) * 3 + c);
  EXPECT_EQ(r.output<int64_t>(0), want);
}

TEST(StridedSlice, random_specs_match_reference) {
  std::mt19937 rng(2024);
  auto uniform = [&rng](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  int checked = 0, rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const int rank = uniform(0, 4);
    Shape shape(rank);
    for (int64_t& d : shape) d = uniform(0, 9) == 0 ? 0 : uniform(1, 5);
    const int n = uniform(0, rank + 2);
    Spec spec;
    for (int i = 0; i < n; ++i) {
      spec.begin.push_back(uniform(-7, 7));
      spec.end.push_back(uniform(-7, 7));
      const int s = uniform(1, 3);
      spec.strides.push_back(uniform(0, 1) ? s : -s);
    }
    const int bits = (1 << n) - 1;
    StridedSliceAttrs& a = spec.attrs;
    a.begin_mask = uniform(0, 1) ? static_cast<int>(rng()) & bits : 0;
    a.end_mask = uniform(0, 1) ? static_cast<int>(rng()) & bits : 0;
    a.shrink_axis_mask = uniform(0, 2) == 0 ? static_cast<int>(rng()) & bits : 0;
    a.new_axis_mask = uniform(0, 3) == 0 ? static_cast<int>(rng()) & bits : 0;
    if (n > 0 && uniform(0, 3) == 0) a.ellipsis_mask = 1 << uniform(0, n - 1);
    if (n > 1 && uniform(0, 30) == 0) a.ellipsis_mask |= 1 << uniform(0, n - 1);
    a.offset = uniform(0, 9) == 0;

    SCOPED_TRACE("trial " + std::to_string(trial) + " shape " +
                 shape_to_string(shape));
    const auto x = counting<int32_t>(num_elements(shape));
    const auto want = naive_slice(shape, x, spec);
    Sliced got;
    const Status st = run_slice(shape, x, spec, &got);
    if (!want) {
      expect_rejected(st, ErrorCode::kInvalidArgument);
      ++rejected;
      continue;
    }
    ASSERT_TRUE(st.is_ok()) << st.message();
    ASSERT_EQ(got.shape, want->shape);
    ASSERT_EQ(got.values, want->values);
    ++checked;
  }
  // The generator must exercise both outcomes.
  EXPECT_GT(checked, 1500);
  EXPECT_GT(rejected, 50);
}

Status prepare_spec(const Shape& shape, const Spec& spec,
                    bool constant = true) {
  KernelRunner r(OpKind::kStridedSlice, spec.attrs);
  const Shape n{static_cast<int64_t>(spec.begin.size())};
  r.add_input(shape, std::vector<float>(num_elements(shape)));
  if (constant) r.add_constant(n, spec.begin);
  else r.add_input(n, spec.begin);
  r.add_constant(n, spec.end);
  r.add_constant(n, spec.strides);
  r.add_output();
  return r.prepare(make_strided_slice());
}

TEST(StridedSlice, rejects_zero_stride) {
  expect_rejected(prepare_spec({4}, {{0}, {4}, {0}, {}}),
                  ErrorCode::kInvalidArgument);
}

TEST(StridedSlice, rejects_two_ellipses) {
  expect_rejected(
      prepare_spec({4, 4}, {{0, 0}, {1, 1}, {1, 1}, masks(0, 0, 3, 0, 0)}),
      ErrorCode::kInvalidArgument);
}

TEST(StridedSlice, rejects_more_entries_than_dims) {
  expect_rejected(prepare_spec({4}, {{0, 0}, {1, 1}, {1, 1}, {}}),
                  ErrorCode::kInvalidArgument);
}

TEST(StridedSlice, rejects_shrink_out_of_range) {
  expect_rejected(prepare_spec({4}, {{4}, {5}, {1}, masks(0, 0, 0, 0, 1)}),
                  ErrorCode::kInvalidArgument);
}

TEST(StridedSlice, rejects_shrink_with_negative_stride) {
  expect_rejected(prepare_spec({4}, {{1}, {0}, {-1}, masks(0, 0, 0, 0, 1)}),
                  ErrorCode::kInvalidArgument);
}

TEST(StridedSlice, rejects_mismatched_lengths) {
  KernelRunner r(OpKind::kStridedSlice, StridedSliceAttrs{});
  r.add_input({4, 4}, std::vector<float>(16));
  r.add_constant({2}, std::vector<int32_t>{0, 0});
  r.add_constant({1}, std::vector<int32_t>{1});
  r.add_constant({2}, std::vector<int32_t>{1, 1});
  r.add_output();
  expect_rejected(r.prepare(make_strided_slice()), ErrorCode::kShapeMismatch);
}

TEST(StridedSlice, rejects_non_constant_begin) {
  expect_rejected(prepare_spec({4}, {{0}, {4}, {1}, {}}, false),
                  ErrorCode::kUnsupportedOp);
}

TEST(StridedSlice, rejects_three_inputs) {
  KernelRunner r(OpKind::kStridedSlice, StridedSliceAttrs{});
  r.add_input({4}, std::vector<float>(4));
  r.add_constant({1}, std::vector<int32_t>{0});
  r.add_constant({1}, std::vector<int32_t>{1});
  r.add_output();
  expect_rejected(r.prepare(make_strided_slice()), ErrorCode::kInvalidGraph);
}

}  // namespace
}  // namespace opscope::reference
