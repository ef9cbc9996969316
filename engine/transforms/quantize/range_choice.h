// From calibrated statistics to int8 quantization parameters.
#pragma once

#include <cstdint>

#include "engine/transforms/quantize/calibration.h"
#include "engine/transforms/quantize/quantize_options.h"

namespace opscope {

struct FloatRange {
  double lo = 0, hi = 0;
};

// The activation range `method` picks from `stats` (which must be seen).
// minmax: [min, max]. percentile: the (100-p)th and p-th percentiles of the
// histogram. mse: among clip ranges at tail fractions 0, 1e-5 ... 1e-2, the
// one whose expected squared error (clipping plus uniform rounding noise of
// scale^2/12 inside the range) over the histogram is smallest.
FloatRange choose_range(const TensorStats& stats, const QuantizeOptions& options);

struct AffineParams {
  float scale = 1.0f;
  int64_t zero_point = 0;
};

// Asymmetric int8 over `range` widened to hold 0 (so zero padding and ReLU
// are exact): scale = (hi - lo) / 255, zero point = round(-128 - lo/scale)
// in [-128, 127]. An empty range gets a tiny positive scale.
AffineParams asymmetric_int8(FloatRange range);

}  // namespace opscope
