// Shapes of the comparison, logical and selection ops (op_kind.h): their
// outputs are bool, except SELECT_V2's, which has x's dtype; and of CAST
// between the dtypes they read.
#include <algorithm>
#include <string>

#include "engine/shapes/broadcast.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::shapes {
namespace {

bool is_comparable(DType d) {
  return d == DType::kF32 || d == DType::kI32 || d == DType::kI64 || d == DType::kBool;
}

std::string dtype_name(DType d) { return std::string(to_string(d)); }

// Which input dtypes the op reads; the error names the node and the dtype.
Status expect_operand_dtypes(PrepareContext& ctx, DType a, DType b) {
  const OpKind op = ctx.node().op;
  const bool logical = op == OpKind::kLogicalAnd || op == OpKind::kLogicalOr ||
                       op == OpKind::kLogicalXor;
  const bool equality = op == OpKind::kEqual || op == OpKind::kNotEqual;
  if (a != b) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     "compares " + dtype_name(a) + " with " + dtype_name(b));
  }
  if (logical && a != DType::kBool) {
    return ctx.error(ErrorCode::kTypeMismatch, "takes bool operands, not " + dtype_name(a));
  }
  if (!logical && (!is_comparable(a) || (a == DType::kBool && !equality))) {
    return ctx.error(ErrorCode::kTypeMismatch, "has no " + dtype_name(a) + " form");
  }
  return Status::ok();
}

}  // namespace

Result<BroadcastPlan> compare_broadcast(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 1));
  OPSCOPE_RETURN_IF_ERROR(expect_operand_dtypes(ctx, ctx.input(0).dtype, ctx.input(1).dtype));
  Shape out;
  BroadcastPlan plan;
  OPSCOPE_RETURN_IF_ERROR(plan_broadcast(ctx, ctx.input(0), ctx.input(1), &out, &plan));
  ctx.output(0).shape = std::move(out);
  ctx.output(0).dtype = DType::kBool;
  ctx.output(0).quantization = {};
  return plan;
}

Status compare(PrepareContext& ctx) { return compare_broadcast(ctx).status(); }

Status bool_of_input(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  const DType want = ctx.node().op == OpKind::kLogicalNot ? DType::kBool : DType::kF32;
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, want));
  ctx.output(0).shape = ctx.input(0).shape;
  ctx.output(0).dtype = DType::kBool;
  ctx.output(0).quantization = {};
  return Status::ok();
}

Result<SelectPlan> select_plan(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(3, 3));
  for (int i = 0; i < 3; ++i) OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, i));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, DType::kBool));
  const Tensor& c = ctx.input(0);
  const Tensor& x = ctx.input(1);
  const Tensor& y = ctx.input(2);
  if (x.dtype != y.dtype) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     "selects between " + dtype_name(x.dtype) + " and " + dtype_name(y.dtype));
  }
  Shape xy, out;
  if (!broadcast_shape(x.shape, y.shape, &xy)) return broadcast_error(ctx, x, y);
  if (!broadcast_shape(c.shape, xy, &out)) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "condition " + shape_to_string(c.shape) + " does not broadcast with " +
                         shape_to_string(xy));
  }
  SelectPlan plan;
  plan.dims = out;
  plan.element_size = dtype_size(x.dtype);
  const size_t rank = out.size();
  const Shape* shapes[3] = {&c.shape, &x.shape, &y.shape};
  for (int k = 0; k < 3; ++k) {
    // Element strides in the output's dims, 0 where the operand broadcasts.
    std::vector<int64_t>& s = plan.strides[k];
    s.assign(rank, 0);
    const Shape& in = *shapes[k];
    int64_t stride = 1;
    for (size_t d = 0; d < in.size(); ++d) {
      const size_t i = in.size() - 1 - d;
      const size_t o = rank - 1 - d;
      s[o] = in[i] == 1 ? 0 : stride;
      stride *= in[i];
    }
  }
  ctx.output(0).shape = std::move(out);
  ctx.output(0).dtype = x.dtype;
  if (ctx.output(0).quantization.empty()) ctx.output(0).quantization = x.quantization;
  return plan;
}

Status select(PrepareContext& ctx) { return select_plan(ctx).status(); }

Status trilu(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  const Tensor& x = ctx.input(0);
  if (x.shape.size() < 2) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "needs a matrix (rank >= 2), has " + shape_to_string(x.shape));
  }
  forward_dtype(ctx);
  ctx.output(0).shape = x.shape;
  return Status::ok();
}

Status cast(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_ASSIGN_OR_RETURN(const CastAttrs attrs, node_attrs<CastAttrs>(ctx));
  const DType from = ctx.input(0).dtype;
  if (!is_comparable(from) || !is_comparable(attrs.to)) {
    return ctx.error(ErrorCode::kTypeMismatch, "casts " + dtype_name(from) + " to " +
                                                   dtype_name(attrs.to) +
                                                   "; at run time the engine casts between f32, "
                                                   "i32, i64 and bool");
  }
  ctx.output(0).shape = ctx.input(0).shape;
  ctx.output(0).dtype = attrs.to;
  return Status::ok();
}

}  // namespace opscope::shapes
