// STRIDED_SLICE, any dtype: (input, begin, end, strides), all const i32 (i64
// accepted), with TFLite's per-axis rules:
//   start = begin (+ dim if negative), clamped to [0, dim] (stride > 0) or
//           [-1, dim - 1] (stride < 0); begin_mask: 0 or dim - 1.
//   stop  = end (+ start when `offset`; + dim if negative), clamped the same
//           way with [0, dim] / [-1, dim - 1]; end_mask: dim or -1.
//   size  = ceil((stop - start) / stride), at least 0.
//   shrink_axis: one element at start; the dim is dropped from the output.
// new_axis_mask inserts a size-1 output dim. ellipsis_mask (at most one bit)
// stands for as many full-range dims as the other entries leave over, as in
// TF and numpy (zero dims included); without one, trailing dims are full.
// Where TF rejects a spec that TFLite silently turns into an empty or
// truncated result (two ellipses, more entries than dims, a shrink index out
// of range or with a negative stride) this kernel rejects it too.
#include <bit>
#include <string>
#include <vector>

#include "engine/shapes/int_params.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/movement.h"
#include "engine/shapes/strided_slice_geometry.h"

namespace opscope::reference {
namespace {

class StridedSlice final : public CopyPlanKernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(4, 4));
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
    if (!ctx.has_input(0)) {
      return ctx.error(ErrorCode::kInvalidGraph, "input 0 is missing");
    }
    OPSCOPE_ASSIGN_OR_RETURN(const StridedSliceAttrs attrs,
                             shapes::node_attrs<StridedSliceAttrs>(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> begin,
                             shapes::read_int_input(ctx, 1, "begin"));
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> end,
                             shapes::read_int_input(ctx, 2, "end"));
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> strides,
                             shapes::read_int_input(ctx, 3, "strides"));
    const Shape in = ctx.input(0).shape;
    const int rank = static_cast<int>(in.size());
    if (rank > kMaxCopyRank) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "input rank " + std::to_string(rank) +
                           " exceeds the supported " +
                           std::to_string(kMaxCopyRank));
    }
    OPSCOPE_ASSIGN_OR_RETURN(
        const shapes::SliceGeometry geometry,
        shapes::slice_geometry(ctx, attrs, begin, end, strides, in));
    // Per input dim: first element, step and count.
    const std::vector<int64_t> in_strides = row_major_strides(in);
    std::vector<int64_t> count, src_step;
    int64_t src_base = 0;
    for (const shapes::SliceDim& d : geometry.dims) {
      count.push_back(d.length);
      src_step.push_back(in_strides[d.input_dim] * d.stride);
      if (d.length > 0) src_base += d.start * in_strides[d.input_dim];
    }
    OPSCOPE_RETURN_IF_ERROR(forward_dtype_and_quantization(ctx));
    set_copy(ctx,
             make_copy_plan(count, src_step, row_major_strides(count),
                            src_base, 0),
             geometry.out_shape);
    return Status::ok();
  }

};

}  // namespace

std::unique_ptr<Kernel> make_strided_slice() {
  return std::make_unique<StridedSlice>();
}

}  // namespace opscope::reference
