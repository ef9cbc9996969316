// GATHER_ELEMENTS and GATHER_ND against naive loops written from the ONNX
// definitions, one output element at a time: every axis (and a negative
// one), indices smaller than data off the axis, batch_dims 0, 1 and 2,
// tuples addressing 1 to all of data's dims, negative indices, i32 and i64
// indices, constant and runtime indices, several data dtypes (i8 keeps its
// quantization). Then the rejections, and the out-of-range index: a
// prepare error when the indices are constant, an invoke error naming the
// node and the index when they come at run time (never a wild read).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
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

// out[p] = data[p with p[axis] = idx[p]]; output shape = indices shape.
template <typename T, typename I>
std::vector<T> naive_gather_elements(const Shape& ds, const std::vector<T>& data,
                                     const Shape& is, const std::vector<I>& idx,
                                     int axis) {
  std::vector<T> y(idx.size());
  for (size_t k = 0; k < idx.size(); ++k) {
    std::vector<int64_t> p = unflatten(static_cast<int64_t>(k), is);
    p[axis] = idx[k] < 0 ? idx[k] + ds[axis] : idx[k];
    y[k] = data[flatten(p, ds)];
  }
  return y;
}

// out[o] = data[o[:b], idx[o[:q-1], 0..m-1], o[q-1:]] with
// out shape indices.shape[:-1] + data.shape[b+m:].
template <typename T, typename I>
std::vector<T> naive_gather_nd(const Shape& ds, const std::vector<T>& data,
                               const Shape& is, const std::vector<I>& idx, int b,
                               Shape* out) {
  const size_t q = is.size();
  const int64_t m = is.back();
  out->assign(is.begin(), is.end() - 1);
  out->insert(out->end(), ds.begin() + b + m, ds.end());
  std::vector<T> y(num_elements(*out));
  for (int64_t i = 0; i < static_cast<int64_t>(y.size()); ++i) {
    const std::vector<int64_t> o = unflatten(i, *out);
    std::vector<int64_t> at(o.begin(), o.begin() + (q - 1));
    at.push_back(0);
    std::vector<int64_t> d(o.begin(), o.begin() + b);
    for (int64_t j = 0; j < m; ++j) {
      at.back() = j;
      const int64_t v = idx[flatten(at, is)];
      d.push_back(v < 0 ? v + ds[b + j] : v);
    }
    d.insert(d.end(), o.begin() + (q - 1), o.end());
    y[i] = data[flatten(d, ds)];
  }
  return y;
}

struct Case {
  bool constant_indices = false;
  DType dtype;
  Quantization q;
};

template <typename T>
Case runtime_indices(DType dtype = testing::dtype_of<T>(), Quantization q = {}) {
  return Case{false, dtype, std::move(q)};
}
template <typename T>
Case constant_indices(DType dtype = testing::dtype_of<T>(), Quantization q = {}) {
  return Case{true, dtype, std::move(q)};
}

template <typename T, typename I>
void check_elements(const Shape& ds, const Shape& is, const std::vector<I>& idx, int axis,
                    const Case& c = runtime_indices<T>()) {
  SCOPED_TRACE("data " + shape_to_string(ds) + " indices " + shape_to_string(is) +
               " axis " + std::to_string(axis) +
               (c.constant_indices ? " constant" : " runtime"));
  const std::vector<T> data = counting<T>(num_elements(ds), 5);
  KernelRunner r(OpKind::kGatherElements, GatherElementsAttrs{axis});
  r.add_input(ds, data, c.dtype, c.q);
  if (c.constant_indices) r.add_constant(is, idx);
  else r.add_input(is, idx);
  r.add_output(c.dtype);
  const Status st = r.prepare(make_gather_elements());
  ASSERT_TRUE(st.is_ok()) << st.message();
  r.run();
  ASSERT_TRUE(r.run_failure().is_ok()) << r.run_failure().message();
  const int a = axis < 0 ? axis + static_cast<int>(ds.size()) : axis;
  EXPECT_EQ(r.output_tensor(0).shape, is);
  EXPECT_EQ(r.output_tensor(0).dtype, c.dtype);
  EXPECT_EQ(r.output_tensor(0).quantization.scales, c.q.scales);
  EXPECT_EQ(r.output<T>(0), naive_gather_elements(ds, data, is, idx, a));
}

