#include "harness/run_power.h"

#include <cmath>
#include <random>

#include "harness/student_t.h"

namespace opscope::harness {

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
  std::mt19937_64 rng(20240607);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::chi_squared_distribution<double> chi2(known ? 1.0 : df);
  int fail = 0;
  for (int i = 0; i < draws; ++i) {
    const double est = std::log(true_ratio) + se * normal(rng);
    const double s = known ? 1.0 : std::sqrt(chi2(rng) / df);
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
