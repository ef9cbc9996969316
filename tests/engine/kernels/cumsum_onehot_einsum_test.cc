// The CUMSUM, ONE_HOT and EINSUM kernels against naive double-precision
// loops over multi-indices: every axis (negative ones too) with exclusive
// and reverse, an axis that comes at run time; one-hot on every axis with
// negative, out-of-range, fractional and NaN indices, in ONNX's and
// TFLite's forms; Einstein summation as matmul, batched matmul, transpose,
// trace and diagonal, "..." broadcasting, outer and inner products, sums,
// implicit outputs and three operands, and equations that must be refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
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
using testing::random_floats;
using testing::random_ints;
using testing::unflatten;

// ---- CUMSUM

// The running sums of x along `axis`, in double.
std::vector<double> naive_cumsum(const std::vector<float>& x, const Shape& shape, int axis,
                                 bool exclusive, bool reverse) {
  std::vector<double> y(x.size());
  const int64_t n = shape[static_cast<size_t>(axis)];
  for (int64_t i = 0; i < static_cast<int64_t>(x.size()); ++i) {
    std::vector<int64_t> idx = unflatten(i, shape);
    const int64_t at = idx[static_cast<size_t>(axis)];
    double s = 0;
    for (int64_t j = 0; j < n; ++j) {
      const bool before = reverse ? j > at : j < at;
      if (before || (!exclusive && j == at)) {
        idx[static_cast<size_t>(axis)] = j;
        s += x[static_cast<size_t>(flatten(idx, shape))];
      }
    }
    y[static_cast<size_t>(i)] = s;
  }
  return y;
}

TEST(CumSum, EveryAxisExclusiveAndReverse) {
  const Shape s{2, 3, 4};
  const auto x = random_floats(24, 11, -2.0f, 2.0f);
  for (int64_t axis = -3; axis < 3; ++axis) {
    for (bool exclusive : {false, true}) {
      for (bool reverse : {false, true}) {
        SCOPED_TRACE("axis " + std::to_string(axis) + (exclusive ? " exclusive" : "") +
                     (reverse ? " reverse" : ""));
        KernelRunner r(OpKind::kCumSum, CumSumAttrs{exclusive, reverse});
        r.add_input(s, x);
        r.add_constant({}, std::vector<int64_t>{axis});
        r.add_output();
        ASSERT_TRUE(r.prepare(make_cumsum()).is_ok());
        r.run();
        ASSERT_EQ(r.output_tensor(0).shape, s);
        const auto want = naive_cumsum(x, s, static_cast<int>(axis < 0 ? axis + 3 : axis),
                                       exclusive, reverse);
        const auto got = r.output<float>(0);
        for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << i;
      }
    }
  }
}

TEST(CumSum, OnnxExampleExclusiveReverse) {
  // ONNX's test_cumsum_1d_reverse_exclusive: [1, 2, 3, 4, 5] -> [14, 12, 9, 5, 0].
  KernelRunner r(OpKind::kCumSum, CumSumAttrs{true, true});
  r.add_input({5}, std::vector<float>{1, 2, 3, 4, 5});
  r.add_constant({1}, std::vector<int32_t>{0});
  r.add_output();
  ASSERT_TRUE(r.prepare(make_cumsum()).is_ok());
  r.run();
  EXPECT_EQ(r.output<float>(0), (std::vector<float>{14, 12, 9, 5, 0}));
}

TEST(CumSum, IntegersWrapAndRunTimeAxis) {
  const int32_t big = std::numeric_limits<int32_t>::max();
  KernelRunner r(OpKind::kCumSum, CumSumAttrs{});
  r.add_input({2, 2}, std::vector<int32_t>{big, 5, 1, 7});
  r.add_input({}, std::vector<int64_t>{-2});  // run time: axis 0
  r.add_output(DType::kI32);
  ASSERT_TRUE(r.prepare(make_cumsum()).is_ok());
  r.run();
  ASSERT_TRUE(r.run_failure().is_ok()) << r.run_failure().message();
  EXPECT_EQ(r.output<int32_t>(0),
            (std::vector<int32_t>{big, 5, std::numeric_limits<int32_t>::min(), 12}));
}