template <typename T, typename I>
void check_nd(const Shape& ds, const Shape& is, const std::vector<I>& idx, int b,
              const Case& c = runtime_indices<T>()) {
  SCOPED_TRACE("data " + shape_to_string(ds) + " indices " + shape_to_string(is) +
               " batch_dims " + std::to_string(b) +
               (c.constant_indices ? " constant" : " runtime"));
  const std::vector<T> data = counting<T>(num_elements(ds), 5);
  KernelRunner r(OpKind::kGatherNd, GatherNdAttrs{b});
  r.add_input(ds, data, c.dtype, c.q);
  if (c.constant_indices) r.add_constant(is, idx);
  else r.add_input(is, idx);
  r.add_output(c.dtype);
  const Status st = r.prepare(make_gather_nd());
  ASSERT_TRUE(st.is_ok()) << st.message();
  r.run();
  ASSERT_TRUE(r.run_failure().is_ok()) << r.run_failure().message();
  Shape want_shape;
  const std::vector<T> want = naive_gather_nd(ds, data, is, idx, b, &want_shape);
  EXPECT_EQ(r.output_tensor(0).shape, want_shape);
  EXPECT_EQ(r.output_tensor(0).dtype, c.dtype);
  EXPECT_EQ(r.output_tensor(0).quantization.scales, c.q.scales);
  EXPECT_EQ(r.output<T>(0), want);
}

// A seeded spread of indices in [-n, n) for an index tensor of `count`
// elements, so negative ones come up too.
template <typename I>
std::vector<I> spread(int64_t count, int64_t n, int64_t seed) {
  std::vector<I> v(count);
  for (int64_t k = 0; k < count; ++k) {
    v[k] = static_cast<I>((k * 7 + seed * 3) % (2 * n) - n);
  }
  return v;
}

// ---------------------------------------------------------------- elements

TEST(GatherElements, OnnxExamples) {
  // GatherElements' spec examples: axis 1 on [2, 2], axis 0 on [3, 3].
  check_elements<float, int64_t>({2, 2}, {2, 2}, {0, 0, 1, 0}, 1);
  check_elements<float, int64_t>({3, 3}, {2, 3}, {1, 2, 0, 2, 0, 0}, 0);
  check_elements<float, int64_t>({3, 3}, {2, 3}, {-1, -2, 0, -2, 0, 0}, 0);
}

TEST(GatherElements, EveryAxisOfA3DTensorIncludingNegativeIndices) {
  const Shape ds = {3, 4, 5};
  for (int axis : {0, 1, 2, -1, -3}) {
    const int a = axis < 0 ? axis + 3 : axis;
    Shape is = ds;
    is[a] = 6;  // the axis may be longer or shorter than data's
    const auto idx = spread<int64_t>(num_elements(is), ds[a], a);
    check_elements<float, int64_t>(ds, is, idx, axis);
    check_elements<float, int32_t>(ds, is, spread<int32_t>(num_elements(is), ds[a], a + 1),
                                   axis, constant_indices<float>());
  }
}

TEST(GatherElements, IndicesSmallerThanDataOffTheAxis) {
  check_elements<float, int64_t>({3, 4, 5}, {2, 1, 3}, spread<int64_t>(6, 4, 2), 1);
  check_elements<float, int64_t>({3, 4, 5}, {1, 4, 2}, spread<int64_t>(8, 5, 1), 2);
  check_elements<float, int64_t>({6}, {2}, {-6, 5}, 0);
}

TEST(GatherElements, CopiesEveryDtypeAndKeepsQuantization) {
  check_elements<int8_t, int64_t>({2, 3}, {2, 2}, {2, -1, 0, 1}, 1,
                                  runtime_indices<int8_t>(DType::kI8,
                                                          testing::per_tensor(0.25f, 3)));
  check_elements<uint8_t, int32_t>({2, 3}, {2, 2}, {2, -1, 0, 1}, 1);
  check_elements<int32_t, int64_t>({2, 3}, {3, 3}, spread<int64_t>(9, 2, 0), 0);
  check_elements<int64_t, int32_t>({2, 3}, {3, 3}, spread<int32_t>(9, 2, 1), 0);
}

TEST(GatherElements, EmptyIndicesGiveAnEmptyOutput) {
  check_elements<float, int64_t>({3, 2}, {0, 2}, std::vector<int64_t>{}, 0);
}

TEST(GatherElements, RuntimeIndexOutOfRangeFailsTheRunNamingNodeAndIndex) {
  for (int64_t bad : {int64_t{3}, int64_t{-4}, int64_t{1} << 40}) {
    KernelRunner r(OpKind::kGatherElements, GatherElementsAttrs{1});
    r.add_input({2, 3}, counting<float>(6, 1));
    r.add_input({2, 2}, std::vector<int64_t>{0, 1, bad, 2});
    r.add_output();
    ASSERT_TRUE(r.prepare(make_gather_elements()).is_ok());
    r.run();
    const Status& st = r.run_failure();
    ASSERT_FALSE(st.is_ok()) << "index " << bad;
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(st.message().find("'test_node' (GATHER_ELEMENTS)"), std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find("index " + std::to_string(bad) + " (element 2"),
              std::string::npos) << st.message();
    EXPECT_NE(st.message().find("axis 1 of size 3"), std::string::npos) << st.message();
    EXPECT_EQ(r.output<float>(0), std::vector<float>(4, 0.0f));
  }
}

