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

#include "engine/backends/reference/kernels/int_params.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/movement.h"

namespace opscope::reference {
namespace {

// Mask bits index the begin/end/strides entries; the masks are 32-bit.
constexpr int kMaxSpecEntries = 31;

// One dimension of the dense spec: an input dim with its slice, or a new
// size-1 axis.
struct DenseDim {
  bool new_axis = false;
  int input_dim = -1;
  int64_t begin = 0, end = 0, stride = 1;
  bool begin_masked = true, end_masked = true, shrink = false;
};

int64_t clamp64(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

class StridedSlice final : public CopyPlanKernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(4, 4));
    OPSCOPE_RETURN_IF_ERROR(expect_one_output(ctx));
    if (!ctx.has_input(0)) {
      return ctx.error(ErrorCode::kInvalidGraph, "input 0 is missing");
    }
    OPSCOPE_ASSIGN_OR_RETURN(const StridedSliceAttrs attrs,
                             node_attrs<StridedSliceAttrs>(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> begin,
                             read_int_input(ctx, 1, "begin"));
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> end,
                             read_int_input(ctx, 2, "end"));
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> strides,
                             read_int_input(ctx, 3, "strides"));
    const Shape in = ctx.input(0).shape;
    const int rank = static_cast<int>(in.size());
    if (rank > kMaxCopyRank) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "input rank " + std::to_string(rank) +
                           " exceeds the supported " +
                           std::to_string(kMaxCopyRank));
    }
    const int n = static_cast<int>(begin.size());
    if (end.size() != begin.size() || strides.size() != begin.size()) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "begin, end and strides have " +
                           std::to_string(begin.size()) + ", " +
                           std::to_string(end.size()) + " and " +
                           std::to_string(strides.size()) +
                           " entries; they must match");
    }
    if (n > kMaxSpecEntries) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "slice spec has " + std::to_string(n) +
                           " entries, more than " +
                           std::to_string(kMaxSpecEntries));
    }
    for (int i = 0; i < n; ++i) {
      if (strides[i] == 0) {
        return ctx.error(ErrorCode::kInvalidArgument,
                         "stride " + std::to_string(i) + " is zero");
      }
    }

    OPSCOPE_ASSIGN_OR_RETURN(std::vector<DenseDim> dims,
                             dense_spec(ctx, attrs, begin, end, strides, rank));

    // Per input dim: first element, step and count; then the output shape.
    const std::vector<int64_t> in_strides = row_major_strides(in);
    std::vector<int64_t> count, src_step;
    int64_t src_base = 0;
    Shape out_shape;
    for (const DenseDim& d : dims) {
      if (d.new_axis) {
        out_shape.push_back(1);
        continue;
      }
      const int64_t size = in[d.input_dim];
      const int64_t s = d.stride;
      int64_t start = d.begin < 0 ? d.begin + size : d.begin;
      start = s > 0 ? clamp64(start, 0, size) : clamp64(start, -1, size - 1);
      if (d.begin_masked) start = s > 0 ? 0 : size - 1;
      int64_t length = 0;
      if (d.shrink) {
        // TF rejects what TFLite would turn into an empty slice here.
        if (s < 0) {
          return ctx.error(ErrorCode::kInvalidArgument,
                           "a shrink axis needs a positive stride");
        }
        const int64_t index =
            d.begin_masked ? 0 : (d.begin < 0 ? d.begin + size : d.begin);
        if (index < 0 || index >= size) {
          return ctx.error(ErrorCode::kInvalidArgument,
                           "shrink index " + std::to_string(d.begin) +
                               " is out of range for dim " +
                               std::to_string(d.input_dim) + " of size " +
                               std::to_string(size));
        }
        start = index;
        length = 1;
      } else {
        int64_t stop = attrs.offset ? d.end + start : d.end;
        if (stop < 0) stop += size;
        stop = s > 0 ? clamp64(stop, 0, size) : clamp64(stop, -1, size - 1);
        if (d.end_masked) stop = s > 0 ? size : -1;
        if (s > 0 && stop > start) length = (stop - start + s - 1) / s;
        if (s < 0 && stop < start) length = (start - stop - s - 1) / -s;
        out_shape.push_back(length);
      }
      count.push_back(length);
      src_step.push_back(in_strides[d.input_dim] * s);
      if (length > 0) src_base += start * in_strides[d.input_dim];
    }
    OPSCOPE_RETURN_IF_ERROR(forward_dtype_and_quantization(ctx));
    set_copy(ctx,
             make_copy_plan(count, src_step, row_major_strides(count),
                            src_base, 0),
             out_shape);
    return Status::ok();
  }

 private:
  // Expands the sparse spec (one entry per begin value) into one entry per
  // output-relevant dim: every input dim once, plus the new axes.
  static Result<std::vector<DenseDim>> dense_spec(
      const PrepareContext& ctx, const StridedSliceAttrs& a,
      const std::vector<int64_t>& begin, const std::vector<int64_t>& end,
      const std::vector<int64_t>& strides, int rank) {
    const int n = static_cast<int>(begin.size());
    const uint32_t valid = n == 32 ? ~0u : (1u << n) - 1;
    const uint32_t ellipsis = static_cast<uint32_t>(a.ellipsis_mask) & valid;
    const uint32_t new_axis =
        static_cast<uint32_t>(a.new_axis_mask) & valid & ~ellipsis;
    if (std::popcount(ellipsis) > 1) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "ellipsis_mask has more than one bit set");
    }
    // Entries other than the ellipsis each take one dim of the input with
    // new axes inserted.
    const int entries = n - std::popcount(ellipsis);
    const int effective = rank + std::popcount(new_axis);
    if (entries > effective) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "slice spec has " + std::to_string(entries) +
                           " entries for an input of rank " +
                           std::to_string(rank));
    }
    std::vector<DenseDim> dims;
    int in_dim = 0;
    auto full_dim = [&in_dim]() {
      DenseDim d;
      d.input_dim = in_dim++;
      return d;
    };
    for (int i = 0; i < n; ++i) {
      const uint32_t bit = 1u << i;
      if (ellipsis & bit) {
        for (int k = 0; k < effective - entries; ++k) {
          dims.push_back(full_dim());
        }
      } else if (new_axis & bit) {
        DenseDim d;
        d.new_axis = true;
        dims.push_back(d);
      } else {
        DenseDim d;
        d.input_dim = in_dim++;
        d.begin = begin[i];
        d.end = end[i];
        d.stride = strides[i];
        d.begin_masked = (static_cast<uint32_t>(a.begin_mask) & bit) != 0;
        d.end_masked = (static_cast<uint32_t>(a.end_mask) & bit) != 0;
        d.shrink = (static_cast<uint32_t>(a.shrink_axis_mask) & bit) != 0;
        dims.push_back(d);
      }
    }
    while (in_dim < rank) dims.push_back(full_dim());
    return dims;
  }
};

}  // namespace

std::unique_ptr<Kernel> make_strided_slice() {
  return std::make_unique<StridedSlice>();
}

}  // namespace opscope::reference
