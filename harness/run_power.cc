#include "harness/run_power.h"

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include "harness/student_t.h"

namespace opscope::harness {

namespace {

// The simulation's draws for one degrees of freedom: (standard normal,
// chi-squared) pairs (the second 0 when sigma is known), in the order the
// seeded generator gives them. They do not depend on the ratio, sigma or
// threshold, so runs_needed's 64 calls for each of a trend's points share
// them: remembered per (known, df, draws), the same numbers as drawing
// afresh.
using Draws = std::vector<std::pair<double, double>>;

std::shared_ptr<const Draws> draws_for(bool known, double df, int draws) {
  static std::mutex mutex;
  static std::map<std::tuple<bool, double, int>, std::shared_ptr<const Draws>> made;
  const std::tuple key{known, df, draws};
  {
    std::lock_guard lock(mutex);
    if (auto it = made.find(key); it != made.end()) return it->second;
  }
  std::mt19937_64 rng(20240607);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::chi_squared_distribution<double> chi2(known ? 1.0 : df);
  auto out = std::make_shared<Draws>();
  out->reserve(static_cast<size_t>(draws));
  for (int i = 0; i < draws; ++i) {
    const double z = normal(rng);
    out->emplace_back(z, known ? 0.0 : chi2(rng));
  }
  std::lock_guard lock(mutex);
  if (made.size() >= 512) made.clear();  // a bound; the ones in use come back at once
  made.emplace(key, out);
  return out;
}

}  // namespace

double gate_power(int runs, double true_ratio, const PowerModel& m, int draws) {
  if (runs < 1 || m.sigma <= 0) return true_ratio > 1.0 + m.max_regression ? 1.0 : 0.0;
  const double n = runs;
  // Degrees of freedom of the variance estimate the gate would have.
  double df = (m.paired ? n - 1 : 2 * n - 2) + m.history_df;
  const bool known = m.sigma_known || df <= 0;
  const double sigma = m.sigma_known || df > 0 ? m.sigma : m.assumed_sigma;
  // se of the log effect: paired rounds have a difference's variance
  // (2 sigma^2) over n rounds, unpaired sides sigma^2 (1/n + 1/n): equal.
  const double se = sigma * std::sqrt(2.0 / n);
  const double crit = known ? student_t_quantile(1 - m.alpha, INFINITY)
                            : student_t_quantile(1 - m.alpha, df);
  double threshold = std::log1p(m.max_regression);
  if (m.base_ms > 0) threshold = std::fmax(threshold, std::log1p(m.min_abs_ms / m.base_ms));
  const std::shared_ptr<const Draws> sample = draws_for(known, df, draws);
  const double log_ratio = std::log(true_ratio);
  int fail = 0;
  for (const auto& [z, chi2] : *sample) {
    const double est = log_ratio + se * z;
    const double s = known ? 1.0 : std::sqrt(chi2 / df);
    if (est > threshold && est / (se * s) > crit) ++fail;
  }
  return static_cast<double>(fail) / draws;
}

int runs_needed(double detect_ratio, double power, const PowerModel& model, int max_runs) {
  for (int n = 1; n <= max_runs; ++n) {
    if (gate_power(n, detect_ratio, model) >= power) return n;
  }
  return 0;
}

}  // namespace opscope::harness
