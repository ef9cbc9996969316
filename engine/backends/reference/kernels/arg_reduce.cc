// ARG_MAX and ARG_MIN, f32 -> i64 (op_kind.h): x as [outer, count, inner],
// one index per (outer, inner), the first extreme or with select_last the
// last; comparisons with NaN are false, so a NaN never wins.
#include <memory>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

template <bool kMax>
class ArgKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::arg_reduce(ctx));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, DType::kF32));
    OPSCOPE_ASSIGN_OR_RETURN(const ArgAttrs attrs, shapes::node_attrs<ArgAttrs>(ctx));
    const Shape& x = ctx.input(0).shape;
    outer_ = inner_ = 1;
    for (int d = 0; d < static_cast<int>(x.size()); ++d) {
      if (d < attrs.axis) outer_ *= x[static_cast<size_t>(d)];
      if (d > attrs.axis) inner_ *= x[static_cast<size_t>(d)];
    }
    count_ = x[static_cast<size_t>(attrs.axis)];
    last_ = attrs.select_last;
    x_id_ = ctx.input_id(0);
    y_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const float* x = ctx.data<const float>(x_id_);
    auto* y = ctx.data<int64_t>(y_id_);
    for (int64_t o = 0; o < outer_; ++o) {
      for (int64_t i = 0; i < inner_; ++i) {
        const float* p = x + o * count_ * inner_ + i;
        int64_t best = 0;
        for (int64_t k = 1; k < count_; ++k) {
          const float v = p[k * inner_], b = p[best * inner_];
          const bool better = kMax ? (last_ ? v >= b : v > b) : (last_ ? v <= b : v < b);
          if (better) best = k;
        }
        y[o * inner_ + i] = best;
      }
    }
  }

 private:
  int64_t outer_ = 1, count_ = 1, inner_ = 1;
  bool last_ = false;
  int x_id_ = -1, y_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_arg_max_f32() { return std::make_unique<ArgKernel<true>>(); }
std::unique_ptr<Kernel> make_arg_min_f32() { return std::make_unique<ArgKernel<false>>(); }

}  // namespace opscope::reference
