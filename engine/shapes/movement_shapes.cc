// Shapes of the data-movement ops (any dtype; outputs take the input's).
#include <algorithm>
#include <string>
#include <vector>

#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"
#include "engine/shapes/strided_slice_geometry.h"

namespace opscope::shapes {


namespace {

// RESHAPE, SQUEEZE, EXPAND_DIMS keep the element count.
Status set_same_elements(PrepareContext& ctx, Shape out) {
  const Shape& in = ctx.input(0).shape;
  if (num_elements(out) != num_elements(in)) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "output shape " + shape_to_string(out) + " has " +
                         std::to_string(num_elements(out)) + " elements, input " +
                         shape_to_string(in) + " has " + std::to_string(num_elements(in)));
  }
  ctx.output(0).shape = std::move(out);
  forward_dtype(ctx);
  return Status::ok();
}

}  // namespace

// The new shape comes from ReshapeAttrs or, when that is empty, from the
// constant second input (neither: a scalar); one -1 is resolved.
Status reshape(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 2));
  const auto* attrs = std::get_if<ReshapeAttrs>(&ctx.node().attrs);
  Shape shape;
  if (attrs != nullptr && !attrs->new_shape.empty()) {
    shape = attrs->new_shape;
  } else if (ctx.has_input(1)) {
    OPSCOPE_ASSIGN_OR_RETURN(shape, read_int_input(ctx, 1, "shape"));
  }
  int unknown = -1;
  int64_t known = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == -1) {
      if (unknown >= 0) {
        return ctx.error(ErrorCode::kInvalidArgument,
                         "new shape " + shape_to_string(shape) + " has more than one -1");
      }
      unknown = static_cast<int>(d);
    } else if (shape[d] < 0) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "new shape has negative dimension " + std::to_string(shape[d]));
    } else {
      known *= shape[d];
    }
  }
  if (unknown >= 0) {
    const int64_t in_elements = ctx.input(0).elements();
    if (known == 0 || in_elements % known != 0) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "cannot resolve -1 in new shape " + shape_to_string(shape) +
                           " for input " + shape_to_string(ctx.input(0).shape));
    }
    shape[unknown] = in_elements / known;
  }
  return set_same_elements(ctx, std::move(shape));
}

// The listed size-1 dims go, or every size-1 dim when none is listed.
Status squeeze(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_ASSIGN_OR_RETURN(const SqueezeAttrs attrs, node_attrs<SqueezeAttrs>(ctx));
  const Shape& in = ctx.input(0).shape;
  const int rank = static_cast<int>(in.size());
  std::vector<bool> drop(rank, attrs.axes.empty());
  for (int axis : attrs.axes) {
    OPSCOPE_ASSIGN_OR_RETURN(const int a, normalize_axis(ctx, axis, rank, "axis"));
    if (in[a] != 1) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "cannot squeeze axis " + std::to_string(axis) + " of size " +
                           std::to_string(in[a]) + " in input " + shape_to_string(in));
    }
    drop[a] = true;
  }
  Shape out;
  for (int d = 0; d < rank; ++d) {
    if (!(drop[d] && in[d] == 1)) out.push_back(in[d]);
  }
  return set_same_elements(ctx, std::move(out));
}

Status expand_dims(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> axis, read_int_input(ctx, 1, "axis"));
  if (axis.size() != 1) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "axis input must hold one value, has " + std::to_string(axis.size()));
  }
  Shape out = ctx.input(0).shape;
  OPSCOPE_ASSIGN_OR_RETURN(const int a, normalize_axis(ctx, axis[0],
                                                       static_cast<int>(out.size()) + 1, "axis"));
  out.insert(out.begin() + a, 1);
  return set_same_elements(ctx, std::move(out));
}

Status transpose(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  const Shape in = ctx.input(0).shape;
  const int rank = static_cast<int>(in.size());
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> perm, read_int_input(ctx, 1, "perm"));
  if (static_cast<int>(perm.size()) != rank) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "perm has " + std::to_string(perm.size()) + " entries, input " +
                         shape_to_string(in) + " has rank " + std::to_string(rank));
  }
  Shape out(rank);
  std::vector<bool> seen(rank, false);
  for (int i = 0; i < rank; ++i) {
    OPSCOPE_ASSIGN_OR_RETURN(const int p, normalize_axis(ctx, perm[i], rank, "perm entry"));
    if (seen[p]) {
      return ctx.error(ErrorCode::kInvalidArgument, "perm repeats axis " + std::to_string(p));
    }
    seen[p] = true;
    out[i] = in[p];
  }
  ctx.output(0).shape = std::move(out);
  forward_dtype(ctx);
  return Status::ok();
}

