// SOFTMAX, int8, over the last axis. Output scale 1/256 and zero point -128
// (TFLite's int8 contract). For a row with largest value m, element q gets
// e(q) = exp(beta * s_in * (q - m)) from a 256-entry table indexed by m - q
// (built at prepare, in double), and y = saturate(round(256 * e(q) / sum e)
// - 128). TFLite's int8 kernels compute the same quotient with a float
// table (optimized) or gemmlowp fixed point (reference), so they can differ
// by 1 LSB.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "engine/backends/reference/kernels/elementwise_util.h"
#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference::int8 {
namespace {

class SoftmaxI8 final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qin, int8_input_params(ctx, 0));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qout, int8_output_params(ctx));
    if (qout.scale != 1.0f / 256.0f || qout.zero_point != -128) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       "int8 SOFTMAX output must have scale 1/256 and zero point -128 "
                       "(TFLite's int8 contract), has scale " +
                           std::to_string(qout.scale) + " and zero point " +
                           std::to_string(qout.zero_point));
    }
    SoftmaxAttrs attrs;
    OPSCOPE_RETURN_IF_ERROR(attrs_or_default(ctx, &attrs));
    if (!std::isfinite(attrs.beta) || attrs.beta <= 0.0f) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "int8 SOFTMAX needs a finite beta > 0, has " + std::to_string(attrs.beta));
    }
    const Shape& in = ctx.input(0).shape;
    if (in.empty()) {
      return ctx.error(ErrorCode::kShapeMismatch, "input must have rank >= 1");
    }
    for (int d = 0; d < 256; ++d) {
      exp_table_[d] = std::exp(-static_cast<double>(attrs.beta) * qin.scale * d);
    }
    OPSCOPE_ASSIGN_OR_RETURN(const shapes::SoftmaxRows r, shapes::softmax_rows(ctx));
    depth_ = r.depth;
    rows_ = r.rows;
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const int8_t* x = ctx.data<const int8_t>(input_id_);
    int8_t* y = ctx.data<int8_t>(output_id_);
    for (int64_t r = 0; r < rows_; ++r) {
      const int8_t* xr = x + r * depth_;
      int8_t* yr = y + r * depth_;
      int32_t max_q = -128;
      for (int64_t i = 0; i < depth_; ++i) max_q = std::max<int32_t>(max_q, xr[i]);
      double sum = 0.0;
      for (int64_t i = 0; i < depth_; ++i) sum += exp_table_[max_q - xr[i]];
      // sum >= 1 (the largest element contributes exp(0)).
      const double to_q = 256.0 / sum;
      for (int64_t i = 0; i < depth_; ++i) {
        const double q = std::round(exp_table_[max_q - xr[i]] * to_q) - 128.0;
        yr[i] = static_cast<int8_t>(std::min(std::max(q, -128.0), 127.0));
      }
    }
  }

 private:
  std::array<double, 256> exp_table_{};
  int64_t depth_ = 0, rows_ = 0;
  int input_id_ = -1, output_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_softmax_i8() { return std::make_unique<SoftmaxI8>(); }

}  // namespace opscope::reference::int8
