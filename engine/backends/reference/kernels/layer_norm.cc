// LAYER_NORM, f32 (op_kind.h): each row of `inner` elements (the dims from
// the axis on) is normalized by its mean and variance, both in double, then
// scaled and shifted per element (or by one value). The optional outputs
// take the row's mean and 1 / sqrt(var + epsilon).
#include <cmath>
#include <memory>
#include <string>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

class LayerNormKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::layer_norm(ctx));
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      if (ctx.has_input(i)) OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(i, DType::kF32));
    }
    OPSCOPE_ASSIGN_OR_RETURN(const LayerNormAttrs attrs, shapes::node_attrs<LayerNormAttrs>(ctx));
    const Shape& x = ctx.input(0).shape;
    inner_ = 1;
    for (size_t d = static_cast<size_t>(attrs.axis); d < x.size(); ++d) inner_ *= x[d];
    rows_ = inner_ > 0 ? num_elements(x) / inner_ : 0;
    epsilon_ = attrs.epsilon;
    for (int i = 1; i < 3; ++i) {
      step_[i] = 0;
      if (!ctx.has_input(i)) continue;
      const int64_t n = ctx.input(i).elements();
      if (n != 1 && n != inner_) {
        return ctx.error(ErrorCode::kShapeMismatch,
                         std::string(i == 1 ? "scale" : "bias") + " has " + std::to_string(n) +
                             " elements; one or one per normalized element (" +
                             std::to_string(inner_) + ") expected");
      }
      step_[i] = n == 1 ? 0 : 1;
    }
    x_id_ = ctx.input_id(0);
    scale_id_ = ctx.input_id(1);
    bias_id_ = ctx.has_input(2) ? ctx.input_id(2) : -1;
    y_id_ = ctx.output_id(0);
    mean_id_ = ctx.num_outputs() > 1 ? ctx.output_id(1) : -1;
    inv_id_ = ctx.num_outputs() > 2 ? ctx.output_id(2) : -1;
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const float* x = ctx.data<const float>(x_id_);
    const float* scale = ctx.data<const float>(scale_id_);
    const float* bias = bias_id_ >= 0 ? ctx.data<const float>(bias_id_) : nullptr;
    float* y = ctx.data<float>(y_id_);
    float* mean_out = mean_id_ >= 0 ? ctx.data<float>(mean_id_) : nullptr;
    float* inv_out = inv_id_ >= 0 ? ctx.data<float>(inv_id_) : nullptr;
    for (int64_t r = 0; r < rows_; ++r) {
      const float* xr = x + r * inner_;
      double sum = 0.0;
      for (int64_t i = 0; i < inner_; ++i) sum += xr[i];
      const double mean = sum / static_cast<double>(inner_);
      double var = 0.0;
      for (int64_t i = 0; i < inner_; ++i) {
        const double d = xr[i] - mean;
        var += d * d;
      }
      var /= static_cast<double>(inner_);
      const double inv = 1.0 / std::sqrt(var + epsilon_);
      float* yr = y + r * inner_;
      for (int64_t i = 0; i < inner_; ++i) {
        const double b = bias ? bias[i * step_[2]] : 0.0;
        yr[i] = static_cast<float>((xr[i] - mean) * inv * scale[i * step_[1]] + b);
      }
      if (mean_out) mean_out[r] = static_cast<float>(mean);
      if (inv_out) inv_out[r] = static_cast<float>(inv);
    }
  }

 private:
  int64_t rows_ = 0, inner_ = 0;
  int64_t step_[3] = {0, 0, 0};
  double epsilon_ = 1e-5;
  int x_id_ = -1, scale_id_ = -1, bias_id_ = -1, y_id_ = -1, mean_id_ = -1, inv_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_layer_norm_f32() { return std::make_unique<LayerNormKernel>(); }

}  // namespace opscope::reference
