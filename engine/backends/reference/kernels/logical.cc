// EQUAL ... GREATER_EQUAL (f32, i32, i64; equality also bool), LOGICAL_AND,
// LOGICAL_OR, LOGICAL_XOR with numpy broadcasting, LOGICAL_NOT, IS_NAN and
// IS_INF (op_kind.h). Bool is one byte, 0 or 1; a bool input byte other
// than 0 counts as true.
#include <cmath>
#include <cstdint>
#include <memory>

#include "engine/backends/reference/kernels/broadcast.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

struct EqualOp {
  template <typename T>
  uint8_t operator()(T a, T b) const { return a == b; }
};
struct NotEqualOp {
  template <typename T>
  uint8_t operator()(T a, T b) const { return !(a == b); }
};
struct LessOp {
  template <typename T>
  uint8_t operator()(T a, T b) const { return a < b; }
};
struct LessEqualOp {
  template <typename T>
  uint8_t operator()(T a, T b) const { return a <= b; }
};
struct GreaterOp {
  template <typename T>
  uint8_t operator()(T a, T b) const { return a > b; }
};
struct GreaterEqualOp {
  template <typename T>
  uint8_t operator()(T a, T b) const { return a >= b; }
};
// Op on bool operands: any non-zero byte is true.
template <typename Op>
struct OnBools {
  uint8_t operator()(uint8_t a, uint8_t b) const { return Op{}(a != 0, b != 0); }
};
struct AndOp {
  uint8_t operator()(uint8_t a, uint8_t b) const { return (a != 0) & (b != 0); }
};
struct OrOp {
  uint8_t operator()(uint8_t a, uint8_t b) const { return (a != 0) | (b != 0); }
};
struct XorOp {
  uint8_t operator()(uint8_t a, uint8_t b) const { return (a != 0) ^ (b != 0); }
};

// (a, b) -> bool over the broadcast plan, for the operand dtype found at
// prepare.
template <typename Op>
class CompareKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_ASSIGN_OR_RETURN(plan_, shapes::compare_broadcast(ctx));
    dtype_ = ctx.input(0).dtype;
    a_id_ = ctx.input_id(0);
    b_id_ = ctx.input_id(1);
    out_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    auto* out = ctx.data<uint8_t>(out_id_);
    switch (dtype_) {
      case DType::kI32: apply<int32_t>(ctx, out); break;
      case DType::kI64: apply<int64_t>(ctx, out); break;
      case DType::kBool: apply_bool(ctx, out); break;
      default: apply<float>(ctx, out); break;
    }
  }

 private:
  template <typename T>
  void apply(const RunContext& ctx, uint8_t* out) const {
    broadcast_apply(plan_, ctx.data<const T>(a_id_), ctx.data<const T>(b_id_), out, Op{});
  }
  // EQUAL and NOT_EQUAL only: the shape rule refuses bool for the others.
  void apply_bool(const RunContext& ctx, uint8_t* out) const {
    broadcast_apply(plan_, ctx.data<const uint8_t>(a_id_), ctx.data<const uint8_t>(b_id_), out,
                    OnBools<Op>{});
  }

  BroadcastPlan plan_;
  DType dtype_ = DType::kF32;
  int a_id_ = -1, b_id_ = -1, out_id_ = -1;
};

template <typename Op>
class LogicalKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_ASSIGN_OR_RETURN(plan_, shapes::compare_broadcast(ctx));
    a_id_ = ctx.input_id(0);
    b_id_ = ctx.input_id(1);
    out_id_ = ctx.output_id(0);
    return Status::ok();
  }
  void run(const RunContext& ctx) override {
    broadcast_apply(plan_, ctx.data<const uint8_t>(a_id_), ctx.data<const uint8_t>(b_id_),
                    ctx.data<uint8_t>(out_id_), Op{});
  }

 private:
  BroadcastPlan plan_;
  int a_id_ = -1, b_id_ = -1, out_id_ = -1;
};

// LOGICAL_NOT, IS_NAN, IS_INF: one bool per element of x.
class BoolUnaryKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::bool_of_input(ctx));
    op_ = ctx.node().op;
    if (op_ == OpKind::kIsInf) {
      OPSCOPE_ASSIGN_OR_RETURN(inf_, shapes::node_attrs<IsInfAttrs>(ctx));
    }
    n_ = ctx.input(0).elements();
    x_id_ = ctx.input_id(0);
    out_id_ = ctx.output_id(0);
    return Status::ok();
  }
  void run(const RunContext& ctx) override {
    auto* out = ctx.data<uint8_t>(out_id_);
    if (op_ == OpKind::kLogicalNot) {
      const auto* x = ctx.data<const uint8_t>(x_id_);
      for (int64_t i = 0; i < n_; ++i) out[i] = x[i] == 0;
      return;
    }
    const float* x = ctx.data<const float>(x_id_);
    if (op_ == OpKind::kIsNaN) {
      for (int64_t i = 0; i < n_; ++i) out[i] = std::isnan(x[i]);
      return;
    }
    for (int64_t i = 0; i < n_; ++i) {
      out[i] = std::isinf(x[i]) && (x[i] > 0 ? inf_.positive : inf_.negative);
    }
  }

 private:
  OpKind op_ = OpKind::kLogicalNot;
  IsInfAttrs inf_;
  int64_t n_ = 0;
  int x_id_ = -1, out_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_equal() { return std::make_unique<CompareKernel<EqualOp>>(); }
std::unique_ptr<Kernel> make_not_equal() {
  return std::make_unique<CompareKernel<NotEqualOp>>();
}
std::unique_ptr<Kernel> make_less() { return std::make_unique<CompareKernel<LessOp>>(); }
std::unique_ptr<Kernel> make_less_equal() {
  return std::make_unique<CompareKernel<LessEqualOp>>();
}
std::unique_ptr<Kernel> make_greater() { return std::make_unique<CompareKernel<GreaterOp>>(); }
std::unique_ptr<Kernel> make_greater_equal() {
  return std::make_unique<CompareKernel<GreaterEqualOp>>();
}
std::unique_ptr<Kernel> make_logical_and() { return std::make_unique<LogicalKernel<AndOp>>(); }
std::unique_ptr<Kernel> make_logical_or() { return std::make_unique<LogicalKernel<OrOp>>(); }
std::unique_ptr<Kernel> make_logical_xor() { return std::make_unique<LogicalKernel<XorOp>>(); }
std::unique_ptr<Kernel> make_bool_unary() { return std::make_unique<BoolUnaryKernel>(); }

}  // namespace opscope::reference
