// Unary f32 elementwise ops: RELU, RELU6, LEAKY_RELU, HARD_SWISH, LOGISTIC,
// TANH, RSQRT, LOG, EXP, SQRT, NEG, ABS, HARD_SIGMOID, the trigonometric and
// hyperbolic functions, FLOOR, CEIL, ROUND, RECIPROCAL, SIGN, ERF,
// SOFTPLUS, SOFTSIGN, ELU, SELU, CELU, THRESHOLDED_RELU (op_kind.h). Output
// has the input's shape.
#include <cmath>
#include <cstring>
#include <memory>
#include <type_traits>

#include "engine/backends/reference/kernels/elementwise_util.h"
#include "engine/backends/reference/kernels/kernels.h"

namespace opscope::reference {
namespace {

constexpr int64_t kBlock = 8;

// Each op is a functor; init() reads its parameters in prepare().
struct NoParams {
  Status init(const PrepareContext&) { return Status::ok(); }
};

struct ReluOp : NoParams {
  float operator()(float x) const { return x > 0.0f ? x : 0.0f; }
};

struct Relu6Op : NoParams {
  float operator()(float x) const {
    const float y = x > 0.0f ? x : 0.0f;
    return y < 6.0f ? y : 6.0f;
  }
};

struct LeakyReluOp {
  float alpha = 0.2f;
  Status init(const PrepareContext& ctx) {
    LeakyReluAttrs attrs;
    OPSCOPE_RETURN_IF_ERROR(attrs_or_default(ctx, &attrs));
    alpha = attrs.alpha;
    return Status::ok();
  }
  float operator()(float x) const { return x > 0.0f ? x : alpha * x; }
};

// x * relu6(x + 3) / 6, as TFLite's reference.
struct HardSwishOp : NoParams {
  float operator()(float x) const {
    float r = x + 3.0f;
    r = r > 0.0f ? r : 0.0f;
    r = r < 6.0f ? r : 6.0f;
    return x * r / 6.0f;
  }
};

// 1 / (1 + e^-x) evaluated with e = e^-|x| <= 1, so nothing overflows:
// x >= 0 gives 1 / (1 + e), x < 0 gives e / (1 + e). Large negative x
// underflows gracefully to 0 (or a subnormal) instead of 1 / inf.
struct LogisticOp : NoParams {
  float operator()(float x) const {
    const float e = std::exp(-std::fabs(x));
    const float r = 1.0f / (1.0f + e);
    return x >= 0.0f ? r : e * r;
  }
};

struct TanhOp : NoParams {
  float operator()(float x) const { return std::tanh(x); }
};

// IEEE semantics: rsqrt(0) = inf, rsqrt(x < 0) = NaN; no checks.
struct RsqrtOp : NoParams {
  float operator()(float x) const { return 1.0f / std::sqrt(x); }
};

// log(0) = -inf, log(x < 0) = NaN.
struct LogOp : NoParams {
  float operator()(float x) const { return std::log(x); }
};

// e^x: overflows to inf above ~88.7, underflows to 0.
struct ExpOp : NoParams {
  float operator()(float x) const { return std::exp(x); }
};

// sqrt(x < 0) = NaN.
struct SqrtOp : NoParams {
  float operator()(float x) const { return std::sqrt(x); }
};

struct NegOp : NoParams {
  float operator()(float x) const { return -x; }
};

struct AbsOp : NoParams {
  float operator()(float x) const { return std::fabs(x); }
};

// clamp(alpha * x + beta, 0, 1), as ONNX's HardSigmoid.
struct HardSigmoidOp {
  float alpha = 0.2f, beta = 0.5f;
  Status init(const PrepareContext& ctx) {
    HardSigmoidAttrs attrs;
    OPSCOPE_RETURN_IF_ERROR(attrs_or_default(ctx, &attrs));
    alpha = attrs.alpha;
    beta = attrs.beta;
    return Status::ok();
  }
  float operator()(float x) const {
    const float y = alpha * x + beta;
    return y < 0.0f ? 0.0f : (y > 1.0f ? 1.0f : y);
  }
};

struct SinOp : NoParams {
  float operator()(float x) const { return std::sin(x); }
};

struct CosOp : NoParams {
  float operator()(float x) const { return std::cos(x); }
};

struct TanOp : NoParams {
  float operator()(float x) const { return std::tan(x); }
};

struct AsinOp : NoParams {
  float operator()(float x) const { return std::asin(x); }
};

struct AcosOp : NoParams {
  float operator()(float x) const { return std::acos(x); }
};

struct AtanOp : NoParams {
  float operator()(float x) const { return std::atan(x); }
};

struct SinhOp : NoParams {
  float operator()(float x) const { return std::sinh(x); }
};

struct CoshOp : NoParams {
  float operator()(float x) const { return std::cosh(x); }
};

struct AsinhOp : NoParams {
  float operator()(float x) const { return std::asinh(x); }
};

struct AcoshOp : NoParams {
  float operator()(float x) const { return std::acosh(x); }
};

struct AtanhOp : NoParams {
  float operator()(float x) const { return std::atanh(x); }
};

struct FloorOp : NoParams {
  float operator()(float x) const { return std::floor(x); }
};

struct CeilOp : NoParams {
  float operator()(float x) const { return std::ceil(x); }
};

struct RoundOp : NoParams {
  float operator()(float x) const { return std::nearbyint(x); }
};

struct ReciprocalOp : NoParams {
  float operator()(float x) const { return 1.0f / x; }
};

struct SignOp : NoParams {
  float operator()(float x) const { return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x); }
};

struct ErfOp : NoParams {
  float operator()(float x) const { return std::erf(x); }
};

struct SoftplusOp : NoParams {
  float operator()(float x) const { return x > 0.0f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
};

struct SoftsignOp : NoParams {
  float operator()(float x) const { return x / (1.0f + std::fabs(x)); }
};

// The ops with UnaryParamsAttrs.
struct ParamsOp {
  float alpha = 1.0f, gamma = 1.0f;
  Status init(const PrepareContext& ctx) {
    UnaryParamsAttrs attrs;
    OPSCOPE_RETURN_IF_ERROR(attrs_or_default(ctx, &attrs));
    alpha = attrs.alpha;
    gamma = attrs.gamma;
    return Status::ok();
  }
};

struct EluOp : ParamsOp {
  float operator()(float x) const { return x >= 0.0f ? x : alpha * std::expm1(x); }
};

struct SeluOp : ParamsOp {
  float operator()(float x) const { return gamma * (x > 0.0f ? x : alpha * std::expm1(x)); }
};

struct CeluOp : ParamsOp {
  float operator()(float x) const {
    const float neg = alpha * std::expm1(x / alpha);
    return (x > 0.0f ? x : 0.0f) + (neg < 0.0f ? neg : 0.0f);
  }
};

struct ThresholdedReluOp : ParamsOp {
  float operator()(float x) const { return x > alpha ? x : 0.0f; }
};

template <typename Op>
class UnaryKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, DType::kF32));
    OPSCOPE_RETURN_IF_ERROR(expect_single_output(ctx));
    OPSCOPE_RETURN_IF_ERROR(op_.init(ctx));
    const Tensor& in = ctx.input(0);
    Tensor& out = ctx.output(0);
    out.shape = in.shape;
    out.dtype = DType::kF32;
    size_ = in.elements();
    in_id_ = ctx.input_id(0);
    out_id_ = ctx.output_id(0);
    return Status::ok();
  }

  // Blocks through a local array so that GCC at -O2 vectorizes the cheap
  // ops (see broadcast.h's inner loops for why). In place (in == out) is
  // fine: a block is read before it is written.
  void run(const RunContext& ctx) override {
    const float* in = ctx.data<const float>(in_id_);
    float* out = ctx.data<float>(out_id_);
    const Op op = op_;
    int64_t i = 0;
    for (; i + kBlock <= size_; i += kBlock) {
      float block[kBlock];
      for (int64_t j = 0; j < kBlock; ++j) block[j] = op(in[i + j]);
      std::memcpy(out + i, block, sizeof(block));
    }
    for (; i < size_; ++i) out[i] = op(in[i]);
  }

 private:
  Op op_;
  int64_t size_ = 0;
  int in_id_ = -1, out_id_ = -1;
};

