// GATHER against a naive loop over output positions: axes 0, 1, last and
// negative, 1-D, 2-D and scalar indices (negative entries too), batch_dims,
// i32 and i64 indices, constant and runtime indices, several params dtypes
// (i8 keeps its quantization). Then the rejections, and the out-of-range
// index: a prepare error when the indices are constant, an invoke error
// naming the node and the index when they come at run time.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <type_traits>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/session.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/move_test_util.h"

namespace opscope::reference {
namespace {

using testing::counting;
using testing::expect_rejected;
using testing::KernelRunner;

// out[p[:axis], q[bd:], p[axis+1:]] = params[p[:axis], idx[p[:bd], q[bd:]], ...]
// straight from the definition, one output element at a time.
template <typename T, typename I>
std::vector<T> naive_gather(const Shape& ps, const std::vector<T>& params,
                            const Shape& is, const std::vector<I>& idx,
                            int axis, int bd, Shape* out) {
  const int ir = static_cast<int>(is.size());
  out->assign(ps.begin(), ps.begin() + axis);
  out->insert(out->end(), is.begin() + bd, is.end());
  out->insert(out->end(), ps.begin() + axis + 1, ps.end());
  std::vector<T> y(num_elements(*out));
  for (int64_t i = 0; i < static_cast<int64_t>(y.size()); ++i) {
    const std::vector<int64_t> o = testing::unflatten(i, *out);
    std::vector<int64_t> ii(o.begin(), o.begin() + bd);  // batch dims
    ii.insert(ii.end(), o.begin() + axis, o.begin() + axis + (ir - bd));
    int64_t k = idx[testing::flatten(ii, is)];
    if (k < 0) k += ps[axis];
    std::vector<int64_t> pi(o.begin(), o.begin() + axis);
    pi.push_back(k);
    pi.insert(pi.end(), o.begin() + axis + (ir - bd), o.end());
    y[i] = params[testing::flatten(pi, ps)];
  }
  return y;
}

template <typename T, typename I>
void check(const Shape& ps, const Shape& is, const std::vector<I>& idx,
           int axis, int bd = 0, bool constant_indices = false,
           DType dtype = testing::dtype_of<T>(), Quantization q = {}) {
  SCOPED_TRACE("params " + shape_to_string(ps) + " indices " +
               shape_to_string(is) + " axis " + std::to_string(axis) +
               " batch_dims " + std::to_string(bd) +
               (constant_indices ? " constant" : " runtime"));
  const std::vector<T> params = counting<T>(num_elements(ps), 3);
  KernelRunner r(OpKind::kGather, GatherAttrs{axis, bd});
  r.add_input(ps, params, dtype, q);
  if (constant_indices) r.add_constant(is, idx);
  else r.add_input(is, idx);
  r.add_output(dtype);
  const Status st = r.prepare(make_gather());
  ASSERT_TRUE(st.is_ok()) << st.message();
  r.run();
  ASSERT_TRUE(r.run_failure().is_ok()) << r.run_failure().message();
  const int normalized = axis < 0 ? axis + static_cast<int>(ps.size()) : axis;
  const int batch_dims = bd < 0 ? bd + static_cast<int>(is.size()) : bd;
  Shape want_shape;
  const std::vector<T> want =
      naive_gather(ps, params, is, idx, normalized, batch_dims, &want_shape);
  EXPECT_EQ(r.output_tensor(0).shape, want_shape);
  EXPECT_EQ(r.output_tensor(0).dtype, dtype);
  EXPECT_EQ(r.output_tensor(0).quantization.scales, q.scales);
  EXPECT_EQ(r.output<T>(0), want);
}

TEST(Gather, Axis0With1DIndicesIncludingNegativeOnes) {
  check<float, int64_t>({5, 3}, {4}, {4, 0, -1, -5}, 0);
  check<float, int32_t>({5, 3}, {4}, {4, 0, -1, -5}, 0, 0, true);
}

TEST(Gather, MiddleLastAndNegativeAxes) {
  check<float, int64_t>({2, 4, 3}, {3}, {3, -4, 1}, 1);
  check<float, int64_t>({2, 4, 3}, {5}, {2, 2, -1, 0, 1}, 2);
  check<float, int64_t>({2, 4, 3}, {5}, {2, 2, -1, 0, 1}, -1);
  check<float, int32_t>({2, 4, 3}, {2}, {-2, 1}, -3, 0, true);
}

TEST(Gather, TwoDimensionalAndScalarIndices) {
  check<float, int64_t>({3, 4, 2}, {2, 3}, {0, 3, -1, 2, 2, 1}, 1);
  check<float, int64_t>({3, 4, 2}, {3, 2}, {0, -3, 2, 1, 1, 0}, 0);
  check<float, int64_t>({3, 4, 2}, {}, {-2}, 1);  // drops the axis
  check<int64_t, int64_t>({4}, {}, {2}, 0, 0, true);  // a shape's dim
}

TEST(Gather, BatchDims) {
  // params [B=2, 3, 4], indices [B=2, 5], axis 1 and 2.
  check<float, int32_t>({2, 3, 4}, {2, 5}, {0, 2, 1, -1, 0, 2, 2, 0, 1, 1}, 1, 1);
  check<float, int64_t>({2, 3, 4}, {2, 2}, {3, 0, -4, 1}, 2, 1);
  check<float, int64_t>({2, 3, 4}, {2, 2}, {3, 0, -4, 1}, 2, -1);  // bd = rank - 1
}

TEST(Gather, CopiesEveryDtypeAndKeepsQuantization) {
  check<int8_t, int64_t>({4, 3}, {3}, {3, 0, -2}, 0, 0, false, DType::kI8,
                         testing::per_tensor(0.5f, -3));
  check<uint8_t, int32_t>({4, 3}, {2}, {1, 2}, 1);
  check<int32_t, int64_t>({4, 3}, {2}, {1, 2}, 1);
  check<int64_t, int32_t>({2, 2, 2}, {1}, {1}, 2);
}

TEST(Gather, EmptyIndicesGiveAnEmptyOutput) {
  check<float, int64_t>({4, 3}, {0}, std::vector<int64_t>{}, 0, 0, true);
}

// A runtime index outside [-n, n): run() reports it (node, index, axis
// size) and leaves the output zero instead of reading out of bounds.
TEST(Gather, RuntimeIndexOutOfRangeFailsTheRunNamingNodeAndIndex) {
  for (int64_t bad : {int64_t{5}, int64_t{-6}, int64_t{1} << 40}) {
    KernelRunner r(OpKind::kGather, GatherAttrs{1, 0});
    r.add_input({2, 5}, counting<float>(10, 1));
    r.add_input({3}, std::vector<int64_t>{0, bad, 1});
    r.add_output();
    ASSERT_TRUE(r.prepare(make_gather()).is_ok());
    r.run();
    const Status& st = r.run_failure();
    ASSERT_FALSE(st.is_ok()) << "index " << bad;
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(st.message().find("'test_node' (GATHER)"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("index " + std::to_string(bad) + " (element 1"),
              std::string::npos) << st.message();
    EXPECT_NE(st.message().find("axis 1 of size 5"), std::string::npos) << st.message();
    EXPECT_EQ(r.output<float>(0), std::vector<float>(6, 0.0f));
  }
}

TEST(Gather, RejectsConstantIndexOutOfRangeAtPrepare) {
  KernelRunner r(OpKind::kGather, GatherAttrs{0, 0});
  r.add_input({3, 2}, counting<float>(6));
  r.add_constant({2}, std::vector<int32_t>{1, 3});
  r.add_output();
  const Status st = r.prepare(make_gather());
  expect_rejected(st, ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("index 3 (element 1"), std::string::npos) << st.message();
}

TEST(Gather, RejectsBadIndicesAxesAndBatchDims) {
  {  // float indices
    KernelRunner r(OpKind::kGather, GatherAttrs{0, 0});
    r.add_input({3}, counting<float>(3));
    r.add_input({1}, std::vector<float>{0});
    r.add_output();
    expect_rejected(r.prepare(make_gather()), ErrorCode::kTypeMismatch);
  }
  {  // axis outside the rank
    KernelRunner r(OpKind::kGather, GatherAttrs{2, 0});
    r.add_input({3, 2}, counting<float>(6));
    r.add_input({1}, std::vector<int64_t>{0});
    r.add_output();
    expect_rejected(r.prepare(make_gather()), ErrorCode::kInvalidArgument);
  }
  {  // batch_dims above axis
    KernelRunner r(OpKind::kGather, GatherAttrs{0, 1});
    r.add_input({3, 2}, counting<float>(6));
    r.add_input({3, 1}, std::vector<int64_t>{0, 0, 0});
    r.add_output();
    expect_rejected(r.prepare(make_gather()), ErrorCode::kInvalidArgument);
  }
  {  // batch dims that differ
    KernelRunner r(OpKind::kGather, GatherAttrs{1, 1});
    r.add_input({3, 2}, counting<float>(6));
    r.add_input({2, 1}, std::vector<int64_t>{0, 0});
    r.add_output();
    expect_rejected(r.prepare(make_gather()), ErrorCode::kShapeMismatch);
  }
  {  // scalar params
    KernelRunner r(OpKind::kGather, GatherAttrs{0, 0});
    r.add_input({}, counting<float>(1));
    r.add_input({}, std::vector<int64_t>{0});
    r.add_output();
    expect_rejected(r.prepare(make_gather()), ErrorCode::kShapeMismatch);
  }
}

// Through a Session: the run-time failure stops the invoke and comes back
// from Session::invoke(); the next invoke with good indices succeeds.
TEST(Gather, SessionInvokeReturnsTheOutOfRangeError) {
  Graph g = testing::one_node_graph(OpKind::kGather, GatherAttrs{0, 0});
  g.nodes[0].name = "lookup";
  const int p = testing::add_test_tensor(g, "params", TensorRole::kInput, DType::kF32, {4}, {});
  const int i = testing::add_test_tensor(g, "idx", TensorRole::kInput, DType::kI64, {2}, {});
  const int y = testing::add_test_tensor(g, "y", TensorRole::kOutput, DType::kF32, {2}, {});
  g.nodes[0].inputs = {p, i};
  g.nodes[0].outputs = {y};
  g.inputs = {p, i};
  g.outputs = {y};
  auto model = std::make_shared<Model>();
  model->graph = g;
  ASSERT_TRUE(validate_graph(model->graph).is_ok());
  SessionOptions options;
  options.backends = {"cpu"};
  auto created = Session::create(model, options);
  ASSERT_TRUE(created.is_ok()) << created.status().message();
  Session& s = **created;
  const float params[4] = {10, 11, 12, 13};
  std::memcpy(s.input_data(0), params, sizeof(params));
  const auto feed = [&](int64_t a, int64_t b) {
    const int64_t idx[2] = {a, b};
    std::memcpy(s.input_data(1), idx, sizeof(idx));
  };
  feed(3, -4);
  ASSERT_TRUE(s.invoke().is_ok());
  const auto* out = static_cast<const float*>(s.output_data(0));
  EXPECT_EQ(out[0], 13.0f);
  EXPECT_EQ(out[1], 10.0f);

  feed(1, 4);
  const Status st = s.invoke();
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'lookup' (GATHER)"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("index 4 (element 1 of indices 'idx"), std::string::npos)
      << st.message();

  feed(2, 2);
  ASSERT_TRUE(s.invoke().is_ok());
  EXPECT_EQ(out[0], 12.0f);
}

}  // namespace
}  // namespace opscope::reference
