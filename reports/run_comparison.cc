#include "reports/run_comparison.h"

namespace opscope::reports {

std::vector<RunVsBase> compare_with_first(const std::vector<store::StoredRun>& runs) {
  std::vector<RunVsBase> out;
  if (runs.size() < 2) return out;
  harness::CompareOptions options;
  options.pair_single_cases = true;  // a float run against its int8 twin
  for (size_t i = 1; i < runs.size(); ++i) {
    RunVsBase r;
    r.base = &runs[0];
    r.cand = &runs[i];
    harness::Comparison c = harness::compare_runs({runs[0]}, {runs[i]}, options);
    if (!c.cases.empty()) {
      r.cmp = std::move(c.cases.front());
    } else {
      // Unpaired (should not happen with pair_single_cases): keep the sides.
      if (!c.only_in_base.empty()) r.cmp.base = c.only_in_base.front();
      if (!c.only_in_cand.empty()) r.cmp.cand = c.only_in_cand.front();
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace opscope::reports
