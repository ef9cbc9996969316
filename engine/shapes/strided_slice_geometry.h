// STRIDED_SLICE's geometry (TFLite semantics: masks, ellipsis, new axes,
// shrink axes, offset), shared by shape inference and the reference kernel.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/kernel.h"

namespace opscope::shapes {

// One input dim as the slice walks it: `length` elements from `start`, every
// `stride` (negative walks backwards).
struct SliceDim {
  int input_dim = 0;
  int64_t start = 0;
  int64_t stride = 1;
  int64_t length = 0;
};

struct SliceGeometry {
  std::vector<SliceDim> dims;  // every input dim, in order
  Shape out_shape;             // with new axes, without shrunk ones
};

// Checks begin/end/strides (equal lengths, no zero stride, at most 31
// entries, one ellipsis) against the input shape `in`.
Result<SliceGeometry> slice_geometry(const PrepareContext& ctx, const StridedSliceAttrs& attrs,
                                     const std::vector<int64_t>& begin,
                                     const std::vector<int64_t>& end,
                                     const std::vector<int64_t>& strides, const Shape& in);

}  // namespace opscope::shapes
