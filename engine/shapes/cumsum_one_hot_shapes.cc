// Shapes of CUMSUM and ONE_HOT (op_kind.h). Both keep their parameters
// where the model puts them: CUMSUM's axis is an input that may come at run
// time (its kernel then reads and checks it every run), ONE_HOT's depth
// sizes the output, so it must be constant.
#include <cmath>
#include <cstring>
#include <string>

#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::shapes {
namespace {

bool is_numeric(DType d) { return d == DType::kF32 || d == DType::kI32 || d == DType::kI64; }

// Input i holds exactly one value (a scalar or a 1-element tensor).
Status expect_one_value(PrepareContext& ctx, int i, const char* what) {
  const Tensor& t = ctx.input(i);
  if (t.shape.size() > 1 || t.elements() != 1) {
    return ctx.error(ErrorCode::kShapeMismatch, std::string(what) + " input '" + t.name +
                                                    "' must hold one value, has shape " +
                                                    shape_to_string(t.shape));
  }
  return Status::ok();
}

}  // namespace

Result<CumSumGeometry> cumsum_geometry(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 1));
  OPSCOPE_RETURN_IF_ERROR(node_attrs<CumSumAttrs>(ctx).status());
  const Tensor& x = ctx.input(0);
  if (!is_numeric(x.dtype) || !x.quantization.empty()) {
    return ctx.error(ErrorCode::kTypeMismatch, "x has dtype " + std::string(to_string(x.dtype)) +
                                                   (x.quantization.empty() ? "" : " (quantized)") +
                                                   ", expected f32, i32 or i64");
  }
  const Tensor& a = ctx.input(1);
  if (a.dtype != DType::kI32 && a.dtype != DType::kI64) {
    return ctx.error(ErrorCode::kTypeMismatch, "axis input '" + a.name + "' has dtype " +
                                                   std::string(to_string(a.dtype)) +
                                                   ", expected i32 or i64");
  }
  OPSCOPE_RETURN_IF_ERROR(expect_one_value(ctx, 1, "axis"));
  const int rank = static_cast<int>(x.shape.size());
  if (rank == 0) {
    return ctx.error(ErrorCode::kShapeMismatch, "x must have rank >= 1, is a scalar");
  }
  CumSumGeometry g;
  g.shape = x.shape;
  g.axis_i64 = a.dtype == DType::kI64;
  if (a.is_constant()) {
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> v, read_int_input(ctx, 1, "axis"));
    OPSCOPE_ASSIGN_OR_RETURN(g.axis, normalize_axis(ctx, v[0], rank, "axis"));
  }
  forward_dtype(ctx);
  ctx.output(0).shape = x.shape;
  return g;
}

Status cumsum(PrepareContext& ctx) { return cumsum_geometry(ctx).status(); }

Result<OneHotGeometry> one_hot_geometry(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(3, 4));
  for (int i = 0; i < ctx.num_inputs(); ++i) OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, i));
  OPSCOPE_ASSIGN_OR_RETURN(const OneHotAttrs attrs, node_attrs<OneHotAttrs>(ctx));
  const Tensor& indices = ctx.input(0);
  if (!is_numeric(indices.dtype) || !indices.quantization.empty()) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     "indices have dtype " + std::string(to_string(indices.dtype)) +
                         ", expected f32, i32 or i64");
  }
  // depth: one constant number, cast to an integer as ONNX says.
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_constant_input(1));
  const Tensor& d = ctx.input(1);
  if (!is_numeric(d.dtype)) {
    return ctx.error(ErrorCode::kTypeMismatch, "depth input '" + d.name + "' has dtype " +
                                                   std::string(to_string(d.dtype)) +
                                                   ", expected f32, i32 or i64");
  }
  OPSCOPE_RETURN_IF_ERROR(expect_one_value(ctx, 1, "depth"));
  if (d.data == nullptr || d.data_bytes < d.bytes()) {
    return ctx.error(ErrorCode::kInvalidGraph, "depth input '" + d.name + "' carries no data");
  }
  double depth = 0;
  if (d.dtype == DType::kF32) {
    float v;
    std::memcpy(&v, d.data, 4);
    depth = std::trunc(static_cast<double>(v));
  } else if (d.dtype == DType::kI32) {
    int32_t v;
    std::memcpy(&v, d.data, 4);
    depth = v;
  } else {
    int64_t v;
    std::memcpy(&v, d.data, 8);
    depth = static_cast<double>(v);
  }
  // NaN fails the comparison too.
  if (!(depth >= 1 && depth <= static_cast<double>(int64_t{1} << 31))) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "depth " + std::to_string(depth) + " is out of range [1, 2^31]");
  }
  // values: [off, on] (ONNX), or on and off as one value each (TFLite).
  const DType vt = ctx.input(2).dtype;
  if (ctx.num_inputs() == 3) {
    const Tensor& v = ctx.input(2);
    if (v.shape.size() != 1 || v.shape[0] != 2) {
      return ctx.error(ErrorCode::kShapeMismatch, "values input '" + v.name +
                                                      "' must be [off, on] (shape 2), has shape " +
                                                      shape_to_string(v.shape));
    }
  } else {
    OPSCOPE_RETURN_IF_ERROR(expect_one_value(ctx, 2, "on_value"));
    OPSCOPE_RETURN_IF_ERROR(expect_one_value(ctx, 3, "off_value"));
    if (ctx.input(3).dtype != vt) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       "on_value is " + std::string(to_string(vt)) + ", off_value " +
                           std::string(to_string(ctx.input(3).dtype)));
    }
  }
  const int rank = static_cast<int>(indices.shape.size());
  OPSCOPE_ASSIGN_OR_RETURN(const int axis, normalize_axis(ctx, attrs.axis, rank + 1, "axis"));
  OneHotGeometry g;
  g.depth = static_cast<int64_t>(depth);
  Shape out;
  for (int i = 0; i < rank; ++i) {
    if (i == axis) out.push_back(g.depth);
    out.push_back(indices.shape[static_cast<size_t>(i)]);
    (i < axis ? g.outer : g.inner) *= indices.shape[static_cast<size_t>(i)];
  }
  if (axis == rank) out.push_back(g.depth);
  if (num_elements(indices.shape) > ((int64_t{1} << 40) / 8) / g.depth) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "output " + shape_to_string(out) + " is too large");
  }
  ctx.output(0).shape = out;
  ctx.output(0).dtype = vt;
  ctx.output(0).quantization = ctx.input(2).quantization;
  return g;
}

Status one_hot(PrepareContext& ctx) { return one_hot_geometry(ctx).status(); }

}  // namespace opscope::shapes