// Same rank everywhere; dims off the axis equal; the axis sums.
Status concatenation(PrepareContext& ctx) {
  if (ctx.num_inputs() < 1) {
    return ctx.error(ErrorCode::kInvalidGraph, "expects at least 1 input");
  }
  for (int i = 0; i < ctx.num_inputs(); ++i) OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, i));
  OPSCOPE_ASSIGN_OR_RETURN(const ConcatenationAttrs attrs, node_attrs<ConcatenationAttrs>(ctx));
  const Shape& first = ctx.input(0).shape;
  const int rank = static_cast<int>(first.size());
  OPSCOPE_ASSIGN_OR_RETURN(const int axis, normalize_axis(ctx, attrs.axis, rank, "axis"));
  Shape out = first;
  out[axis] = 0;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const Shape& s = ctx.input(i).shape;
    bool compatible = static_cast<int>(s.size()) == rank;
    for (int d = 0; compatible && d < rank; ++d) compatible = d == axis || s[d] == first[d];
    if (!compatible) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "input " + std::to_string(i) + " " + shape_to_string(s) +
                           " does not match input 0 " + shape_to_string(first) +
                           " off axis " + std::to_string(axis));
    }
    out[axis] += s[axis];
  }
  ctx.output(0).shape = std::move(out);
  forward_dtype(ctx);
  return Status::ok();
}

Status strided_slice(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(4, 4));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_ASSIGN_OR_RETURN(const StridedSliceAttrs attrs, node_attrs<StridedSliceAttrs>(ctx));
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> begin, read_int_input(ctx, 1, "begin"));
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> end, read_int_input(ctx, 2, "end"));
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> strides,
                           read_int_input(ctx, 3, "strides"));
  OPSCOPE_ASSIGN_OR_RETURN(SliceGeometry g, slice_geometry(ctx, attrs, begin, end, strides,
                                                           ctx.input(0).shape));
  ctx.output(0).shape = std::move(g.out_shape);
  forward_dtype(ctx);
  return Status::ok();
}

// params[:axis] + indices.shape[batch_dims:] + params[axis+1:].
namespace {

// Data and indices (i32 or i64) present, as the gathers take them.
Status expect_index_inputs(PrepareContext& ctx, IndexBounds* bounds) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 1));
  return expect_index_input(ctx, bounds);
}

}  // namespace

Result<IndexBounds> gather_indexing(PrepareContext& ctx) {
  IndexBounds bounds;
  OPSCOPE_RETURN_IF_ERROR(expect_index_inputs(ctx, &bounds));
  OPSCOPE_ASSIGN_OR_RETURN(const GatherAttrs attrs, node_attrs<GatherAttrs>(ctx));
  const Shape& params = ctx.input(0).shape;
  const Shape& indices = ctx.input(1).shape;
  const int rank = static_cast<int>(params.size());
  const int index_rank = static_cast<int>(indices.size());
  if (rank == 0) {
    return ctx.error(ErrorCode::kShapeMismatch, "params '" + ctx.input(0).name +
                                                    "' is a scalar; GATHER needs rank >= 1");
  }
  OPSCOPE_ASSIGN_OR_RETURN(const int axis, normalize_axis(ctx, attrs.axis, rank, "axis"));
  const int batch_dims = attrs.batch_dims < 0 ? attrs.batch_dims + index_rank : attrs.batch_dims;
  if (batch_dims < 0 || batch_dims > index_rank || batch_dims > axis) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "batch_dims " + std::to_string(attrs.batch_dims) + " must lie in [0, min(axis " +
                         std::to_string(axis) + ", indices rank " + std::to_string(index_rank) +
                         ")]");
  }
  for (int d = 0; d < batch_dims; ++d) {
    if (params[d] != indices[d]) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "batch dim " + std::to_string(d) + " differs: params " +
                           shape_to_string(params) + ", indices " + shape_to_string(indices));
    }
  }
  bounds.sizes = {params[axis]};
  bounds.dims = {axis};
  OPSCOPE_RETURN_IF_ERROR(check_constant_indices(ctx, bounds));
  Shape out(params.begin(), params.begin() + axis);
  out.insert(out.end(), indices.begin() + batch_dims, indices.end());
  out.insert(out.end(), params.begin() + axis + 1, params.end());
  ctx.output(0).shape = std::move(out);
  forward_dtype(ctx);
  return bounds;
}

