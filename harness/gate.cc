#include "harness/gate.h"

#include <algorithm>
#include <cstdio>

namespace opscope::harness {
namespace {

std::string fmt(const char* format, double a) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, a);
  return buf;
}

std::string percent(double rel) { return fmt("%+.1f%%", 100.0 * rel); }

std::string p_text(double p) { return p < 1e-4 ? fmt("p = %.1e", p) : fmt("p = %.4f", p); }

CaseVerdict undecided(const CaseSide& s, const std::string& reason) {
  CaseVerdict v;
  v.name = s.key.label();
  v.verdict = Verdict::kUndecided;
  v.reason = reason;
  return v;
}

// Why a side cannot be judged, or "" when it can.
std::string side_problem(const char* which, const CaseSide& s, int min_samples) {
  if (s.samples_ms.empty() && s.failed_runs > 0) {
    return std::string(which) + " run failed (" + s.error + ")";
  }
  if (static_cast<int>(s.samples_ms.size()) < min_samples) {
    return std::string(which) + " has " + std::to_string(s.samples_ms.size()) +
           " samples, fewer than " + std::to_string(min_samples);
  }
  return "";
}

CaseVerdict judge(const CaseComparison& c, const GateOptions& o) {
  CaseVerdict v;
  v.name = c.base.key.label();
  if (!c.paired_by_key) v.name += " vs " + c.cand.key.label();
  v.base_samples = c.base.samples_ms.size();
  v.cand_samples = c.cand.samples_ms.size();
  v.base_median_ms = c.base.median_ms;
  v.cand_median_ms = c.cand.median_ms;
  for (const std::string& problem : {side_problem("baseline", c.base, o.min_samples),
                                     side_problem("candidate", c.cand, o.min_samples)}) {
    if (!problem.empty()) {
      v.verdict = Verdict::kUndecided;
      v.reason = problem;
      return v;
    }
  }
  v.ratio = c.ratio;
  v.ratio_lo = c.ratio_ci.lo;
  v.ratio_hi = c.ratio_ci.hi;
  v.p_value = c.mann_whitney.p_two_sided;
  const double rel = c.ratio - 1.0;
  const bool significant = v.p_value < o.alpha;
  const bool beyond_abs = c.delta_ms > o.min_abs_ms;
  const std::string change =
      percent(rel) + fmt(" (median %.3f", c.base.median_ms) + fmt(" -> %.3f ms", c.cand.median_ms) +
      fmt(", %+.3f ms", c.delta_ms) + fmt("; 95%% CI of the ratio %.3f", v.ratio_lo) +
      fmt("-%.3f", v.ratio_hi) + "), " + p_text(v.p_value);
  if (significant && beyond_abs && rel > o.max_regression) {
    v.verdict = Verdict::kFail;
    v.reason = "slower " + change + fmt(": beyond %.1f%%", 100.0 * o.max_regression) +
               fmt(" and %.3f ms", o.min_abs_ms);
  } else if (significant && beyond_abs && o.warn > 0.0 && rel > o.warn) {
    v.verdict = Verdict::kPassWithWarning;
    v.reason = "slower " + change + fmt(": beyond the warning level %.1f%%", 100.0 * o.warn);
  } else {
    v.verdict = Verdict::kPass;
    if (!significant) {
      v.reason = "no significant change " + change;
    } else if (rel < 0) {
      v.reason = "faster " + change;
    } else {
      v.reason = "within the thresholds " + change;
    }
  }
  return v;
}

}  // namespace

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "PASS";
    case Verdict::kPassWithWarning: return "PASS_WITH_WARNING";
    case Verdict::kFail: return "FAIL";
    case Verdict::kUndecided: return "UNDECIDED";
  }
  return "?";
}

GateResult evaluate_gate(const Comparison& cmp, const GateOptions& o) {
  GateResult r;
  r.options = o;
  for (const CaseComparison& c : cmp.cases) r.cases.push_back(judge(c, o));
  for (const CaseSide& s : cmp.only_in_base) {
    r.cases.push_back(undecided(s, "missing from the candidate"));
  }
  for (const CaseSide& s : cmp.only_in_cand) {
    r.cases.push_back(undecided(s, "missing from the baseline"));
  }
  auto any = [&](Verdict v) {
    return std::any_of(r.cases.begin(), r.cases.end(),
                       [v](const CaseVerdict& c) { return c.verdict == v; });
  };
  if (r.cases.empty() || any(Verdict::kUndecided)) r.overall = Verdict::kUndecided;
  else if (any(Verdict::kPassWithWarning)) r.overall = Verdict::kPassWithWarning;
  else r.overall = Verdict::kPass;
  if (any(Verdict::kFail)) r.overall = Verdict::kFail;
  return r;
}

int gate_exit_code(Verdict overall) {
  switch (overall) {
    case Verdict::kPass:
    case Verdict::kPassWithWarning: return 0;
    case Verdict::kFail: return 1;
    case Verdict::kUndecided: return 2;
  }
  return 2;
}

nlohmann::json to_json(const GateResult& r) {
  nlohmann::json cases = nlohmann::json::array();
  for (const CaseVerdict& c : r.cases) {
    cases.push_back({{"name", c.name}, {"verdict", to_string(c.verdict)},
                     {"reason", c.reason}, {"base_median_ms", c.base_median_ms},
                     {"cand_median_ms", c.cand_median_ms}, {"ratio", c.ratio},
                     {"ratio_ci", {c.ratio_lo, c.ratio_hi}}, {"p_value", c.p_value},
                     {"base_samples", c.base_samples}, {"cand_samples", c.cand_samples}});
  }
  const GateOptions& o = r.options;
  return {{"verdict", to_string(r.overall)},
          {"exit_code", gate_exit_code(r.overall)},
          {"options", {{"max_regression", o.max_regression}, {"min_abs_ms", o.min_abs_ms},
                       {"warn", o.warn}, {"alpha", o.alpha}, {"min_samples", o.min_samples}}},
          {"cases", cases}};
}

}  // namespace opscope::harness
