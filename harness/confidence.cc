#include "harness/confidence.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "harness/statistics.h"

namespace opscope::harness {
namespace {

double log_binomial_pmf(int64_t k, int64_t n, double log_p, double log_q) {
  const double nk = static_cast<double>(n), kk = static_cast<double>(k);
  return std::lgamma(nk + 1) - std::lgamma(kk + 1) - std::lgamma(nk - kk + 1) +
         kk * log_p + (nk - kk) * log_q;
}

// An unbiased index in [0, n) from one 64-bit draw (multiply-shift): the same
// on every standard library, unlike std::uniform_int_distribution.
size_t draw_index(std::mt19937_64& rng, size_t n) {
  return static_cast<size_t>((static_cast<unsigned __int128>(rng()) * n) >> 64);
}

// The median (R-7: mean of the two middle values for even n) of `v`, which
// it reorders.
double median_in_place(std::vector<double>& v) {
  const size_t n = v.size();
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(v.begin(), mid, v.end());
  if (n % 2 == 1) return *mid;
  const double upper = *mid;
  const double lower = *std::max_element(v.begin(), mid);
  return 0.5 * (lower + upper);
}

}  // namespace

double binomial_cdf(int64_t k, int64_t n, double p) {
  if (k < 0) return 0.0;
  if (k >= n) return 1.0;
  if (p <= 0.0) return 1.0;
  if (p >= 1.0) return 0.0;
  const double log_p = std::log(p), log_q = std::log1p(-p);
  // Sum the shorter tail, then complement if needed: keeps small tails exact.
  const double mean = static_cast<double>(n) * p;
  double sum = 0.0;
  if (static_cast<double>(k) <= mean) {
    for (int64_t i = 0; i <= k; ++i) sum += std::exp(log_binomial_pmf(i, n, log_p, log_q));
    return std::min(sum, 1.0);
  }
  for (int64_t i = k + 1; i <= n; ++i) sum += std::exp(log_binomial_pmf(i, n, log_p, log_q));
  return std::max(0.0, 1.0 - sum);
}

OrderStatisticRanks quantile_ci_ranks(int64_t n, double q, double level) {
  OrderStatisticRanks r;
  if (n <= 0 || !(q > 0.0 && q < 1.0) || !(level > 0.0 && level < 1.0)) return r;
  const double tail = (1.0 - level) / 2.0;
  const double log_p = std::log(q), log_q = std::log1p(-q);
  std::vector<double> pmf(static_cast<size_t>(n) + 1);
  for (int64_t k = 0; k <= n; ++k) pmf[k] = std::exp(log_binomial_pmf(k, n, log_p, log_q));
  // below[k] = P(B <= k), above[k] = P(B >= k), each summed from its own end.
  std::vector<double> below(pmf.size()), above(pmf.size() + 1, 0.0);
  double acc = 0.0;
  for (int64_t k = 0; k <= n; ++k) below[k] = (acc += pmf[k]);
  acc = 0.0;
  for (int64_t k = n; k >= 0; --k) above[k] = (acc += pmf[k]);
  // Lower rank: the largest l in [1, n] with P(B <= l-1) <= tail.
  int64_t l = 0;
  while (l < n && below[l] <= tail) ++l;
  // Upper rank: the smallest u in [1, n] with P(B >= u) <= tail.
  int64_t u = n + 1;
  while (u - 1 >= 1 && above[u - 1] <= tail) --u;
  r.lower = std::max<int64_t>(l, 1);
  r.upper = std::min<int64_t>(u, n);
  r.valid = l >= 1 && u <= n && l < u;
  const double below_l = l >= 1 ? below[l - 1] : 0.0;
  const double above_u = u <= n ? above[u] : 0.0;
  r.coverage = std::clamp(1.0 - below_l - above_u, 0.0, 1.0);
  return r;
}

Interval quantile_ci(std::vector<double> samples, double q, double level) {
  Interval out;
  if (samples.empty()) return out;
  std::sort(samples.begin(), samples.end());
  const OrderStatisticRanks r =
      quantile_ci_ranks(static_cast<int64_t>(samples.size()), q, level);
  out.lo = samples[static_cast<size_t>(std::max<int64_t>(r.lower, 1) - 1)];
  out.hi = samples[static_cast<size_t>(std::max<int64_t>(r.upper, 1) - 1)];
  out.coverage = r.coverage;
  out.valid = r.valid;
  return out;
}

Interval median_ratio_ci(const std::vector<double>& base,
                         const std::vector<double>& cand,
                         const BootstrapOptions& options) {
  Interval out;
  if (base.size() < 2 || cand.size() < 2 || options.resamples < 10) return out;
  if (median(base) <= 0.0 || median(cand) <= 0.0) return out;
  std::mt19937_64 rng(options.seed);
  std::vector<double> rb(base.size()), rc(cand.size());
  std::vector<double> ratios;
  ratios.reserve(static_cast<size_t>(options.resamples));
  for (int b = 0; b < options.resamples; ++b) {
    for (double& v : rb) v = base[draw_index(rng, base.size())];
    for (double& v : rc) v = cand[draw_index(rng, cand.size())];
    const double mb = median_in_place(rb);
    const double mc = median_in_place(rc);
    if (mb > 0.0) ratios.push_back(mc / mb);
  }
  if (ratios.size() < 10) return out;
  std::sort(ratios.begin(), ratios.end());
  out.lo = percentile_sorted(ratios, 100.0 * (1.0 - options.level) / 2.0);
  out.hi = percentile_sorted(ratios, 100.0 * (1.0 + options.level) / 2.0);
  out.coverage = options.level;
  out.valid = true;
  return out;
}

}  // namespace opscope::harness