TEST(CumSum, Int64AlongTheLastAxis) {
  const Shape s{3, 5};
  const auto x = random_ints<int64_t>(15, 3, -1000, 1000);
  KernelRunner r(OpKind::kCumSum, CumSumAttrs{false, true});
  r.add_input(s, x);
  r.add_constant({1}, std::vector<int64_t>{1});
  r.add_output(DType::kI64);
  ASSERT_TRUE(r.prepare(make_cumsum()).is_ok());
  r.run();
  std::vector<float> xf(x.begin(), x.end());
  const auto want = naive_cumsum(xf, s, 1, false, true);
  const auto got = r.output<int64_t>(0);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], static_cast<int64_t>(want[i])) << i;
}

TEST(CumSum, RunTimeAxisOutOfRangeFailsTheInvoke) {
  KernelRunner r(OpKind::kCumSum, CumSumAttrs{});
  r.add_input({2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6});
  r.add_input({1}, std::vector<int32_t>{2});
  r.add_output();
  ASSERT_TRUE(r.prepare(make_cumsum()).is_ok());
  r.run();
  const Status& st = r.run_failure();
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("axis 2 is out of range for rank 2"), std::string::npos)
      << st.message();
  EXPECT_EQ(r.output<float>(0), std::vector<float>(6, 0.0f));
}

TEST(CumSum, RefusesAConstantAxisOutOfRangeAndOtherTypes) {
  {
    KernelRunner r(OpKind::kCumSum, CumSumAttrs{});
    r.add_input({2, 3}, std::vector<float>(6, 1.0f));
    r.add_constant({}, std::vector<int64_t>{-3});
    r.add_output();
    expect_rejected(r.prepare(make_cumsum()), ErrorCode::kInvalidArgument);
  }
  {
    KernelRunner r(OpKind::kCumSum, CumSumAttrs{});
    r.add_input({2, 3}, std::vector<float>(6, 1.0f));
    r.add_constant({2}, std::vector<int64_t>{0, 1});
    r.add_output();
    expect_rejected(r.prepare(make_cumsum()), ErrorCode::kShapeMismatch);
  }
  {
    KernelRunner r(OpKind::kCumSum, CumSumAttrs{});
    r.add_input({3}, std::vector<uint8_t>{1, 0, 1}, DType::kBool);
    r.add_constant({}, std::vector<int64_t>{0});
    r.add_output(DType::kBool);
    expect_rejected(r.prepare(make_cumsum()), ErrorCode::kTypeMismatch);
  }
}

// ---- ONE_HOT

// The one-hot of `indices` (already integers; kNone for "no position")
// with depth inserted at `axis`, values off / on.
template <typename T>
std::vector<T> naive_one_hot(const std::vector<int64_t>& hot, const Shape& ind_shape,
                             int64_t depth, int axis, T off, T on, Shape* out_shape) {
  Shape out = ind_shape;
  out.insert(out.begin() + axis, depth);
  *out_shape = out;
  std::vector<T> y(static_cast<size_t>(num_elements(out)));
  for (int64_t i = 0; i < num_elements(out); ++i) {
    std::vector<int64_t> idx = unflatten(i, out);
    const int64_t d = idx[static_cast<size_t>(axis)];
    idx.erase(idx.begin() + axis);
    y[static_cast<size_t>(i)] = hot[static_cast<size_t>(flatten(idx, ind_shape))] == d ? on : off;
  }
  return y;
}