Status gather(PrepareContext& ctx) { return gather_indexing(ctx).status(); }

// The output is shaped like the indices.
Result<IndexBounds> gather_elements_indexing(PrepareContext& ctx) {
  IndexBounds bounds;
  OPSCOPE_RETURN_IF_ERROR(expect_index_inputs(ctx, &bounds));
  OPSCOPE_ASSIGN_OR_RETURN(const GatherElementsAttrs attrs, node_attrs<GatherElementsAttrs>(ctx));
  const Shape& data = ctx.input(0).shape;
  const Shape& indices = ctx.input(1).shape;
  const int rank = static_cast<int>(data.size());
  if (rank == 0 || indices.size() != data.size()) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "data " + shape_to_string(data) + " and indices " + shape_to_string(indices) +
                         " must have the same rank, at least 1");
  }
  OPSCOPE_ASSIGN_OR_RETURN(const int axis, normalize_axis(ctx, attrs.axis, rank, "axis"));
  for (int d = 0; d < rank; ++d) {
    if (d != axis && indices[d] > data[d]) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "indices " + shape_to_string(indices) + " exceed data " +
                           shape_to_string(data) + " in dim " + std::to_string(d) +
                           " (only the axis " + std::to_string(axis) + " may differ freely)");
    }
  }
  bounds.sizes = {data[axis]};
  bounds.dims = {axis};
  OPSCOPE_RETURN_IF_ERROR(check_constant_indices(ctx, bounds));
  ctx.output(0).shape = indices;
  forward_dtype(ctx);
  return bounds;
}

Status gather_elements(PrepareContext& ctx) { return gather_elements_indexing(ctx).status(); }

// indices.shape[:-1] + data.shape[batch_dims + m:], m = indices.shape[-1].
Result<IndexBounds> gather_nd_indexing(PrepareContext& ctx) {
  IndexBounds bounds;
  OPSCOPE_RETURN_IF_ERROR(expect_index_inputs(ctx, &bounds));
  OPSCOPE_ASSIGN_OR_RETURN(const GatherNdAttrs attrs, node_attrs<GatherNdAttrs>(ctx));
  const Shape& data = ctx.input(0).shape;
  const Shape& indices = ctx.input(1).shape;
  const int rank = static_cast<int>(data.size());
  const int index_rank = static_cast<int>(indices.size());
  if (rank == 0 || index_rank == 0) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "data " + shape_to_string(data) + " and indices " + shape_to_string(indices) +
                         " must both have rank >= 1");
  }
  const int b = attrs.batch_dims;
  if (b < 0 || b >= std::min(rank, index_rank)) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "batch_dims " + std::to_string(b) + " must lie in [0, min(data rank " +
                         std::to_string(rank) + ", indices rank " + std::to_string(index_rank) +
                         "))");
  }
  for (int d = 0; d < b; ++d) {
    if (data[d] != indices[d]) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "batch dim " + std::to_string(d) + " differs: data " +
                           shape_to_string(data) + ", indices " + shape_to_string(indices));
    }
  }
  const int64_t m = indices.back();
  if (m < 0 || m > rank - b) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "indices " + shape_to_string(indices) + " hold tuples of " +
                         std::to_string(m) + " but data " + shape_to_string(data) + " has only " +
                         std::to_string(rank - b) + " dims after batch_dims " + std::to_string(b));
  }
  bounds.sizes.assign(data.begin() + b, data.begin() + b + m);
  for (int j = 0; j < m; ++j) bounds.dims.push_back(b + j);
  bounds.on_axis = false;
  OPSCOPE_RETURN_IF_ERROR(check_constant_indices(ctx, bounds));
  Shape out(indices.begin(), indices.end() - 1);
  out.insert(out.end(), data.begin() + b + m, data.end());
  ctx.output(0).shape = std::move(out);
  forward_dtype(ctx);
  return bounds;
}

Status gather_nd(PrepareContext& ctx) { return gather_nd_indexing(ctx).status(); }

}  // namespace opscope::shapes
