// The per-op profile as CSV: TFLite benchmark_model's columns first (node
// type, first, avg_ms, %, cdf%, mem KB, times called, name), then ours. One
// row per op per run, in run order; a header row first.
#pragma once

#include <string>
#include <vector>

#include "adapters/store/store.h"

namespace opscope::reports {

std::string render_csv(const std::vector<store::StoredRun>& runs);

}  // namespace opscope::reports
