#include "harness/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace opscope::harness {
namespace {

double normal_upper_tail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

// The permutation distribution of the doubled rank sum of m values drawn from
// `doubled_ranks`, as counts: dist[s] = number of m-subsets summing to s.
std::vector<double> rank_sum_counts(const std::vector<int64_t>& doubled_ranks, int64_t m) {
  int64_t total = 0;
  for (int64_t r : doubled_ranks) total += r;
  const size_t width = static_cast<size_t>(total) + 1;
  // ways[k * width + s]: subsets of size k with sum s among the ranks seen.
  std::vector<double> ways(static_cast<size_t>(m + 1) * width, 0.0);
  ways[0] = 1.0;
  int64_t seen = 0;
  for (int64_t r : doubled_ranks) {
    ++seen;
    for (int64_t k = std::min(m, seen); k >= 1; --k) {
      double* row = &ways[static_cast<size_t>(k) * width];
      const double* prev = &ways[static_cast<size_t>(k - 1) * width];
      for (size_t s = width - 1; s >= static_cast<size_t>(r); --s) row[s] += prev[s - r];
    }
  }
  return {ways.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(m) * width), ways.end()};
}

// rank_sum_counts when no values tie: the doubled ranks are 2, 4, ...,
// 2 (m + n), so the counts depend on m and m + n only. Remembered, since a
// trend or a sweep compares many pairs of the same sizes and each costs
// (m + n)^4 / 4 additions.
std::shared_ptr<const std::vector<double>> untied_rank_sum_counts(int64_t m, int64_t total) {
  static std::mutex mutex;
  static std::map<std::pair<int64_t, int64_t>, std::shared_ptr<const std::vector<double>>> known;
  const std::pair key{m, total};
  {
    std::lock_guard lock(mutex);
    if (auto it = known.find(key); it != known.end()) return it->second;
  }
  std::vector<int64_t> doubled_ranks(static_cast<size_t>(total));
  for (int64_t i = 0; i < total; ++i) doubled_ranks[static_cast<size_t>(i)] = 2 * (i + 1);
  auto counts = std::make_shared<const std::vector<double>>(rank_sum_counts(doubled_ranks, m));
  std::lock_guard lock(mutex);
  if (known.size() >= 256) known.clear();  // a bound; sizes in use come back at once
  known.emplace(key, counts);
  return counts;
}

}  // namespace

std::string_view to_string(MannWhitneyMethod method) {
  switch (method) {
    case MannWhitneyMethod::kAuto: return "auto";
    case MannWhitneyMethod::kExact: return "exact";
    case MannWhitneyMethod::kNormal: return "normal";
  }
  return "?";
}

MannWhitneyResult mann_whitney_u(const std::vector<double>& x,
                                 const std::vector<double>& y,
                                 MannWhitneyMethod method) {
  MannWhitneyResult r;
  r.m = static_cast<int64_t>(x.size());
  r.n = static_cast<int64_t>(y.size());
  if (x.empty() || y.empty()) return r;
  r.valid = true;
  const int64_t m = r.m, n = r.n, total = m + n;

  // Pool, sort, and give each tie group its midrank; doubled, ranks are
  // integers: positions a..b (1-based) share (a + b) / 2.
  std::vector<std::pair<double, bool>> pooled;  // (value, from x)
  pooled.reserve(static_cast<size_t>(total));
  for (double v : x) pooled.emplace_back(v, true);
  for (double v : y) pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<int64_t> doubled_ranks(static_cast<size_t>(total));
  int64_t doubled_rank_sum_x = 0;
  double tie_term = 0.0;  // sum of t^3 - t over tie groups
  for (size_t i = 0; i < pooled.size();) {
    size_t j = i;
    while (j + 1 < pooled.size() && pooled[j + 1].first == pooled[i].first) ++j;
    const int64_t doubled = static_cast<int64_t>(i + 1) + static_cast<int64_t>(j + 1);
    const double t = static_cast<double>(j - i + 1);
    if (j > i) {
      r.ties = true;
      tie_term += t * t * t - t;
    }
    for (size_t k = i; k <= j; ++k) {
      doubled_ranks[k] = doubled;
      if (pooled[k].second) doubled_rank_sum_x += doubled;
    }
    i = j + 1;
  }
  const double mn = static_cast<double>(m) * static_cast<double>(n);
  r.u_x = static_cast<double>(doubled_rank_sum_x) / 2.0 -
          static_cast<double>(m) * static_cast<double>(m + 1) / 2.0;
  r.u_y = mn - r.u_x;

  // Normal approximation (always filled in: z is reported either way).
  const double mean = mn / 2.0;
  const double nn = static_cast<double>(total);
  const double var = mn / 12.0 * ((nn + 1.0) - tie_term / (nn * (nn - 1.0)));
  const double dev = r.u_x - mean;
  if (var > 0.0) {
    const double sd = std::sqrt(var);
    const double corrected = std::max(0.0, std::abs(dev) - 0.5);
    r.z = (dev >= 0 ? 1.0 : -1.0) * corrected / sd;
    r.p_two_sided = std::min(1.0, 2.0 * normal_upper_tail(corrected / sd));
    r.p_x_greater = normal_upper_tail((dev - 0.5) / sd);
    r.p_x_less = normal_upper_tail(-(dev + 0.5) / sd);
  } else {
    // Every value tied: no evidence either way.
    r.z = 0.0;
    r.p_two_sided = r.p_x_greater = r.p_x_less = 1.0;
  }

  const bool exact =
      (method == MannWhitneyMethod::kExact && total <= kExactLimit) ||
      (method == MannWhitneyMethod::kAuto && total <= kExactMaxTotal);
  if (exact && var > 0.0) {
    std::shared_ptr<const std::vector<double>> untied;
    std::vector<double> tied;
    if (r.ties) {
      tied = rank_sum_counts(doubled_ranks, m);
    } else {
      untied = untied_rank_sum_counts(m, total);
    }
    const std::vector<double>& counts = r.ties ? tied : *untied;
    double all = 0.0, ge = 0.0, le = 0.0, far = 0.0;
    const int64_t doubled_mean = m * (total + 1);  // 2 * E[rank sum of x]
    const int64_t observed_dev = std::llabs(doubled_rank_sum_x - doubled_mean);
    for (size_t s = 0; s < counts.size(); ++s) {
      const double c = counts[s];
      if (c == 0.0) continue;
      const int64_t ss = static_cast<int64_t>(s);
      all += c;
      if (ss >= doubled_rank_sum_x) ge += c;
      if (ss <= doubled_rank_sum_x) le += c;
      if (std::llabs(ss - doubled_mean) >= observed_dev) far += c;
    }
    r.p_x_greater = ge / all;
    r.p_x_less = le / all;
    r.p_two_sided = std::min(1.0, far / all);
    r.exact = true;
  }
  return r;
}

}  // namespace opscope::harness