TEST(GatherElements, RejectsConstantIndexOutOfRangeAtPrepare) {
  KernelRunner r(OpKind::kGatherElements, GatherElementsAttrs{0});
  r.add_input({2, 2}, counting<float>(4));
  r.add_constant({1, 2}, std::vector<int32_t>{1, -3});
  r.add_output();
  const Status st = r.prepare(make_gather_elements());
  expect_rejected(st, ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("index -3 (element 1"), std::string::npos) << st.message();
}

TEST(GatherElements, RejectsBadIndicesShapesAndAxes) {
  const auto rejected = [](const Shape& ds, const Shape& is, int axis, ErrorCode code,
                           bool float_indices = false) {
    SCOPED_TRACE("data " + shape_to_string(ds) + " indices " + shape_to_string(is));
    KernelRunner r(OpKind::kGatherElements, GatherElementsAttrs{axis});
    r.add_input(ds, counting<float>(num_elements(ds)));
    if (float_indices) r.add_input(is, std::vector<float>(num_elements(is), 0));
    else r.add_input(is, std::vector<int64_t>(num_elements(is), 0));
    r.add_output();
    expect_rejected(r.prepare(make_gather_elements()), code);
  };
  rejected({3, 2}, {3, 2}, 0, ErrorCode::kTypeMismatch, true);
  rejected({3, 2}, {6}, 0, ErrorCode::kShapeMismatch);        // rank differs
  rejected({3, 2}, {1, 3}, 0, ErrorCode::kShapeMismatch);     // dim 1 exceeds data's
  rejected({}, {}, 0, ErrorCode::kShapeMismatch);             // scalars
  rejected({3, 2}, {3, 2}, 2, ErrorCode::kInvalidArgument);   // axis outside the rank
  rejected({3, 2}, {3, 2}, -3, ErrorCode::kInvalidArgument);
}

// ---------------------------------------------------------------------- nd

TEST(GatherNd, OnnxExamples) {
  // GatherND's spec examples 1 to 5 (example 5 with batch_dims 1).
  check_nd<int32_t, int64_t>({2, 2}, {2, 2}, {0, 0, 1, 1}, 0);
  check_nd<int32_t, int64_t>({2, 2}, {2, 1}, {1, 0}, 0);
  check_nd<int32_t, int64_t>({2, 2, 2}, {2, 2}, {0, 1, 1, 0}, 0);
  check_nd<float, int64_t>({2, 2, 2}, {2, 1, 2}, {0, 1, 1, 0}, 0);
  check_nd<int32_t, int64_t>({2, 2, 2}, {2, 1}, {1, 0}, 1);
}

TEST(GatherNd, AddressOneToAllDimsWithNegativeIndices) {
  const Shape ds = {3, 4, 5};
  for (int64_t m = 1; m <= 3; ++m) {
    const Shape is = {2, 3, m};
    std::vector<int64_t> idx(num_elements(is));
    for (size_t k = 0; k < idx.size(); ++k) {
      const int64_t n = ds[k % m];
      idx[k] = static_cast<int64_t>((k * 5 + 1) % (2 * n)) - n;  // in [-n, n)
    }
    check_nd<float, int64_t>(ds, is, idx, 0);
    std::vector<int32_t> idx32(idx.begin(), idx.end());
    check_nd<float, int32_t>(ds, is, idx32, 0, constant_indices<float>());
  }
  // A 1-D index tensor: one tuple, the output drops the leading dims.
  check_nd<float, int64_t>(ds, {2}, {-1, 2}, 0);
  // m = 0: every tuple takes all of data.
  check_nd<float, int64_t>({2, 3}, {2, 0}, std::vector<int64_t>{}, 0);
}

TEST(GatherNd, BatchDimsOneAndTwo) {
  // batch_dims 1: data [2, 3, 4], indices [2, 3, 1] and [2, 2, 2].
  check_nd<float, int64_t>({2, 3, 4}, {2, 3, 1}, {0, 2, -1, 1, -3, 2}, 1);
  check_nd<float, int32_t>({2, 3, 4}, {2, 2, 2}, {0, 3, 2, -1, 1, 0, -3, -4}, 1,
                           constant_indices<float>());
  // batch_dims 2: data [2, 3, 4, 2], indices [2, 3, 1].
  check_nd<float, int64_t>({2, 3, 4, 2}, {2, 3, 1}, {0, 3, -1, 1, 2, -4}, 2);
  // batch_dims 1 with a 2-D index per batch: indices [2, 2, 3, 1].
  check_nd<float, int64_t>({2, 3, 4}, {2, 2, 3, 1}, spread<int64_t>(12, 3, 2), 1);
}

