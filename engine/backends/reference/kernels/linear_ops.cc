#include "engine/backends/reference/kernels/linear_ops.h"

namespace opscope::reference {

Status expect_f32_op(PrepareContext& ctx, int min_inputs, int max_inputs) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(min_inputs, max_inputs));
  if (ctx.num_outputs() != 1) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "expects 1 output, has " +
                         std::to_string(ctx.num_outputs()));
  }
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    // Inputs below min_inputs are required; the rest are optional.
    if (i >= min_inputs && !ctx.has_input(i)) continue;
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(i, DType::kF32));
  }
  ctx.output(0).dtype = DType::kF32;
  return Status::ok();
}

}  // namespace opscope::reference
