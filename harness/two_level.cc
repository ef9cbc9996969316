#include "harness/two_level.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "harness/student_t.h"

namespace opscope::harness {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<double> logs(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v) {
    if (x > 0) out.push_back(std::log(x));
  }
  return out;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

double sum_sq_dev(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s;
}

// Pools a measured variance (with df_m degrees of freedom) with the
// history's; picks the assumed one when there is neither.
struct Variance {
  double var = 0, df = 0;
  SigmaSource source = SigmaSource::kAssumed;
};
Variance pool(double ss, double df_m, double history_var, double history_df, double assumed) {
  Variance v;
  if (df_m > 0 && history_df > 0) {
    v = {(ss + history_df * history_var) / (df_m + history_df), df_m + history_df,
         SigmaSource::kMeasuredAndHistory};
  } else if (df_m > 0) {
    v = {ss / df_m, df_m, SigmaSource::kMeasured};
  } else if (history_df > 0) {
    v = {history_var, history_df, SigmaSource::kHistory};
  } else {
    v = {assumed, kInf, SigmaSource::kAssumed};
  }
  return v;
}

}  // namespace

std::string_view to_string(SigmaSource s) {
  switch (s) {
    case SigmaSource::kMeasured: return "measured";
    case SigmaSource::kMeasuredAndHistory: return "measured+history";
    case SigmaSource::kHistory: return "history";
    case SigmaSource::kAssumed: return "assumed";
  }
  return "?";
}

bool pairable_by_round(const RunLevelSide& base, const RunLevelSide& cand) {
  if (base.rounds.size() != base.medians_ms.size() ||
      cand.rounds.size() != cand.medians_ms.size() || base.rounds.size() < 2) {
    return false;
  }
  std::vector<int> a = base.rounds, b = cand.rounds;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a.front() >= 0 && std::adjacent_find(a.begin(), a.end()) == a.end() && a == b;
}

TwoLevelResult two_level_compare(const RunLevelSide& base, const RunLevelSide& cand,
                                 const TwoLevelOptions& o) {
  TwoLevelResult r;
  const double history_var = o.history.sigma * o.history.sigma;
  Variance v;
  double se_factor = 0;  // se = sqrt(var) * se_factor
  if (o.pair_rounds && pairable_by_round(base, cand) &&
      std::all_of(base.medians_ms.begin(), base.medians_ms.end(), [](double x) { return x > 0; }) &&
      std::all_of(cand.medians_ms.begin(), cand.medians_ms.end(), [](double x) { return x > 0; })) {
    std::map<int, double> base_by_round;
    for (size_t i = 0; i < base.rounds.size(); ++i) {
      base_by_round[base.rounds[i]] = std::log(base.medians_ms[i]);
    }
    std::vector<double> d;
    for (size_t i = 0; i < cand.rounds.size(); ++i) {
      d.push_back(std::log(cand.medians_ms[i]) - base_by_round[cand.rounds[i]]);
    }
    const double n = static_cast<double>(d.size());
    // The variance of a difference of two runs is twice a run's.
    v = pool(sum_sq_dev(d), n - 1, 2 * history_var, o.history.df,
             2 * o.assumed_sigma * o.assumed_sigma);
    r.log_effect = mean(d);
    se_factor = 1.0 / std::sqrt(n);
    r.sigma_between = std::sqrt(v.var / 2);
    r.paired = true;
    r.base_runs = r.cand_runs = static_cast<int>(d.size());
  } else {
    const std::vector<double> lb = logs(base.medians_ms), lc = logs(cand.medians_ms);
    r.base_runs = static_cast<int>(lb.size());
    r.cand_runs = static_cast<int>(lc.size());
    if (lb.empty() || lc.empty()) return r;
    const double nb = static_cast<double>(lb.size()), nc = static_cast<double>(lc.size());
    v = pool(sum_sq_dev(lb) + sum_sq_dev(lc), nb + nc - 2, history_var, o.history.df,
             o.assumed_sigma * o.assumed_sigma);
    r.log_effect = mean(lc) - mean(lb);
    se_factor = std::sqrt(1.0 / nb + 1.0 / nc);
    r.sigma_between = std::sqrt(v.var);
  }
  r.valid = true;
  r.df = v.df;
  r.sigma_source = v.source;
  r.se = std::sqrt(v.var) * se_factor;
  r.ratio = std::exp(r.log_effect);
  if (r.se > 0) {
    r.t = r.log_effect / r.se;
    r.p_two_sided = 2.0 * student_t_cdf(-std::fabs(r.t), r.df);
    r.p_cand_slower = 1.0 - student_t_cdf(r.t, r.df);
  } else {
    r.t = r.log_effect == 0 ? 0.0 : std::copysign(kInf, r.log_effect);
    r.p_two_sided = r.log_effect == 0 ? 1.0 : 0.0;
    r.p_cand_slower = r.log_effect > 0 ? 0.0 : 1.0;
  }
  const double q = student_t_quantile(0.5 + o.level / 2, r.df);
  r.ci.lo = std::exp(r.log_effect - q * r.se);
  r.ci.hi = std::exp(r.log_effect + q * r.se);
  r.ci.coverage = o.level;
  r.ci.valid = true;
  return r;
}

BetweenRunPrior pooled_between_run(const std::vector<std::vector<double>>& groups) {
  double ss = 0, df = 0;
  for (const auto& g : groups) {
    const std::vector<double> l = logs(g);
    if (l.size() < 2) continue;
    ss += sum_sq_dev(l);
    df += static_cast<double>(l.size()) - 1;
  }
  BetweenRunPrior p;
  if (df > 0) p = {std::sqrt(ss / df), df};
  return p;
}

}  // namespace opscope::harness
