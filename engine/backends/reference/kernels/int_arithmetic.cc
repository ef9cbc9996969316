// ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM on i32 and i64 with numpy
// broadcasting: the shape arithmetic of ONNX graphs computed at run time
// (Shape -> Mul -> Reshape, index offsets). No fused activation. Sums and
// products wrap on overflow (two's complement, as ONNX Runtime's integers);
// division truncates toward zero, and x / 0 is 0 (run() cannot fail; ONNX
// leaves it undefined).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "engine/backends/reference/kernels/broadcast.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

template <typename T>
using Unsigned = std::make_unsigned_t<T>;

struct IntAdd {
  template <typename T>
  T operator()(T a, T b) const {
    return static_cast<T>(static_cast<Unsigned<T>>(a) + static_cast<Unsigned<T>>(b));
  }
};
struct IntSub {
  template <typename T>
  T operator()(T a, T b) const {
    return static_cast<T>(static_cast<Unsigned<T>>(a) - static_cast<Unsigned<T>>(b));
  }
};
struct IntMul {
  template <typename T>
  T operator()(T a, T b) const {
    return static_cast<T>(static_cast<Unsigned<T>>(a) * static_cast<Unsigned<T>>(b));
  }
};
struct IntDiv {
  template <typename T>
  T operator()(T a, T b) const {
    if (b == 0) return 0;
    if (b == -1) return IntSub{}(T{0}, a);  // the lowest value / -1 wraps
    return a / b;
  }
};
struct IntMax {
  template <typename T>
  T operator()(T a, T b) const { return std::max(a, b); }
};
struct IntMin {
  template <typename T>
  T operator()(T a, T b) const { return std::min(a, b); }
};

template <typename T, typename Op>
class IntBinaryKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    constexpr DType kDType = std::is_same_v<T, int64_t> ? DType::kI64 : DType::kI32;
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, kDType));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(1, kDType));
    if (!std::holds_alternative<std::monostate>(ctx.node().attrs)) {
      if (const auto* a = std::get_if<ActivationAttrs>(&ctx.node().attrs);
          a == nullptr || a->activation != Activation::kNone) {
        return ctx.error(ErrorCode::kUnsupportedOp,
                         "has a fused activation, which integer arithmetic does not take");
      }
    }
    OPSCOPE_ASSIGN_OR_RETURN(plan_, shapes::binary_broadcast(ctx));
    a_id_ = ctx.input_id(0);
    b_id_ = ctx.input_id(1);
    out_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    broadcast_apply(plan_, ctx.data<const T>(a_id_), ctx.data<const T>(b_id_),
                    ctx.data<T>(out_id_), Op{});
  }

 private:
  BroadcastPlan plan_;
  int a_id_ = -1, b_id_ = -1, out_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_add_i32() {
  return std::make_unique<IntBinaryKernel<int32_t, IntAdd>>();
}
std::unique_ptr<Kernel> make_add_i64() {
  return std::make_unique<IntBinaryKernel<int64_t, IntAdd>>();
}
std::unique_ptr<Kernel> make_sub_i32() {
  return std::make_unique<IntBinaryKernel<int32_t, IntSub>>();
}
std::unique_ptr<Kernel> make_sub_i64() {
  return std::make_unique<IntBinaryKernel<int64_t, IntSub>>();
}
std::unique_ptr<Kernel> make_mul_i32() {
  return std::make_unique<IntBinaryKernel<int32_t, IntMul>>();
}
std::unique_ptr<Kernel> make_mul_i64() {
  return std::make_unique<IntBinaryKernel<int64_t, IntMul>>();
}
std::unique_ptr<Kernel> make_div_i32() {
  return std::make_unique<IntBinaryKernel<int32_t, IntDiv>>();
}
std::unique_ptr<Kernel> make_div_i64() {
  return std::make_unique<IntBinaryKernel<int64_t, IntDiv>>();
}
std::unique_ptr<Kernel> make_maximum_i32() {
  return std::make_unique<IntBinaryKernel<int32_t, IntMax>>();
}
std::unique_ptr<Kernel> make_maximum_i64() {
  return std::make_unique<IntBinaryKernel<int64_t, IntMax>>();
}
std::unique_ptr<Kernel> make_minimum_i32() {
  return std::make_unique<IntBinaryKernel<int32_t, IntMin>>();
}
std::unique_ptr<Kernel> make_minimum_i64() {
  return std::make_unique<IntBinaryKernel<int64_t, IntMin>>();
}

}  // namespace opscope::reference
