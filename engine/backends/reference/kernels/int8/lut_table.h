// The 256-entry table of the int8 LOGISTIC and HARD_SWISH kernels, as
// TFLite's int8 LUT kernels build it (PopulateLookupTable): for every input
// value q, y = saturate(round(f(s_in * (q - zp_in)) / s_out) + zp_out), in
// float. The reference kernels (lut_int8.cc) and the native ones look it
// up; building it here, in a baseline-compiled file, keeps them bit-exact.
#pragma once

#include <array>
#include <cstdint>

#include "engine/kernel.h"

namespace opscope::reference::int8 {

enum class LutOp { kLogistic, kHardSwish };

// Checks the node (one int8 input and output; LOGISTIC's output scale 1/256
// and zero point -128, TFLite's int8 contract), sets the output's shape and
// fills `table`, indexed by the input byte (its uint8 view).
Status prepare_int8_lut(PrepareContext& ctx, LutOp op, std::array<int8_t, 256>* table);

}  // namespace opscope::reference::int8