TEST(GatherNd, CopiesEveryDtypeAndKeepsQuantization) {
  check_nd<int8_t, int64_t>({3, 2}, {2, 1}, {2, -3}, 0,
                            runtime_indices<int8_t>(DType::kI8, testing::per_tensor(0.5f, -7)));
  check_nd<uint8_t, int32_t>({3, 2}, {2, 2}, {2, 1, 0, -1}, 0);
  check_nd<int64_t, int64_t>({3, 2}, {1, 1}, {1}, 0);
}

TEST(GatherNd, RuntimeIndexOutOfRangeFailsTheRunNamingNodeAndIndex) {
  // data [2, 3]: tuple element 1 addresses dim 1 of size 3.
  for (int64_t bad : {int64_t{3}, int64_t{-4}, int64_t{1} << 40}) {
    KernelRunner r(OpKind::kGatherNd, GatherNdAttrs{0});
    r.add_input({2, 3}, counting<float>(6, 1));
    r.add_input({2, 2}, std::vector<int64_t>{0, 1, 1, bad});
    r.add_output();
    ASSERT_TRUE(r.prepare(make_gather_nd()).is_ok());
    r.run();
    const Status& st = r.run_failure();
    ASSERT_FALSE(st.is_ok()) << "index " << bad;
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(st.message().find("'test_node' (GATHER_ND)"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("index " + std::to_string(bad) + " (element 3"),
              std::string::npos) << st.message();
    EXPECT_NE(st.message().find("data dim 1 of size 3"), std::string::npos) << st.message();
    EXPECT_EQ(r.output<float>(0), std::vector<float>(2, 0.0f));
  }
  // With batch_dims 1 the tuple's dim is counted after the batch dim.
  KernelRunner r(OpKind::kGatherNd, GatherNdAttrs{1});
  r.add_input({2, 3}, counting<float>(6, 1));
  r.add_input({2, 1}, std::vector<int32_t>{2, 3});
  r.add_output();
  ASSERT_TRUE(r.prepare(make_gather_nd()).is_ok());
  r.run();
  EXPECT_NE(r.run_failure().message().find("index 3 (element 1"), std::string::npos)
      << r.run_failure().message();
  EXPECT_NE(r.run_failure().message().find("data dim 1 of size 3"), std::string::npos)
      << r.run_failure().message();
}

TEST(GatherNd, RejectsConstantIndexOutOfRangeAtPrepare) {
  KernelRunner r(OpKind::kGatherNd, GatherNdAttrs{0});
  r.add_input({2, 3}, counting<float>(6));
  r.add_constant({1, 2}, std::vector<int64_t>{-3, 0});
  r.add_output();
  const Status st = r.prepare(make_gather_nd());
  expect_rejected(st, ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("index -3 (element 0"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("data dim 0 of size 2"), std::string::npos) << st.message();
}

TEST(GatherNd, RejectsBadIndicesShapesAndBatchDims) {
  const auto rejected = [](const Shape& ds, const Shape& is, int b, ErrorCode code,
                           bool float_indices = false) {
    SCOPED_TRACE("data " + shape_to_string(ds) + " indices " + shape_to_string(is) +
                 " batch_dims " + std::to_string(b));
    KernelRunner r(OpKind::kGatherNd, GatherNdAttrs{b});
    r.add_input(ds, counting<float>(num_elements(ds)));
    if (float_indices) r.add_input(is, std::vector<float>(num_elements(is), 0));
    else r.add_input(is, std::vector<int64_t>(num_elements(is), 0));
    r.add_output();
    expect_rejected(r.prepare(make_gather_nd()), code);
  };
  rejected({3, 2}, {1, 2}, 0, ErrorCode::kTypeMismatch, true);
  rejected({3, 2}, {1, 3}, 0, ErrorCode::kShapeMismatch);     // tuple longer than rank
  rejected({2, 3, 2}, {2, 3}, 1, ErrorCode::kShapeMismatch);  // after batch dims
  rejected({3, 2}, {2, 1}, 1, ErrorCode::kShapeMismatch);     // batch dims differ
  rejected({3, 2}, {3, 1}, 2, ErrorCode::kInvalidArgument);   // batch_dims >= rank
  rejected({3, 2}, {3, 1}, -1, ErrorCode::kInvalidArgument);
  rejected({}, {1}, 0, ErrorCode::kShapeMismatch);            // scalar data
  rejected({3}, {}, 0, ErrorCode::kShapeMismatch);            // scalar indices
}

}  // namespace
}  // namespace opscope::reference
