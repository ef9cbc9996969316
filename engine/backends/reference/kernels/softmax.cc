// SOFTMAX, LOG_SOFTMAX and HARDMAX on f32 over the last axis. SOFTMAX: y = exp(beta * x - m) / sum, where m
// is the row's largest beta * x so that every exponent is <= 0 and nothing
// overflows, whatever the magnitude of x or the sign of beta.
#include <cmath>
#include <memory>
#include <string>

#include "engine/backends/reference/kernels/elementwise_util.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

class SoftmaxKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, DType::kF32));
    OPSCOPE_RETURN_IF_ERROR(expect_single_output(ctx));
    SoftmaxAttrs attrs;
    OPSCOPE_RETURN_IF_ERROR(attrs_or_default(ctx, &attrs));
    if (!std::isfinite(attrs.beta)) {
      return ctx.error(ErrorCode::kInvalidGraph,
                       "beta " + std::to_string(attrs.beta) +
                           " is not finite");
    }
    beta_ = attrs.beta;
    OPSCOPE_ASSIGN_OR_RETURN(const shapes::SoftmaxRows r, shapes::softmax_rows(ctx));
    depth_ = r.depth;
    rows_ = r.rows;
    in_id_ = ctx.input_id(0);
    out_id_ = ctx.output_id(0);
    return Status::ok();
  }

  // In place (in == out) is fine: a row's reference value is found before
  // any of its outputs is written, and each x[i] is read before y[i].
  void run(const RunContext& ctx) override {
    const float* in = ctx.data<const float>(in_id_);
    float* out = ctx.data<float>(out_id_);
    const double beta = beta_;
    for (int64_t r = 0; r < rows_; ++r) {
      const float* x = in + r * depth_;
      float* y = out + r * depth_;
      // max(beta * x) is beta * max(x) for beta >= 0, beta * min(x) else.
      float ref = x[0];
      if (beta_ >= 0.0f) {
        for (int64_t i = 1; i < depth_; ++i) ref = x[i] > ref ? x[i] : ref;
      } else {
        for (int64_t i = 1; i < depth_; ++i) ref = x[i] < ref ? x[i] : ref;
      }
      // beta * (x - ref) in double: x - ref can exceed the f32 range for
      // |x| near FLT_MAX, and 0 * inf would be NaN. The result is <= 0;
      // below -FLT_MAX it becomes -inf and exp gives 0.
      float sum = 0.0f;
      for (int64_t i = 0; i < depth_; ++i) {
        const auto t = static_cast<float>(
            beta * (static_cast<double>(x[i]) - static_cast<double>(ref)));
        y[i] = std::exp(t);
        sum += y[i];
      }
      // sum >= 1: the reference element contributes exp(0).
      const float inv = 1.0f / sum;
      for (int64_t i = 0; i < depth_; ++i) y[i] *= inv;
    }
  }

 private:
  float beta_ = 1.0f;
  int64_t depth_ = 0, rows_ = 0;
  int in_id_ = -1, out_id_ = -1;
};

// LOG_SOFTMAX and HARDMAX over the last axis (op_kind.h): a row at a time.
// LOG_SOFTMAX subtracts the row's max before e^ and sums in double, so
// nothing overflows; HARDMAX marks the first largest element (NaN never
// compares larger).
template <bool kLog>
class RowKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, DType::kF32));
    OPSCOPE_RETURN_IF_ERROR(expect_single_output(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const shapes::SoftmaxRows r, shapes::softmax_rows(ctx));
    depth_ = r.depth;
    rows_ = r.rows;
    in_id_ = ctx.input_id(0);
    out_id_ = ctx.output_id(0);
    return Status::ok();
  }

  // In place is fine: each row's max (and sum) is found before its outputs
  // are written.
  void run(const RunContext& ctx) override {
    const float* in = ctx.data<const float>(in_id_);
    float* out = ctx.data<float>(out_id_);
    for (int64_t r = 0; r < rows_ && depth_ > 0; ++r) {
      const float* x = in + r * depth_;
      float* y = out + r * depth_;
      int64_t arg = 0;
      for (int64_t i = 1; i < depth_; ++i) arg = x[i] > x[arg] ? i : arg;
      if constexpr (kLog) {
        const double m = x[arg];
        double sum = 0.0;
        for (int64_t i = 0; i < depth_; ++i) sum += std::exp(static_cast<double>(x[i]) - m);
        const double shift = m + std::log(sum);
        for (int64_t i = 0; i < depth_; ++i) {
          y[i] = static_cast<float>(static_cast<double>(x[i]) - shift);
        }
      } else {
        for (int64_t i = 0; i < depth_; ++i) y[i] = i == arg ? 1.0f : 0.0f;
      }
    }
  }

 private:
  int64_t depth_ = 0, rows_ = 0;
  int in_id_ = -1, out_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_log_softmax_f32() { return std::make_unique<RowKernel<true>>(); }
std::unique_ptr<Kernel> make_hardmax_f32() { return std::make_unique<RowKernel<false>>(); }

std::unique_ptr<Kernel> make_softmax_f32() {
  return std::make_unique<SoftmaxKernel>();
}

}  // namespace opscope::reference