template <typename Op>
std::unique_ptr<Kernel> make_unary() {
  return std::make_unique<UnaryKernel<Op>>();
}

}  // namespace

std::unique_ptr<Kernel> make_relu_f32() { return make_unary<ReluOp>(); }
std::unique_ptr<Kernel> make_relu6_f32() { return make_unary<Relu6Op>(); }
std::unique_ptr<Kernel> make_leaky_relu_f32() {
  return make_unary<LeakyReluOp>();
}
std::unique_ptr<Kernel> make_hard_swish_f32() {
  return make_unary<HardSwishOp>();
}
std::unique_ptr<Kernel> make_logistic_f32() {
  return make_unary<LogisticOp>();
}
std::unique_ptr<Kernel> make_tanh_f32() { return make_unary<TanhOp>(); }
std::unique_ptr<Kernel> make_rsqrt_f32() { return make_unary<RsqrtOp>(); }
std::unique_ptr<Kernel> make_log_f32() { return make_unary<LogOp>(); }
std::unique_ptr<Kernel> make_exp_f32() { return make_unary<ExpOp>(); }
std::unique_ptr<Kernel> make_sqrt_f32() { return make_unary<SqrtOp>(); }
std::unique_ptr<Kernel> make_neg_f32() { return make_unary<NegOp>(); }
std::unique_ptr<Kernel> make_abs_f32() { return make_unary<AbsOp>(); }
std::unique_ptr<Kernel> make_hard_sigmoid_f32() {
  return make_unary<HardSigmoidOp>();
}
std::unique_ptr<Kernel> make_sin_f32() { return make_unary<SinOp>(); }
std::unique_ptr<Kernel> make_cos_f32() { return make_unary<CosOp>(); }
std::unique_ptr<Kernel> make_tan_f32() { return make_unary<TanOp>(); }
std::unique_ptr<Kernel> make_asin_f32() { return make_unary<AsinOp>(); }
std::unique_ptr<Kernel> make_acos_f32() { return make_unary<AcosOp>(); }
std::unique_ptr<Kernel> make_atan_f32() { return make_unary<AtanOp>(); }
std::unique_ptr<Kernel> make_sinh_f32() { return make_unary<SinhOp>(); }
std::unique_ptr<Kernel> make_cosh_f32() { return make_unary<CoshOp>(); }
std::unique_ptr<Kernel> make_asinh_f32() { return make_unary<AsinhOp>(); }
std::unique_ptr<Kernel> make_acosh_f32() { return make_unary<AcoshOp>(); }
std::unique_ptr<Kernel> make_atanh_f32() { return make_unary<AtanhOp>(); }
std::unique_ptr<Kernel> make_floor_f32() { return make_unary<FloorOp>(); }
std::unique_ptr<Kernel> make_ceil_f32() { return make_unary<CeilOp>(); }
std::unique_ptr<Kernel> make_round_f32() { return make_unary<RoundOp>(); }
std::unique_ptr<Kernel> make_reciprocal_f32() { return make_unary<ReciprocalOp>(); }
std::unique_ptr<Kernel> make_sign_f32() { return make_unary<SignOp>(); }
std::unique_ptr<Kernel> make_erf_f32() { return make_unary<ErfOp>(); }
std::unique_ptr<Kernel> make_softplus_f32() { return make_unary<SoftplusOp>(); }
std::unique_ptr<Kernel> make_softsign_f32() { return make_unary<SoftsignOp>(); }
std::unique_ptr<Kernel> make_elu_f32() { return make_unary<EluOp>(); }
std::unique_ptr<Kernel> make_selu_f32() { return make_unary<SeluOp>(); }
std::unique_ptr<Kernel> make_celu_f32() { return make_unary<CeluOp>(); }
std::unique_ptr<Kernel> make_thresholded_relu_f32() { return make_unary<ThresholdedReluOp>(); }

namespace {

// NEG on integers, for shape arithmetic (ONNX's Neg on int64 axes counts);
// wraps like the two's-complement hardware at the type's minimum.
template <typename T>
class IntNegKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
    OPSCOPE_RETURN_IF_ERROR(expect_single_output(ctx));
    const Tensor& in = ctx.input(0);
    ctx.output(0).shape = in.shape;
    ctx.output(0).dtype = in.dtype;
    size_ = in.elements();
    in_id_ = ctx.input_id(0);
    out_id_ = ctx.output_id(0);
    return Status::ok();
  }
  void run(const RunContext& ctx) override {
    using U = std::make_unsigned_t<T>;
    const T* in = ctx.data<const T>(in_id_);
    T* out = ctx.data<T>(out_id_);
    for (int64_t i = 0; i < size_; ++i) out[i] = static_cast<T>(U{0} - static_cast<U>(in[i]));
  }

 private:
  int64_t size_ = 0;
  int in_id_ = -1, out_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_neg_i32() { return std::make_unique<IntNegKernel<int32_t>>(); }
std::unique_ptr<Kernel> make_neg_i64() { return std::make_unique<IntNegKernel<int64_t>>(); }

}  // namespace opscope::reference
