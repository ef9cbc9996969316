// ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM on f32 with numpy broadcasting and a fused
// activation (ActivationAttrs, or none when the node has no attributes).
#include <cmath>
#include <memory>
#include <string>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/backends/reference/kernels/broadcast.h"
#include "engine/backends/reference/kernels/elementwise_util.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

struct AddOp {
  float operator()(float a, float b) const { return a + b; }
};
struct SubOp {
  float operator()(float a, float b) const { return a - b; }
};
struct MulOp {
  float operator()(float a, float b) const { return a * b; }
};
// As TFLite's maximum/minimum kernels (el1 > el2 ? el1 : el2).
struct MaximumOp {
  float operator()(float a, float b) const { return a > b ? a : b; }
};
struct MinimumOp {
  float operator()(float a, float b) const { return a < b ? a : b; }
};
struct DivOp {
  float operator()(float a, float b) const { return a / b; }
};
struct PowOp {
  float operator()(float a, float b) const { return std::pow(a, b); }
};

// Op followed by a clamp activation (RELU, RELU_N1_TO_1, RELU6), fused into
// the same loop.
template <typename Op>
struct Clamped {
  Op op;
  ActivationRange range;
  float operator()(float a, float b) const {
    return apply_activation(op(a, b), range);
  }
};

template <typename Op>
class BinaryKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(expect_f32_binary_inputs(ctx));
    ActivationAttrs attrs;
    OPSCOPE_RETURN_IF_ERROR(attrs_or_default(ctx, &attrs));
    activation_ = attrs.activation;
    if (activation_ > Activation::kTanh) {
      return ctx.error(ErrorCode::kInvalidGraph,
                       "has an unknown fused activation (" +
                           std::to_string(static_cast<int>(activation_)) +
                           ")");
    }
    range_ = activation_range(activation_);

    OPSCOPE_ASSIGN_OR_RETURN(plan_, shapes::binary_broadcast(ctx));
    a_id_ = ctx.input_id(0);
    b_id_ = ctx.input_id(1);
    out_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const float* a = ctx.data<const float>(a_id_);
    const float* b = ctx.data<const float>(b_id_);
    float* out = ctx.data<float>(out_id_);
    switch (activation_) {
      case Activation::kNone:
        broadcast_apply(plan_, a, b, out, Op{});
        break;
      case Activation::kTanh:
        broadcast_apply(plan_, a, b, out, Op{});
        apply_activation(out, plan_.size, Activation::kTanh);
        break;
      case Activation::kRelu:
      case Activation::kReluN1To1:
      case Activation::kRelu6:
        broadcast_apply(plan_, a, b, out, Clamped<Op>{Op{}, range_});
        break;
    }
  }

 private:
  BroadcastPlan plan_;
  Activation activation_ = Activation::kNone;
  ActivationRange range_;
  int a_id_ = -1, b_id_ = -1, out_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_add_f32() {
  return std::make_unique<BinaryKernel<AddOp>>();
}
std::unique_ptr<Kernel> make_sub_f32() {
  return std::make_unique<BinaryKernel<SubOp>>();
}
std::unique_ptr<Kernel> make_mul_f32() {
  return std::make_unique<BinaryKernel<MulOp>>();
}
std::unique_ptr<Kernel> make_maximum_f32() {
  return std::make_unique<BinaryKernel<MaximumOp>>();
}
std::unique_ptr<Kernel> make_minimum_f32() {
  return std::make_unique<BinaryKernel<MinimumOp>>();
}
std::unique_ptr<Kernel> make_div_f32() {
  return std::make_unique<BinaryKernel<DivOp>>();
}
std::unique_ptr<Kernel> make_pow_f32() {
  return std::make_unique<BinaryKernel<PowOp>>();
}

}  // namespace opscope::reference
