#include "engine/shapes/strided_slice_geometry.h"

#include <bit>
#include <string>

namespace opscope::shapes {
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

int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Expands the sparse spec (one entry per begin value) into one entry per
// output-relevant dim: every input dim once, plus the new axes.
Result<std::vector<DenseDim>> dense_spec(const PrepareContext& ctx, const StridedSliceAttrs& a,
                                         const std::vector<int64_t>& begin,
                                         const std::vector<int64_t>& end,
                                         const std::vector<int64_t>& strides, int rank) {
  const int n = static_cast<int>(begin.size());
  const uint32_t valid = n == 32 ? ~0u : (1u << n) - 1;
  const uint32_t ellipsis = static_cast<uint32_t>(a.ellipsis_mask) & valid;
  const uint32_t new_axis = static_cast<uint32_t>(a.new_axis_mask) & valid & ~ellipsis;
  if (std::popcount(ellipsis) > 1) {
    return ctx.error(ErrorCode::kInvalidArgument, "ellipsis_mask has more than one bit set");
  }
  // Entries other than the ellipsis each take one dim of the input with new
  // axes inserted.
  const int entries = n - std::popcount(ellipsis);
  const int effective = rank + std::popcount(new_axis);
  if (entries > effective) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "slice spec has " + std::to_string(entries) + " entries for an input of rank " +
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
      for (int k = 0; k < effective - entries; ++k) dims.push_back(full_dim());
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

}  // namespace

Result<SliceGeometry> slice_geometry(const PrepareContext& ctx, const StridedSliceAttrs& attrs,
                                     const std::vector<int64_t>& begin,
                                     const std::vector<int64_t>& end,
                                     const std::vector<int64_t>& strides, const Shape& in) {
  const int rank = static_cast<int>(in.size());
  const int n = static_cast<int>(begin.size());
  if (end.size() != begin.size() || strides.size() != begin.size()) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "begin, end and strides have " + std::to_string(begin.size()) + ", " +
                         std::to_string(end.size()) + " and " + std::to_string(strides.size()) +
                         " entries; they must match");
  }
  if (n > kMaxSpecEntries) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "slice spec has " + std::to_string(n) + " entries, more than " +
                         std::to_string(kMaxSpecEntries));
  }
  for (int i = 0; i < n; ++i) {
    if (strides[i] == 0) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "stride " + std::to_string(i) + " is zero");
    }
  }
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<DenseDim> dims,
                           dense_spec(ctx, attrs, begin, end, strides, rank));
  SliceGeometry g;
  for (const DenseDim& d : dims) {
    if (d.new_axis) {
      g.out_shape.push_back(1);
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
        return ctx.error(ErrorCode::kInvalidArgument, "a shrink axis needs a positive stride");
      }
      const int64_t index = d.begin_masked ? 0 : (d.begin < 0 ? d.begin + size : d.begin);
      if (index < 0 || index >= size) {
        return ctx.error(ErrorCode::kInvalidArgument,
                         "shrink index " + std::to_string(d.begin) + " is out of range for dim " +
                             std::to_string(d.input_dim) + " of size " + std::to_string(size));
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
      g.out_shape.push_back(length);
    }
    g.dims.push_back({d.input_dim, start, s, length});
  }
  return g;
}

}  // namespace opscope::shapes
