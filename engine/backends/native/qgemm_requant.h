// The scalar requantization of one int32 dot product in the native
// backend's GEMM (QGemmRequant, qgemm.h): the reference's
// ChannelOutput::store_row with the folded bias. The vector versions in
// the ISA files compute the same integer steps lane by lane.
#pragma once

#include <cstdint>

#include "engine/backends/native/qgemm.h"
#include "engine/backends/reference/kernels/int8/fixed_point.h"

namespace opscope::native {

inline int8_t requantize_one(int32_t acc, const QGemmRequant& rq, int64_t j) {
  const auto sum = static_cast<int32_t>(static_cast<uint32_t>(acc) +
                                        static_cast<uint32_t>(rq.bias[j]));
  if (rq.float_mode) {
    return static_cast<int8_t>(reference::int8::requantize_float(sum, rq.float_scale[j],
                                                                 rq.output_zp, rq.min, rq.max));
  }
  reference::int8::QuantizedMultiplier m;
  m.multiplier = rq.multiplier[j];
  m.shift = rq.left_shift[j] > 0 ? rq.left_shift[j] : -rq.right_shift[j];
  const int32_t v = reference::int8::multiply_by_quantized_multiplier(sum, m) + rq.output_zp;
  return static_cast<int8_t>(v < rq.min ? rq.min : (v > rq.max ? rq.max : v));
}

}  // namespace opscope::native
