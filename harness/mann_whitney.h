// The Mann–Whitney U test (Wilcoxon rank-sum) for two independent samples,
// with midranks for ties.
//
// Two ways to the p-value:
//   exact   the permutation distribution of the rank sum given the observed
//           (mid)ranks, counted by dynamic programming: exact also with ties
//           (it is the conditional distribution given the tie pattern);
//   normal  the normal approximation with the tie-corrected variance
//             var(U) = m n / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1)))
//           (t: the size of each group of tied values) and a continuity
//           correction of 1/2.
// kAuto takes the exact way when m + n <= kExactMaxTotal, else the normal;
// kExact is honoured up to m + n <= kExactLimit (its cost grows as (m+n)^4).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace opscope::harness {

enum class MannWhitneyMethod { kAuto, kExact, kNormal };

inline constexpr int kExactMaxTotal = 60;
inline constexpr int kExactLimit = 120;

struct MannWhitneyResult {
  // U of the first sample x: the number of pairs (x_i, y_j) with x_i > y_j,
  // ties counting 1/2. U of y is m n - u_x.
  double u_x = 0, u_y = 0;
  double z = 0;  // normal approximation (continuity-corrected), signed: > 0 when x tends larger
  double p_two_sided = 1;
  double p_x_greater = 1;  // one-sided: H1 "x tends to be larger than y"
  double p_x_less = 1;     // one-sided: H1 "x tends to be smaller than y"
  bool exact = false;      // which way the p-values were computed
  bool ties = false;
  int64_t m = 0, n = 0;
  bool valid = false;  // false when either sample is empty
};

MannWhitneyResult mann_whitney_u(const std::vector<double>& x,
                                 const std::vector<double>& y,
                                 MannWhitneyMethod method = MannWhitneyMethod::kAuto);

std::string_view to_string(MannWhitneyMethod method);

}  // namespace opscope::harness
