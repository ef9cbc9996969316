// ADD / SUB / MUL / MAXIMUM / MINIMUM against naive double loops, over many
// broadcast shape pairs and every fused activation; the broadcast planner's
// choice of fast path; rejections.
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/backends/reference/kernels/broadcast.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/kernels/elementwise_test_util.h"

namespace opscope::reference {
namespace {

using testing::KernelRunner;

struct BinaryCase {
  const char* name;
  OpKind op;
  std::unique_ptr<Kernel> (*factory)();
  double (*ref)(double, double);
};

const BinaryCase kOps[] = {
    {"add", OpKind::kAdd, make_add_f32, [](double a, double b) { return a + b; }},
    {"sub", OpKind::kSub, make_sub_f32, [](double a, double b) { return a - b; }},
    {"mul", OpKind::kMul, make_mul_f32, [](double a, double b) { return a * b; }},
    {"maximum", OpKind::kMaximum, make_maximum_f32,
     [](double a, double b) { return std::max(a, b); }},
    {"minimum", OpKind::kMinimum, make_minimum_f32,
     [](double a, double b) { return std::min(a, b); }},
    {"div", OpKind::kDiv, make_div_f32, [](double a, double b) { return a / b; }},
    {"pow", OpKind::kPow, make_pow_f32, [](double a, double b) { return std::pow(a, b); }},
};

const Activation kActivations[] = {Activation::kNone, Activation::kRelu,
                                   Activation::kReluN1To1,
                                   Activation::kRelu6, Activation::kTanh};

double naive_activation(double x, Activation a) {
  switch (a) {
    case Activation::kNone: return x;
    case Activation::kRelu: return std::max(x, 0.0);
    case Activation::kReluN1To1: return std::clamp(x, -1.0, 1.0);
    case Activation::kRelu6: return std::clamp(x, 0.0, 6.0);
    case Activation::kTanh: return std::tanh(x);
  }
  return x;
}

struct ShapePair {
  Shape a, b;
};

// Scalars, [C], [1,1,1,C], [N,1,W,1] vs [1,H,1,C], ranks 1..6, size-1 and
// size-0 dims, inner blocks shorter and longer than the kernels' 8-wide
// blocks, both operand orders.
const ShapePair kShapePairs[] = {
    {{}, {}},
    {{}, {5}},
    {{13}, {}},
    {{1}, {7}},
    {{19}, {19}},
    {{2, 3}, {2, 3}},
    {{1, 1, 1}, {1}},
    {{3, 17}, {1, 1}},
    {{1, 4, 4, 3}, {3}},
    {{3}, {1, 4, 4, 3}},
    {{1, 5, 6, 19}, {1, 1, 1, 19}},
    {{2, 3, 4, 5}, {4, 5}},
    {{2, 1, 5, 1}, {1, 3, 1, 4}},
    {{2, 6, 7, 1}, {2, 6, 7, 9}},
    {{2, 6, 7, 9}, {2, 6, 1, 1}},
    {{3, 1}, {1, 20}},
    {{6, 1, 7}, {1, 5, 1}},
    {{3, 5, 19}, {5, 1}},
    {{4, 1, 3}, {4, 2, 3}},
    {{2, 3, 4, 5, 6}, {2, 1, 4, 1, 6}},
    {{2, 3, 4, 5, 6}, {3, 1, 1, 1}},
    {{1, 2, 1, 2, 1, 2}, {2, 1, 2, 1, 2, 1}},
    {{2, 1, 3, 1, 4, 1}, {1, 3, 1, 2, 1, 5}},
    {{2, 0, 3}, {3}},
    {{0}, {1}},
};

std::vector<double> naive_binary(const BinaryCase& op, Activation act,
                                 const Shape& sa, const std::vector<float>& a,
                                 const Shape& sb, const std::vector<float>& b,
                                 Shape* out_shape) {
  EXPECT_TRUE(testing::naive_broadcast_shape(sa, sb, out_shape));
  std::vector<double> out(static_cast<size_t>(num_elements(*out_shape)));
  for (int64_t i = 0; i < static_cast<int64_t>(out.size()); ++i) {
    const double x = a[testing::naive_source_index(sa, *out_shape, i)];
    const double y = b[testing::naive_source_index(sb, *out_shape, i)];
    out[i] = naive_activation(op.ref(x, y), act);
  }
  return out;
}

TEST(ElementwiseBinary, matches_naive_loops_for_broadcast_shapes) {
  uint32_t seed = 1;
  for (const BinaryCase& op : kOps) {
    for (Activation act : kActivations) {
      for (const ShapePair& p : kShapePairs) {
        SCOPED_TRACE(std::string(op.name) + " activation " +
                     std::to_string(static_cast<int>(act)) + " " +
                     shape_to_string(p.a) + " , " + shape_to_string(p.b));
        const auto a = testing::random_floats(num_elements(p.a), -4, 4, seed++);
        const auto b = testing::random_floats(num_elements(p.b), -4, 4, seed++);
        Shape want_shape;
        const std::vector<double> want =
            naive_binary(op, act, p.a, a, p.b, b, &want_shape);

        KernelRunner r(op.op, ActivationAttrs{act});
        testing::add_operand(r, p.a, a);
        testing::add_operand(r, p.b, b);
        r.add_output();
        const Status st = r.prepare(op.factory());
        ASSERT_TRUE(st.is_ok()) << st.to_string();
        EXPECT_EQ(r.output_tensor(0).shape, want_shape);
        EXPECT_EQ(r.output_tensor(0).dtype, DType::kF32);
        r.run();
        // Add/sub/mul/max/min and the clamps are correctly rounded f32;
        // tanh adds an ulp or two.
        if (!want.empty()) {
          testing::expect_all_close(r.output<float>(0), want, 1e-6, 1e-6);
        }
      }
    }
  }
}

TEST(ElementwiseBinary, constant_operand_and_no_attributes) {
  // std::monostate attributes mean no activation.
  KernelRunner r(OpKind::kSub);
  r.add_input<float>({2, 2}, {1, 2, 3, 4});
  r.add_constant<float>({2}, {10, 20});
  r.add_output();
  ASSERT_TRUE(r.prepare(make_sub_f32()).is_ok());
  r.run();
  EXPECT_EQ(r.output<float>(0), (std::vector<float>{-9, -18, -7, -16}));
}

TEST(ElementwiseBinary, runs_again_with_new_input_values) {
  KernelRunner r(OpKind::kMul, ActivationAttrs{Activation::kRelu6});
  r.add_input<float>({3}, {1, -2, 5});
  r.add_input<float>({}, {2});
  r.add_output();
  ASSERT_TRUE(r.prepare(make_mul_f32()).is_ok());
  r.run();
  EXPECT_EQ(r.output<float>(0), (std::vector<float>{2, 0, 6}));
  r.run();
  EXPECT_EQ(r.output<float>(0), (std::vector<float>{2, 0, 6}));
}

// The planner's choice for a shape pair, through a throwaway node.
BroadcastPlan plan_for(const Shape& a, const Shape& b) {
  Graph g;
  Tensor ta, tb;
  ta.shape = a;
  tb.shape = b;
  g.add_tensor(ta);
  g.add_tensor(tb);
  g.nodes.push_back(Node{});
  g.nodes.back().op = OpKind::kAdd;
  g.nodes.back().inputs = {0, 1};
  PrepareContext ctx(g, 0);
  BroadcastPlan plan;
  Shape out;
  EXPECT_TRUE(plan_broadcast(ctx, g.tensors[0], g.tensors[1], &out, &plan)
                  .is_ok());
  return plan;
}

TEST(ElementwiseBinary, planner_picks_fast_paths) {
  EXPECT_EQ(plan_for({2, 3, 4}, {2, 3, 4}).kind, BroadcastKind::kFlat);
  EXPECT_EQ(plan_for({1, 8}, {8}).kind, BroadcastKind::kFlat);
  EXPECT_EQ(plan_for({2, 3, 4}, {}).kind, BroadcastKind::kScalarB);
  EXPECT_EQ(plan_for({1, 1}, {2, 3, 4}).kind, BroadcastKind::kScalarA);

  const BroadcastPlan repeat = plan_for({1, 5, 6, 16}, {16});
  EXPECT_EQ(repeat.kind, BroadcastKind::kRepeatB);
  EXPECT_EQ(repeat.outer, 30);
  EXPECT_EQ(repeat.inner, 16);
  EXPECT_EQ(plan_for({1, 1, 1, 16}, {2, 5, 6, 16}).kind,
            BroadcastKind::kRepeatA);
  // [5,6] is broadcast along the middle of a [4,5,6] output: still one
  // block repeated over the outer dim.
  EXPECT_EQ(plan_for({4, 5, 6}, {5, 6}).kind, BroadcastKind::kRepeatB);

  const BroadcastPlan general = plan_for({2, 1, 5, 1}, {1, 3, 1, 4});
  EXPECT_EQ(general.kind, BroadcastKind::kGeneral);
  EXPECT_EQ(general.rank, 4);
  const BroadcastPlan merged = plan_for({2, 3, 4, 1}, {1, 1, 4, 7});
  EXPECT_EQ(merged.kind, BroadcastKind::kGeneral);
  EXPECT_EQ(merged.rank, 3);  // [6, 4, 7]: the two outer dims merge
}

TEST(ElementwiseBinary, broadcast_apply_in_place) {
  const BroadcastPlan plan = plan_for({3, 11}, {11});
  std::vector<float> a = testing::random_floats(33, -1, 1, 7);
  const std::vector<float> b = testing::random_floats(11, -1, 1, 8);
  std::vector<float> want(33);
  for (int i = 0; i < 33; ++i) want[i] = a[i] + b[i % 11];
  broadcast_apply(plan, a.data(), b.data(), a.data(),
                  [](float x, float y) { return x + y; });
  EXPECT_EQ(a, want);
}

TEST(ElementwiseBinary, rejects_non_broadcastable_shapes) {
  KernelRunner r(OpKind::kAdd, ActivationAttrs{});
  r.add_input({2, 3}, std::vector<float>(6));
  r.add_input({4, 5}, std::vector<float>(20));
  r.add_output();
  const Status st = r.prepare(make_add_f32());
  EXPECT_EQ(st.code(), ErrorCode::kShapeMismatch);
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("2x3"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("4x5"), std::string::npos) << st.message();
}

TEST(ElementwiseBinary, rejects_size_zero_against_size_three) {
  KernelRunner r(OpKind::kMaximum);
  r.add_constant({0}, std::vector<float>{});
  r.add_input({3}, std::vector<float>(3));
  r.add_output();
  const Status st = r.prepare(make_maximum_f32());
  EXPECT_EQ(st.code(), ErrorCode::kShapeMismatch);
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos);
}

TEST(ElementwiseBinary, rejects_wrong_dtype) {
  for (int which = 0; which < 2; ++which) {
    KernelRunner r(OpKind::kMul, ActivationAttrs{});
    if (which == 0) {
      r.add_input({2}, std::vector<int32_t>{1, 2});
      r.add_input({2}, std::vector<float>{1, 2});
    } else {
      r.add_input({2}, std::vector<float>{1, 2});
      r.add_input({2}, std::vector<int8_t>{1, 2});
    }
    r.add_output();
    const Status st = r.prepare(make_mul_f32());
    EXPECT_EQ(st.code(), ErrorCode::kTypeMismatch);
    EXPECT_NE(st.message().find("'test_node'"), std::string::npos)
        << st.message();
  }
}

TEST(ElementwiseBinary, rejects_wrong_input_count) {
  KernelRunner r(OpKind::kAdd, ActivationAttrs{});
  r.add_input({2}, std::vector<float>{1, 2});
  r.add_output();
  const Status st = r.prepare(make_add_f32());
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos);
}

TEST(ElementwiseBinary, rejects_unexpected_attributes) {
  KernelRunner r(OpKind::kAdd, SoftmaxAttrs{});
  r.add_input({2}, std::vector<float>{1, 2});
  r.add_input({2}, std::vector<float>{1, 2});
  r.add_output();
  const Status st = r.prepare(make_add_f32());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidGraph);
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos);
}

}  // namespace
}  // namespace opscope::reference
