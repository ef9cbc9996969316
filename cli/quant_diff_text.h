// The terminal report of `opscope quant-diff`: the model-level figures, then
// one row per matched op in execution order (accuracy beside latency).
#pragma once

#include <cstdio>

#include "harness/quant_diff.h"

namespace opscope::cli {

void print_quant_diff(const harness::QuantDiffReport& report, std::FILE* out);

}  // namespace opscope::cli
