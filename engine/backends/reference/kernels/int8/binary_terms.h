// The terms int8 ADD, SUB and MUL prepare from their three quantizations,
// in one place for the reference kernels (binary_int8.cc, which states the
// arithmetic) and the native ones (native/kernels/binary_i8.cc), so both
// start from the same multipliers and the same floats. binary_terms.cc is
// built with -ffp-contract=off, as ONNX Runtime rounds each float step.
#pragma once

#include <cstdint>

#include "engine/backends/reference/kernels/int8/quant_params.h"
#include "engine/graph.h"

namespace opscope::reference::int8 {

enum class BinaryKind { kAdd, kSub, kMul };

// ADD/SUB's headroom: both inputs go to 2 * max(s_a, s_b) with 20 bits.
inline constexpr int kAddLeftShift = 20;

struct BinaryTerms {
  // TFLite's fixed-point multipliers: M_a, M_b (ADD, SUB), M_y (all).
  QuantizedMultiplier a_mult, b_mult, y_mult;
  // Float requantization (graph.h): the offset o and the float terms.
  bool float_mode = false;
  int32_t offset = 0;
  float ra = 0, rb = 0, fixed = 0;  // ADD: R_a, R_b, F; MUL: R, zp_y + o
  float sa = 0, sb = 0, sy = 0;     // SUB
};

BinaryTerms binary_terms(BinaryKind kind, const QParams& qa, const QParams& qb,
                         const QParams& qy, Requantization requantization);

}  // namespace opscope::reference::int8