TEST(OneHot, EveryAxisWithNegativeAndOutOfRangeIndices) {
  const Shape s{2, 3};
  const int64_t depth = 4;
  // -1 -> 3 and -4 -> 0 wrap; 4, -5 and 1000 are out of range: all off.
  const std::vector<int64_t> ind = {0, -1, 4, -4, -5, 1000};
  const std::vector<int64_t> hot = {0, 3, -9, 0, -9, -9};
  for (int axis = -3; axis <= 2; ++axis) {
    SCOPED_TRACE("axis " + std::to_string(axis));
    KernelRunner r(OpKind::kOneHot, OneHotAttrs{axis, true});
    r.add_input(s, ind);
    r.add_constant({}, std::vector<int64_t>{depth});
    r.add_input({2}, std::vector<float>{2.0f, 7.0f});  // [off, on]
    r.add_output();
    ASSERT_TRUE(r.prepare(make_one_hot()).is_ok());
    r.run();
    Shape want_shape;
    const auto want = naive_one_hot<float>(hot, s, depth, axis < 0 ? axis + 3 : axis, 2.0f,
                                           7.0f, &want_shape);
    EXPECT_EQ(r.output_tensor(0).shape, want_shape);
    EXPECT_EQ(r.output<float>(0), want);
  }
}

TEST(OneHot, FloatIndicesTruncateAndNaNIsOff) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  // 2.7 -> 2, -0.5 -> 0, -1.5 -> -1 -> 4, 5 is out of range.
  const std::vector<float> ind = {2.7f, -0.5f, -1.5f, 5.0f, nan, inf, -inf};
  const std::vector<int64_t> hot = {2, 0, 4, -9, -9, -9, -9};
  KernelRunner r(OpKind::kOneHot, OneHotAttrs{-1, true});
  r.add_input({7}, ind);
  r.add_constant({1}, std::vector<float>{5.9f});  // depth 5
  r.add_constant({2}, std::vector<int32_t>{0, 1});
  r.add_output(DType::kI32);
  ASSERT_TRUE(r.prepare(make_one_hot()).is_ok());
  r.run();
  Shape want_shape;
  const auto want = naive_one_hot<int32_t>(hot, {7}, 5, 1, 0, 1, &want_shape);
  EXPECT_EQ(r.output_tensor(0).shape, want_shape);
  EXPECT_EQ(r.output_tensor(0).dtype, DType::kI32);
  EXPECT_EQ(r.output<int32_t>(0), want);
}

TEST(OneHot, TfliteFormNegativeIndicesAreOff) {
  KernelRunner r(OpKind::kOneHot, OneHotAttrs{0, false});
  r.add_input({3}, std::vector<int32_t>{1, -1, 2});
  r.add_constant({}, std::vector<int32_t>{3});
  r.add_input({}, std::vector<float>{9.0f});   // on
  r.add_input({}, std::vector<float>{-1.0f});  // off
  r.add_output();
  ASSERT_TRUE(r.prepare(make_one_hot()).is_ok());
  r.run();
  EXPECT_EQ(r.output_tensor(0).shape, (Shape{3, 3}));
  Shape want_shape;
  const auto want = naive_one_hot<float>({1, -9, 2}, {3}, 3, 0, -1.0f, 9.0f, &want_shape);
  EXPECT_EQ(r.output<float>(0), want);
}

