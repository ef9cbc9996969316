// Shapes of the elementwise ops and the helpers every family shares.
#include <algorithm>
#include <string>

#include "engine/shapes/shape_rules.h"

namespace opscope::shapes {

void forward_dtype(PrepareContext& ctx) {
  const Tensor& in = ctx.input(0);
  Tensor& out = ctx.output(0);
  out.dtype = in.dtype;
  if (out.quantization.empty() && !in.quantization.per_channel()) {
    out.quantization = in.quantization;
  }
}

void f32_if_f32(PrepareContext& ctx) {
  if (ctx.has_input(0) && ctx.input(0).dtype == DType::kF32) {
    ctx.output(0).dtype = DType::kF32;
  }
}

Status expect_present(const PrepareContext& ctx, int i) {
  if (!ctx.has_input(i)) {
    return ctx.error(ErrorCode::kInvalidGraph, "input " + std::to_string(i) + " is missing");
  }
  return Status::ok();
}

// Numpy broadcasting: dims aligned from the right, each pair equal or one 1.
Status binary(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 1));
  const Shape& a = ctx.input(0).shape;
  const Shape& b = ctx.input(1).shape;
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "shapes " + shape_to_string(a) + " and " + shape_to_string(b) +
                           " do not broadcast");
    }
    out[i] = da == 1 ? db : da;
  }
  ctx.output(0).shape = std::move(out);
  f32_if_f32(ctx);
  return Status::ok();
}

// Unary ops, PRELU (alpha broadcasts into x), SOFTMAX, QUANTIZE, DEQUANTIZE.
Status same_as_input(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  ctx.output(0).shape = ctx.input(0).shape;
  if (ctx.node().op == OpKind::kDequantize) {
    ctx.output(0).dtype = DType::kF32;
  } else if (ctx.node().op != OpKind::kQuantize) {
    f32_if_f32(ctx);
  }
  return Status::ok();
}

}  // namespace opscope::shapes
