// PRELU on f32: (x, alpha) -> x >= 0 ? x : alpha * x, with alpha
// broadcasting against x by numpy rules (typically [1,1,C] or [C] against
// NHWC). alpha may be constant or computed; it is read at every run.
#include <memory>

#include "engine/backends/reference/kernels/broadcast.h"
#include "engine/backends/reference/kernels/elementwise_util.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

struct PreluOp {
  float operator()(float x, float alpha) const {
    return x >= 0.0f ? x : alpha * x;
  }
};

class PreluKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(expect_f32_binary_inputs(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(plan_, shapes::binary_broadcast(ctx));
    x_id_ = ctx.input_id(0);
    alpha_id_ = ctx.input_id(1);
    out_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    broadcast_apply(plan_, ctx.data<const float>(x_id_),
                    ctx.data<const float>(alpha_id_), ctx.data<float>(out_id_),
                    PreluOp{});
  }

 private:
  BroadcastPlan plan_;
  int x_id_ = -1, alpha_id_ = -1, out_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_prelu_f32() {
  return std::make_unique<PreluKernel>();
}

}  // namespace opscope::reference