TEST(OneHot, RefusesRuntimeDepthBadDepthAndBadValues) {
  {
    KernelRunner r(OpKind::kOneHot, OneHotAttrs{});
    r.add_input({2}, std::vector<int64_t>{0, 1});
    r.add_input({}, std::vector<int64_t>{3});  // depth at run time
    r.add_constant({2}, std::vector<float>{0, 1});
    r.add_output();
    expect_rejected(r.prepare(make_one_hot()), ErrorCode::kUnsupportedOp);
  }
  {
    KernelRunner r(OpKind::kOneHot, OneHotAttrs{});
    r.add_input({2}, std::vector<int64_t>{0, 1});
    r.add_constant({}, std::vector<int64_t>{0});
    r.add_constant({2}, std::vector<float>{0, 1});
    r.add_output();
    expect_rejected(r.prepare(make_one_hot()), ErrorCode::kInvalidArgument);
  }
  {
    KernelRunner r(OpKind::kOneHot, OneHotAttrs{});
    r.add_input({2}, std::vector<int64_t>{0, 1});
    r.add_constant({}, std::vector<int64_t>{3});
    r.add_constant({3}, std::vector<float>{0, 1, 2});
    r.add_output();
    expect_rejected(r.prepare(make_one_hot()), ErrorCode::kShapeMismatch);
  }
  {
    KernelRunner r(OpKind::kOneHot, OneHotAttrs{3, true});  // rank 1: axis in [-2, 1]
    r.add_input({2}, std::vector<int64_t>{0, 1});
    r.add_constant({}, std::vector<int64_t>{3});
    r.add_constant({2}, std::vector<float>{0, 1});
    r.add_output();
    expect_rejected(r.prepare(make_one_hot()), ErrorCode::kInvalidArgument);
  }
}

// ---- EINSUM

// Einstein summation of an explicit equation of letters only ("bij,bjk->bik"),
// in double: every assignment of every label, each operand read at its
// labels' values (a repeated label reads the diagonal).
std::vector<double> naive_einsum(const std::string& eq, const std::vector<Shape>& shapes,
                                 const std::vector<std::vector<double>>& xs, Shape* out_shape) {
  const size_t arrow = eq.find("->");
  std::vector<std::string> terms(1);
  for (char c : eq.substr(0, arrow)) {
    if (c == ',') {
      terms.emplace_back();
    } else {
      terms.back() += c;
    }
  }
  const std::string out = eq.substr(arrow + 2);
  std::map<char, int64_t> size;
  for (size_t k = 0; k < terms.size(); ++k) {
    for (size_t d = 0; d < terms[k].size(); ++d) size[terms[k][d]] = shapes[k][d];
  }
  std::vector<char> labels;
  Shape space;
  for (const auto& [c, n] : size) {
    labels.push_back(c);
    space.push_back(n);
  }
  out_shape->clear();
  for (char c : out) out_shape->push_back(size[c]);
  std::vector<double> y(static_cast<size_t>(num_elements(*out_shape)), 0.0);
  for (int64_t p = 0; p < num_elements(space); ++p) {
    const std::vector<int64_t> point = unflatten(p, space);
    std::map<char, int64_t> at;
    for (size_t l = 0; l < labels.size(); ++l) at[labels[l]] = point[l];
    double product = 1;
    for (size_t k = 0; k < terms.size(); ++k) {
      std::vector<int64_t> idx;
      for (char c : terms[k]) idx.push_back(at[c]);
      product *= xs[k][static_cast<size_t>(flatten(idx, shapes[k]))];
    }
    std::vector<int64_t> oidx;
    for (char c : out) oidx.push_back(at[c]);
    y[static_cast<size_t>(flatten(oidx, *out_shape))] += product;
  }
  return y;
}

struct EinsumRun {
  Status status;
  Shape shape;
  std::vector<float> y;
};

EinsumRun run_einsum(const std::string& eq, const std::vector<Shape>& shapes,
                     const std::vector<std::vector<float>>& xs) {
  KernelRunner r(OpKind::kEinsum, EinsumAttrs{eq});
  for (size_t k = 0; k < shapes.size(); ++k) r.add_input(shapes[k], xs[k]);
  r.add_output();
  EinsumRun out;
  out.status = r.prepare(make_einsum());
  if (!out.status.is_ok()) return out;
  r.run();
  out.shape = r.output_tensor(0).shape;
  out.y = r.output<float>(0);
  return out;
}

