#include "harness/gate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "harness/run_power.h"

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

// Why the two sides' times cannot be compared at all, or "": emulated
// runs (qemu) time the emulator, not a device.
std::string emulation_problem(const CaseSide& base, const CaseSide& cand) {
  auto what = [](const CaseSide& s) -> std::string {
    if (s.emulated_runs > 0 && s.hardware_runs > 0) return "mixes emulated and real runs";
    return s.emulated_runs > 0 ? "ran emulated (qemu)" : "ran on real hardware";
  };
  const bool base_emu = base.emulated_runs > 0, cand_emu = cand.emulated_runs > 0;
  const bool mixed = (base_emu && base.hardware_runs > 0) || (cand_emu && cand.hardware_runs > 0);
  if (!mixed && base_emu == cand_emu) return "";
  return "the baseline " + what(base) + ", the candidate " + what(cand) +
         ": emulated times are never gated against real hardware";
}

double typical(const CaseSide& s) {
  double sum = 0;
  for (double m : s.run_medians_ms) sum += std::log(m);
  return s.run_medians_ms.empty() ? 0.0 : std::exp(sum / s.run_medians_ms.size());
}

// "3 vs 3 runs, paired by sweep round, between-run variation 2.1% (measured)"
std::string runs_text(const CaseVerdict& v) {
  std::string s = std::to_string(v.base_runs) + " vs " + std::to_string(v.cand_runs) + " runs";
  if (v.paired_by_round) s += ", paired by sweep round";
  s += fmt(", between-run variation %.1f%%", 100.0 * v.between_run_sigma) + " (" +
       v.sigma_source + (v.low_confidence ? ", low confidence)" : ")");
  return s;
}

// "5 runs per side are needed to catch +10.0% 95% of the time, have 3"
std::string needs_text(const CaseVerdict& v, const GateOptions& o) {
  const std::string what = fmt(" to catch %+.1f%%", 100.0 * o.detect_or_default()) +
                           fmt(" %.0f%% of the time", 100.0 * o.power);
  if (v.runs_needed == 0) return "more than 64 runs per side are needed" + what;
  return std::to_string(v.runs_needed) + " run(s) per side are needed" + what + ", have " +
         std::to_string(std::min(v.base_runs, v.cand_runs));
}

// The power model of a case. The between-run sigma is taken at its 80%
// upper confidence bound (chi-square, Wilson-Hilferty): a spread that came
// out small by luck from a few runs must not declare those runs enough. The
// absolute threshold is left out: below --min-abs-ms the user chose not to
// look, and a PASS there is what was asked for.
PowerModel power_model(const CaseComparison& c, const GateOptions& o) {
  const TwoLevelResult& rl = c.run_level;
  PowerModel m;
  m.paired = rl.paired;
  m.sigma_known = rl.low_confidence();
  m.sigma = rl.sigma_between;
  const double measured = m.paired ? rl.base_runs - 1 : rl.base_runs + rl.cand_runs - 2;
  if (!m.sigma_known) {
    m.history_df = std::fmax(0.0, rl.df - measured);  // what the history adds
    const double k = rl.df, z = -0.8416;               // the 20% normal quantile
    const double w = 1.0 - 2.0 / (9.0 * k) + z * std::sqrt(2.0 / (9.0 * k));
    const double chi2 = k * std::fmax(w * w * w, 1e-3);
    m.sigma *= std::sqrt(k / chi2);
  }
  m.alpha = o.alpha;
  m.max_regression = o.max_regression;
  return m;
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
                                     side_problem("candidate", c.cand, o.min_samples),
                                     emulation_problem(c.base, c.cand)}) {
    if (!problem.empty()) {
      v.verdict = Verdict::kUndecided;
      v.reason = problem;
      return v;
    }
  }
  const TwoLevelResult& rl = c.run_level;
  v.ratio = c.ratio;
  v.ratio_lo = c.ratio_ci.lo;
  v.ratio_hi = c.ratio_ci.hi;
  v.p_value = c.p_value;
  v.base_runs = rl.base_runs;
  v.cand_runs = rl.cand_runs;
  v.paired_by_round = rl.paired;
  v.low_confidence = rl.low_confidence();
  v.between_run_sigma = rl.sigma_between;
  v.sigma_source = std::string(to_string(rl.sigma_source));
  v.runs_needed = runs_needed(1.0 + o.detect_or_default(), o.power, power_model(c, o));
  const double rel = c.ratio - 1.0;
  // One-sided: the gate fails slowdowns only, so at most alpha of A/A
  // comparisons are significant in that direction.
  const bool significant = rl.p_cand_slower < o.alpha || (rel < 0 && v.p_value < o.alpha);
  const bool beyond_abs = c.delta_ms > o.min_abs_ms;
  const std::string change =
      percent(rel) + fmt(" (run medians %.3f", typical(c.base)) +
      fmt(" -> %.3f ms", typical(c.cand)) + fmt(", %+.3f ms", c.delta_ms) +
      fmt("; 95%% CI of the ratio %.3f", v.ratio_lo) + fmt("-%.3f", v.ratio_hi) + "), " +
      p_text(v.p_value) + ", " + runs_text(v);
  if (significant && beyond_abs && rel > o.max_regression) {
    v.verdict = Verdict::kFail;
    v.reason = "slower " + change + fmt(": beyond %.1f%%", 100.0 * o.max_regression) +
               fmt(" and %.3f ms", o.min_abs_ms);
  } else if (significant && beyond_abs && o.warn > 0.0 && rel > o.warn) {
    v.verdict = Verdict::kPassWithWarning;
    v.reason = "slower " + change + fmt(": beyond the warning level %.1f%%", 100.0 * o.warn);
  } else if (v.runs_needed == 0 || std::min(v.base_runs, v.cand_runs) < v.runs_needed) {
    v.verdict = Verdict::kUndecided;
    v.reason = "too few runs to pass: " + needs_text(v, o) + "; " + change;
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
                     {"base_samples", c.base_samples}, {"cand_samples", c.cand_samples},
                     {"base_runs", c.base_runs}, {"cand_runs", c.cand_runs},
                     {"runs_needed", c.runs_needed}, {"paired_by_round", c.paired_by_round},
                     {"between_run_sigma", c.between_run_sigma},
                     {"sigma_source", c.sigma_source},
                     {"low_confidence", c.low_confidence}});
  }
  const GateOptions& o = r.options;
  return {{"verdict", to_string(r.overall)},
          {"exit_code", gate_exit_code(r.overall)},
          {"options", {{"max_regression", o.max_regression}, {"min_abs_ms", o.min_abs_ms},
                       {"warn", o.warn}, {"alpha", o.alpha}, {"min_samples", o.min_samples},
                       {"detect", o.detect_or_default()}, {"power", o.power}}},
          {"cases", cases}};
}

}  // namespace opscope::harness
