#include "harness/gate_trials.h"

#include <random>

namespace opscope::harness {
namespace {

size_t draw_index(std::mt19937_64& rng, size_t n) {
  return static_cast<size_t>((static_cast<unsigned __int128>(rng()) * n) >> 64);
}

ResultDocument resampled(const std::vector<double>& run, int n, std::mt19937_64& rng) {
  ResultDocument d;
  d.model.name = "trial";
  d.latency_ms.samples.resize(static_cast<size_t>(n));
  for (double& v : d.latency_ms.samples) v = run[draw_index(rng, run.size())];
  return d;
}

}  // namespace

GateTrialRates run_gate_trials(const GateTrialSpec& spec, const GateOptions& options) {
  GateTrialRates rates;
  if (spec.base_runs.empty()) return rates;
  const bool aa = spec.cand_runs.empty();
  const auto& cand_pool = aa ? spec.base_runs : spec.cand_runs;
  std::mt19937_64 rng(spec.seed);
  CompareOptions compare;
  compare.bootstrap.resamples = 1000;  // the gate does not read the interval
  for (int t = 0; t < spec.trials; ++t) {
    const size_t i = draw_index(rng, spec.base_runs.size());
    size_t j = draw_index(rng, cand_pool.size());
    if (aa && cand_pool.size() > 1) {
      j = draw_index(rng, cand_pool.size() - 1);
      if (j >= i) ++j;  // a different run than the baseline's
    }
    const ResultDocument b = resampled(spec.base_runs[i], spec.samples_per_side, rng);
    const ResultDocument c = resampled(cand_pool[j], spec.samples_per_side, rng);
    compare.bootstrap.seed = rng();
    const GateResult g = evaluate_gate(compare_documents({b}, {c}, compare), options);
    ++rates.trials;
    switch (g.overall) {
      case Verdict::kFail: ++rates.fail; break;
      case Verdict::kPassWithWarning: ++rates.warn; break;
      case Verdict::kUndecided: ++rates.undecided; break;
      case Verdict::kPass: ++rates.pass; break;
    }
  }
  return rates;
}

}  // namespace opscope::harness
