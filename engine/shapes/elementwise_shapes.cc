// Shapes of the elementwise ops and the helpers every family shares.
#include <algorithm>
#include <string>

#include "engine/shapes/broadcast.h"
#include "engine/shapes/int_params.h"
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

namespace {

// f32 stays f32 and integer arithmetic keeps its integers; other dtypes
// (quantized) are the importer's to set.
void binary_dtype(PrepareContext& ctx) {
  const DType in = ctx.input(0).dtype;
  if (in == DType::kI32 || in == DType::kI64) {
    ctx.output(0).dtype = in;
  } else {
    f32_if_f32(ctx);
  }
}

Status expect_binary_inputs(const PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  return expect_present(ctx, 1);
}

}  // namespace

// Numpy broadcasting (broadcast.h): dims aligned from the right, each pair
// equal or one 1.
Status binary(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_binary_inputs(ctx));
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  Shape out;
  if (!broadcast_shape(a.shape, b.shape, &out)) {
    return broadcast_error(ctx, a, b);
  }
  ctx.output(0).shape = std::move(out);
  binary_dtype(ctx);
  return Status::ok();
}

Result<BroadcastPlan> binary_broadcast(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_binary_inputs(ctx));
  Shape out;
  BroadcastPlan plan;
  OPSCOPE_RETURN_IF_ERROR(plan_broadcast(ctx, ctx.input(0), ctx.input(1), &out, &plan));
  ctx.output(0).shape = std::move(out);
  binary_dtype(ctx);
  return plan;
}

Result<SoftmaxRows> softmax_rows(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(same_as_input(ctx));
  const Shape& in = ctx.input(0).shape;
  SoftmaxRows r;
  // A scalar is one row of one element.
  r.depth = in.empty() ? 1 : in.back();
  r.rows = r.depth > 0 ? num_elements(in) / r.depth : 0;
  return r;
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

Status layer_norm(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 3));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 1));
  OPSCOPE_ASSIGN_OR_RETURN(const LayerNormAttrs attrs, node_attrs<LayerNormAttrs>(ctx));
  const Shape& x = ctx.input(0).shape;
  if (attrs.axis < 0 || attrs.axis >= static_cast<int>(x.size())) {
    return ctx.error(ErrorCode::kInvalidArgument, "axis " + std::to_string(attrs.axis) +
                                                      " outside the input's " +
                                                      std::to_string(x.size()) + " dims");
  }
  if (ctx.num_outputs() < 1 || ctx.num_outputs() > 3) {
    return ctx.error(ErrorCode::kInvalidGraph, "takes 1 to 3 outputs, has " +
                                                   std::to_string(ctx.num_outputs()));
  }
  ctx.output(0).shape = x;
  ctx.output(0).dtype = DType::kF32;
  Shape stat = x;
  for (size_t d = static_cast<size_t>(attrs.axis); d < stat.size(); ++d) stat[d] = 1;
  for (int k = 1; k < ctx.num_outputs(); ++k) {
    if (ctx.output_id(k) < 0) continue;
    ctx.output(k).shape = stat;
    ctx.output(k).dtype = DType::kF32;
  }
  return Status::ok();
}

Status arg_reduce(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_ASSIGN_OR_RETURN(const ArgAttrs attrs, node_attrs<ArgAttrs>(ctx));
  const Shape& x = ctx.input(0).shape;
  if (attrs.axis < 0 || attrs.axis >= static_cast<int>(x.size())) {
    return ctx.error(ErrorCode::kInvalidArgument, "axis " + std::to_string(attrs.axis) +
                                                      " outside the input's " +
                                                      std::to_string(x.size()) + " dims");
  }
  if (x[static_cast<size_t>(attrs.axis)] == 0) {
    return ctx.error(ErrorCode::kInvalidArgument, "the axis is empty: no index to return");
  }
  Shape out = x;
  if (attrs.keep_dims) {
    out[static_cast<size_t>(attrs.axis)] = 1;
  } else {
    out.erase(out.begin() + attrs.axis);
  }
  ctx.output(0).shape = out;
  ctx.output(0).dtype = DType::kI64;
  return Status::ok();
}

Result<TopKGeometry> top_k_geometry(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, DType::kF32));
  OPSCOPE_ASSIGN_OR_RETURN(const TopKAttrs attrs, node_attrs<TopKAttrs>(ctx));
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> k, read_int_input(ctx, 1, "k"));
  const Shape& x = ctx.input(0).shape;
  OPSCOPE_ASSIGN_OR_RETURN(const int axis,
                           normalize_axis(ctx, attrs.axis, static_cast<int>(x.size()), "axis"));
  if (k.size() != 1 || k[0] < 0 || k[0] > x[static_cast<size_t>(axis)]) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "k must be one value in [0, " +
                         std::to_string(x[static_cast<size_t>(axis)]) + "]");
  }
  if (ctx.num_outputs() != 2 || ctx.output_id(1) < 0) {
    return ctx.error(ErrorCode::kInvalidGraph, "needs its values and indices outputs");
  }
  TopKGeometry g;
  g.k = k[0];
  g.count = x[static_cast<size_t>(axis)];
  for (int d = 0; d < static_cast<int>(x.size()); ++d) {
    if (d < axis) g.outer *= x[static_cast<size_t>(d)];
    if (d > axis) g.inner *= x[static_cast<size_t>(d)];
  }
  Shape out = x;
  out[static_cast<size_t>(axis)] = g.k;
  ctx.output(0).shape = out;
  ctx.output(0).dtype = DType::kF32;
  ctx.output(1).shape = out;
  ctx.output(1).dtype = attrs.index_dtype;
  return g;
}

Status top_k(PrepareContext& ctx) { return top_k_geometry(ctx).status(); }

}  // namespace opscope::shapes