// Runs `eq` on random operands of `shapes` and compares with naive_einsum
// of `explicit_eq`, the same summation spelled with letters only.
void expect_einsum(const std::string& eq, const std::vector<Shape>& shapes,
                   const std::string& explicit_eq) {
  SCOPED_TRACE(eq);
  std::vector<std::vector<float>> xs;
  std::vector<std::vector<double>> xd;
  for (size_t k = 0; k < shapes.size(); ++k) {
    xs.push_back(random_floats(static_cast<size_t>(num_elements(shapes[k])),
                               static_cast<uint32_t>(7 + k)));
    xd.emplace_back(xs.back().begin(), xs.back().end());
  }
  const EinsumRun got = run_einsum(eq, shapes, xs);
  ASSERT_TRUE(got.status.is_ok()) << got.status.message();
  Shape want_shape;
  const auto want = naive_einsum(explicit_eq, shapes, xd, &want_shape);
  ASSERT_EQ(got.shape, want_shape);
  ASSERT_EQ(got.y.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got.y[i], want[i], 1e-5) << i;
}

TEST(Einsum, MatmulAndBatchedMatmul) {
  expect_einsum("ij,jk->ik", {{3, 4}, {4, 5}}, "ij,jk->ik");
  expect_einsum("ij,jk", {{3, 4}, {4, 5}}, "ij,jk->ik");  // implicit
  expect_einsum("bij, bjk -> bik", {{5, 2, 3}, {5, 3, 4}}, "bij,bjk->bik");
  expect_einsum("ij,kj->ik", {{3, 4}, {5, 4}}, "ij,kj->ik");  // b transposed
}

TEST(Einsum, TransposeAndImplicitOrder) {
  expect_einsum("ij->ji", {{3, 4}}, "ij->ji");
  expect_einsum("ba", {{3, 4}}, "ba->ab");  // implicit: labels in order
  expect_einsum("abc->cab", {{2, 3, 4}}, "abc->cab");
  expect_einsum("Ba", {{3, 4}}, "Ba->Ba");  // ASCII: upper case first
}

TEST(Einsum, TraceAndDiagonal) {
  expect_einsum("ii", {{4, 4}}, "ii->");
  expect_einsum("ii->i", {{4, 4}}, "ii->i");
  expect_einsum("...ii ->...i", {{3, 5, 5}}, "bii->bi");  // ONNX's batch diagonal
  expect_einsum("iji->j", {{3, 2, 3}}, "iji->j");
}

TEST(Einsum, OuterInnerAndSums) {
  expect_einsum("i,j->ij", {{3}, {4}}, "i,j->ij");
  expect_einsum("i,j", {{3}, {4}}, "i,j->ij");
  expect_einsum("i,i", {{5}, {5}}, "i,i->");
  expect_einsum("ij->i", {{3, 4}}, "ij->i");
  expect_einsum("ij->", {{3, 4}}, "ij->");
  expect_einsum("ij,jk,kl->il", {{2, 3}, {3, 4}, {4, 2}}, "ij,jk,kl->il");
  expect_einsum("i,i,i->", {{6}, {6}, {6}}, "i,i,i->");
}

TEST(Einsum, EllipsisBroadcasts) {
  // a [2,1,3,4] and b [5,4,2]: "..." is [2,1] and [5], broadcast to [2,5].
  const Shape sa{2, 1, 3, 4}, sb{5, 4, 2};
  const auto a = random_floats(24, 1), b = random_floats(40, 2);
  for (const char* eq : {"...ij,...jk->...ik", "...ij,...jk"}) {
    SCOPED_TRACE(eq);
    const EinsumRun got = run_einsum(eq, {sa, sb}, {a, b});
    ASSERT_TRUE(got.status.is_ok()) << got.status.message();
    const Shape out{2, 5, 3, 2};
    ASSERT_EQ(got.shape, out);
    for (int64_t o = 0; o < num_elements(out); ++o) {
      const auto idx = unflatten(o, out);  // p, q, i, k
      double want = 0;
      for (int64_t j = 0; j < 4; ++j) {
        want += double(a[static_cast<size_t>(flatten({idx[0], 0, idx[2], j}, sa))]) *
                b[static_cast<size_t>(flatten({idx[1], j, idx[3]}, sb))];
      }
      EXPECT_NEAR(got.y[static_cast<size_t>(o)], want, 1e-5) << o;
    }
  }
  // An explicit output without "..." sums the ellipsis dims.
  expect_einsum("...i->i", {{2, 3, 4}}, "abi->i");
  // "..." may stand for no dims.
  expect_einsum("...ij->...ji", {{3, 4}}, "ij->ji");
}

