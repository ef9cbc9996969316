#include "harness/gate_trials.h"

#include <algorithm>
#include <random>

namespace opscope::harness {
namespace {

store::StoredRun trial_run(int64_t id, const std::vector<double>& samples, int round) {
  store::StoredRun r;
  r.id = id;
  r.sweep_id = "trial";
  r.doc.model.name = "trial";
  r.doc.latency_ms.samples = samples;
  r.document = {{"config", {{"sweep_round", round}}}};
  return r;
}

}  // namespace

GateTrialRates run_gate_trials(const GateTrialSpec& spec, const GateOptions& options) {
  GateTrialRates rates;
  const bool aa = spec.cand_runs.empty();
  const bool aa_own = aa && spec.aa_runs.size() == spec.base_runs.size();
  const size_t k = static_cast<size_t>(spec.runs_per_side);
  const size_t rounds = spec.base_runs.size();
  if (k == 0 || (aa && !aa_own ? 2 * k : k) > rounds) return rates;
  if (!aa && spec.cand_runs.size() != rounds) return rates;
  std::mt19937_64 rng(spec.seed);
  std::vector<size_t> order(rounds);
  for (int t = 0; t < spec.trials; ++t) {
    for (size_t i = 0; i < rounds; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<store::StoredRun> base, cand;
    for (size_t i = 0; i < k; ++i) {
      const int round = static_cast<int>(i);
      base.push_back(trial_run(static_cast<int64_t>(i + 1), spec.base_runs[order[i]], round));
      const std::vector<double>& c = !aa ? spec.cand_runs[order[i]]
                                     : aa_own ? spec.aa_runs[order[i]]
                                              : spec.base_runs[order[k + i]];
      cand.push_back(trial_run(static_cast<int64_t>(1000 + i), c, round));
    }
    const GateResult g = evaluate_gate(compare_runs(base, cand), options);
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
