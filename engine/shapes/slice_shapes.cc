// SLICE (ONNX Slice; op_kind.h): its operands are constants or values the
// session planned for run-time tensors (Graph::planned_values,
// value_operands.h); the same geometry serves the kernel, which recomputes
// it from the values of each run.
#include <algorithm>
#include <limits>
#include <string>

#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::shapes {
namespace {

constexpr const char* kOperands[] = {"", "starts", "ends", "axes", "steps"};

// Operand `i`'s values; absent optional operands give an empty vector.
Result<std::vector<int64_t>> operand_values(PrepareContext& ctx, int i) {
  if (!ctx.has_input(i)) return std::vector<int64_t>{};
  return read_int_operand(ctx, i, kOperands[i]);
}

}  // namespace

std::string onnx_slice_geometry_for(const Shape& shape, const std::vector<int64_t>& starts,
                                    const std::vector<int64_t>& ends,
                                    const std::vector<int64_t>& axes,
                                    const std::vector<int64_t>& steps, OnnxSliceGeometry* g) {
  // Empty axes mean 0..k-1 and empty steps all 1. Nothing is allocated once
  // g's vectors have held a geometry of this rank (the kernel calls this
  // every run).
  const int rank = static_cast<int>(shape.size());
  if (ends.size() != starts.size() || (!axes.empty() && axes.size() != starts.size()) ||
      (!steps.empty() && steps.size() != starts.size())) {
    return "starts, ends, axes and steps hold " + std::to_string(starts.size()) + ", " +
           std::to_string(ends.size()) + ", " + std::to_string(axes.size()) + " and " +
           std::to_string(steps.size()) + " values; they must agree";
  }
  g->in_shape = shape;
  g->out_shape = shape;
  g->start.assign(static_cast<size_t>(rank), 0);
  g->step.assign(static_cast<size_t>(rank), 1);
  for (size_t k = 0; k < starts.size(); ++k) {
    const int64_t axis = axes.empty() ? static_cast<int64_t>(k) : axes[k];
    if (axis < -rank || axis >= rank) {
      return "axis " + std::to_string(axis) + " is out of range for rank " +
             std::to_string(rank);
    }
    const auto d = static_cast<size_t>(axis < 0 ? axis + rank : axis);
    // A repeated axis: compared with the earlier entries (k is small), so no
    // seen-set is allocated.
    for (size_t j = 0; j < k; ++j) {
      const int64_t earlier = axes.empty() ? static_cast<int64_t>(j) : axes[j];
      if ((earlier < 0 ? earlier + rank : earlier) == static_cast<int64_t>(d)) {
        return "axis " + std::to_string(d) + " is sliced twice";
      }
    }
    const int64_t dim = shape[d], step = steps.empty() ? 1 : steps[k];
    if (step == 0) return "step 0 on axis " + std::to_string(d);
    // ONNX: negative starts/ends count from the end; then clamp, to
    // [0, dim] for positive steps and [-1, dim-1] for negative ones. The
    // values are first brought into [-2^62, 2^62] so no sum overflows.
    constexpr int64_t kBig = int64_t{1} << 62;
    int64_t lo = std::clamp(starts[k], -kBig, kBig), hi = std::clamp(ends[k], -kBig, kBig);
    if (lo < 0) lo += dim;
    if (hi < 0) hi += dim;
    int64_t count;
    if (step > 0) {
      lo = std::clamp<int64_t>(lo, 0, dim);
      hi = std::clamp<int64_t>(hi, 0, dim);
      count = hi > lo ? (hi - lo + step - 1) / step : 0;
    } else {
      lo = std::clamp<int64_t>(lo, 0, dim - 1);
      hi = std::clamp<int64_t>(hi, -1, dim - 1);
      count = lo > hi ? (lo - hi + (-step) - 1) / (-step) : 0;
    }
    g->start[d] = count > 0 ? lo : 0;
    g->step[d] = step;
    g->out_shape[d] = count;
  }
  return "";
}

Result<OnnxSliceGeometry> onnx_slice_geometry(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(3, 5));
  OPSCOPE_RETURN_IF_ERROR(expect_one_output(ctx));
  for (int i = 0; i < 3; ++i) OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, i));
  std::vector<int64_t> v[5];
  for (int i = 1; i < 5; ++i) {
    OPSCOPE_ASSIGN_OR_RETURN(v[i], operand_values(ctx, i));
  }
  OnnxSliceGeometry g;
  const std::string why = onnx_slice_geometry_for(ctx.input(0).shape, v[1], v[2], v[3], v[4], &g);
  if (!why.empty()) return ctx.error(ErrorCode::kInvalidGraph, why);
  return g;
}

Status slice(PrepareContext& ctx) {
  OPSCOPE_ASSIGN_OR_RETURN(const OnnxSliceGeometry g, onnx_slice_geometry(ctx));
  forward_dtype(ctx);
  ctx.output(0).shape = g.out_shape;
  return Status::ok();
}

}  // namespace opscope::shapes
