// Shapes of BROADCAST_TO and TILE (op_kind.h): both repeat the input, so
// both are planned as "output coordinate c reads input coordinate c mod the
// input's dim" (a broadcast dim of 1 always reads 0).
#include <string>

#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::shapes {

Result<RepeatPlan> repeat_plan(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  const Tensor& x = ctx.input(0);
  const bool tile = ctx.node().op == OpKind::kTile;
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> v,
                           read_int_operand(ctx, 1, tile ? "multiples" : "shape"));
  RepeatPlan plan;
  if (tile) {
    if (v.size() != x.shape.size()) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "multiples has " + std::to_string(v.size()) + " values, input " +
                           shape_to_string(x.shape) + " has rank " +
                           std::to_string(x.shape.size()));
    }
    plan.in = x.shape;
    plan.out = x.shape;
    for (size_t d = 0; d < v.size(); ++d) {
      if (v[d] < 0 || v[d] > (int64_t{1} << 31)) {
        return ctx.error(ErrorCode::kInvalidArgument,
                         "multiple " + std::to_string(v[d]) + " is out of range");
      }
      plan.out[d] *= v[d];
    }
  } else {
    const Shape shape(v.begin(), v.end());
    if (!broadcast_shape(x.shape, shape, &plan.out)) {
      return ctx.error(ErrorCode::kShapeMismatch, "input " + shape_to_string(x.shape) +
                                                      " does not broadcast to " +
                                                      shape_to_string(shape));
    }
    plan.in.assign(plan.out.size() - x.shape.size(), 1);
    plan.in.insert(plan.in.end(), x.shape.begin(), x.shape.end());
  }
  if (num_elements(plan.out) > (int64_t{1} << 40) / 8) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "output " + shape_to_string(plan.out) + " is too large");
  }
  ctx.output(0).shape = plan.out;
  forward_dtype(ctx);
  plan.element_size = dtype_size(x.dtype);
  return plan;
}

Status repeat(PrepareContext& ctx) { return repeat_plan(ctx).status(); }

}  // namespace opscope::shapes
