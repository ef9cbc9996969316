// CAST (op_kind.h) between f32, i32, i64 and bool, elementwise: float to
// integer truncates toward zero, saturates at the target's range and maps
// NaN to 0 (ONNX leaves those cases undefined; the importer's constant
// folding does the same); any non-zero value is true.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/graph.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

template <typename To>
To convert(double v) {
  if constexpr (std::is_same_v<To, float>) {
    return static_cast<float>(v);
  } else {
    if (std::isnan(v)) return 0;
    if (v <= static_cast<double>(std::numeric_limits<To>::min())) return std::numeric_limits<To>::min();
    if (v >= static_cast<double>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(v);
  }
}

template <typename From, typename To>
void cast_all(const void* in, void* out, int64_t n) {
  const auto* x = static_cast<const From*>(in);
  auto* y = static_cast<To*>(out);
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<To, uint8_t>) {  // bool
      y[i] = x[i] != From{0};
    } else if constexpr (std::is_integral_v<From> && std::is_integral_v<To> &&
                         sizeof(To) >= sizeof(From)) {
      y[i] = static_cast<To>(x[i]);  // exact: i32 -> i64, bool -> any
    } else {
      y[i] = convert<To>(static_cast<double>(x[i]));
    }
  }
}

using CastFn = void (*)(const void*, void*, int64_t);

template <typename From>
CastFn cast_from(DType to) {
  switch (to) {
    case DType::kF32: return cast_all<From, float>;
    case DType::kI32: return cast_all<From, int32_t>;
    case DType::kI64: return cast_all<From, int64_t>;
    case DType::kBool: return cast_all<From, uint8_t>;
    default: return nullptr;
  }
}

CastFn pick(DType from, DType to) {
  switch (from) {
    case DType::kF32: return cast_from<float>(to);
    case DType::kI32: return cast_from<int32_t>(to);
    case DType::kI64: return cast_from<int64_t>(to);
    case DType::kBool: return cast_from<uint8_t>(to);
    default: return nullptr;
  }
}

class CastKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::cast(ctx));
    fn_ = pick(ctx.input(0).dtype, ctx.output(0).dtype);
    if (fn_ == nullptr) return ctx.error(ErrorCode::kTypeMismatch, "has no such cast");
    in_ = ctx.input_id(0);
    out_ = ctx.output_id(0);
    n_ = ctx.input(0).elements();
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    fn_(ctx.data<const void>(in_), ctx.data<void>(out_), n_);
  }

 private:
  CastFn fn_ = nullptr;
  int in_ = -1, out_ = -1;
  int64_t n_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> make_cast() { return std::make_unique<CastKernel>(); }

}  // namespace opscope::reference