TEST(Einsum, Int64MatmulIsExact) {
  const Shape sa{3, 4}, sb{4, 2};
  const auto a = random_ints<int64_t>(12, 5, -50, 50), b = random_ints<int64_t>(8, 6, -50, 50);
  KernelRunner r(OpKind::kEinsum, EinsumAttrs{"ij,jk->ik"});
  r.add_input(sa, a);
  r.add_input(sb, b);
  r.add_output(DType::kI64);
  ASSERT_TRUE(r.prepare(make_einsum()).is_ok());
  r.run();
  const auto got = r.output<int64_t>(0);
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t k = 0; k < 2; ++k) {
      int64_t want = 0;
      for (int64_t j = 0; j < 4; ++j) want += a[size_t(i * 4 + j)] * b[size_t(j * 2 + k)];
      EXPECT_EQ(got[size_t(i * 2 + k)], want);
    }
  }
}

TEST(Einsum, RejectsMalformedOrMismatchedEquations) {
  struct Bad {
    const char* eq;
    std::vector<Shape> shapes;
    const char* says;
  };
  const std::vector<Bad> cases = {
      {"ij,jk->ik", {{2, 3}}, "2 operand term(s), the node 1 input(s)"},
      {"ij->ik", {{2, 3}}, "output label 'k' is in no input"},
      {"ij->ii", {{2, 3}}, "output label 'i' appears twice"},
      {"ijk->i", {{2, 3}}, "has 3 label(s), input 0 has rank 2"},
      {"ij,jk->ik", {{2, 3}, {4, 5}}, "label 'j' has size 3 in input 0 and 4 in input 1"},
      {"ii->i", {{2, 3}}, "label 'i' has size 2 in input 0 and 3 in input 0"},
      {"i.j->i", {{2, 3}}, "'.' outside"},
      {"...i...->i", {{2, 3}}, "\"...\" twice"},
      {"i1->i", {{2, 3}}, "'1'"},
      {"ij->i->j", {{2, 3}}, "\"->\" appears twice"},
      {"ij->i,j", {{2, 3}}, "the output has a ','"},
      {"...i,...i->...i", {{2, 3}, {4, 3}}, "do not broadcast"},
      {"i-j", {{2, 3}}, "'-'"},
      // 2^42 points: more than the naive loop (or folding at load) could visit.
      {"i,j->", {{int64_t{1} << 21}, {int64_t{1} << 21}}, "more than 2^40 points"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.eq);
    std::vector<std::vector<float>> xs;
    for (const Shape& s : c.shapes) xs.emplace_back(static_cast<size_t>(num_elements(s)), 1.0f);
    const EinsumRun got = run_einsum(c.eq, c.shapes, xs);
    expect_rejected(got.status, ErrorCode::kInvalidArgument);
    EXPECT_NE(got.status.message().find(c.says), std::string::npos) << got.status.message();
    EXPECT_NE(got.status.message().find(std::string("equation '") + c.eq + "'"),
              std::string::npos)
        << got.status.message();
  }
}

TEST(Einsum, RejectsMixedDtypes) {
  KernelRunner r(OpKind::kEinsum, EinsumAttrs{"i,i"});
  r.add_input({2}, std::vector<float>{1, 2});
  r.add_input({2}, std::vector<int64_t>{1, 2});
  r.add_output();
  expect_rejected(r.prepare(make_einsum()), ErrorCode::kTypeMismatch);
}

}  // namespace
}  // namespace opscope::reference
