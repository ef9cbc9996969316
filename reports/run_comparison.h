// The comparison every multi-run report shows: each run after the first
// against the first (the baseline), through harness/compare.h (medians with
// intervals, ratio with its bootstrap interval, Mann–Whitney U, memory,
// stages, per-op diff matched by source index).
#pragma once

#include <vector>

#include "adapters/store/store.h"
#include "harness/compare.h"

namespace opscope::reports {

struct RunVsBase {
  const store::StoredRun* base = nullptr;
  const store::StoredRun* cand = nullptr;
  harness::CaseComparison cmp;  // cmp.comparable false: a side has no samples
};

// Empty for fewer than two runs.
std::vector<RunVsBase> compare_with_first(const std::vector<store::StoredRun>& runs);

}  // namespace opscope::reports
