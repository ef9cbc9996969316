#include "harness/compare.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "harness/statistics.h"
#include "result/op_category.h"

namespace opscope::harness {
namespace {

using nlohmann::json;

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

// Per-op times of one side, keyed by source index.
struct OpAgg {
  std::string name, type, backend;
  double us_sum = 0;  // over runs
  int runs = 0;
};

struct SideBuild {
  CaseSide side;
  std::map<int, OpAgg> ops;
  std::map<std::string, OpAgg> categories;  // op_category.h, summed per run
  bool pytorch = false;  // ran on PyTorch's runtime (docs/pytorch.md)
  int ok_runs = 0;
};

std::string category_of(const OpStats& op) {
  return op.category.empty() ? std::string(op_category_of_type(op.type)) : op.category;
}

void add_run(SideBuild& b, const store::StoredRun& run) {
  const ResultDocument& d = run.doc;
  b.side.run_ids.push_back(run.id);
  if (d.status != "ok") {
    if (b.side.failed_runs++ == 0) b.side.error = d.error.code + ": " + d.error.message;
    return;
  }
  ++b.ok_runs;
  b.pytorch = b.pytorch || d.on_pytorch();
  ++(d.device.emulated ? b.side.emulated_runs : b.side.hardware_runs);
  const auto& s = d.latency_ms.samples;
  b.side.samples_ms.insert(b.side.samples_ms.end(), s.begin(), s.end());
  const double run_median = s.empty() ? d.latency_ms.median : median(s);
  if (run_median > 0) {
    b.side.run_medians_ms.push_back(run_median);
    b.side.run_rounds.push_back(sweep_round_of(run));
    b.side.run_sweeps.push_back(run.sweep_id);
  }
  MemoryStats& m = b.side.memory;
  m.peak_rss_bytes = std::max(m.peak_rss_bytes, d.memory.peak_rss_bytes);
  m.rss_after_load_bytes = std::max(m.rss_after_load_bytes, d.memory.rss_after_load_bytes);
  m.arena_bytes = std::max(m.arena_bytes, d.memory.arena_bytes);
  m.arena_lower_bound_bytes =
      std::max(m.arena_lower_bound_bytes, d.memory.arena_lower_bound_bytes);
  m.weights_bytes = std::max(m.weights_bytes, d.memory.weights_bytes);
  m.heap_peak_bytes = std::max(m.heap_peak_bytes, d.memory.heap_peak_bytes);
  m.pinned_bytes = std::max(m.pinned_bytes, d.memory.pinned_bytes);
  Stages& st = b.side.stages;  // sums here, means in finish()
  st.load_ms += d.stages.load_ms;
  st.partition_ms += d.stages.partition_ms;
  st.plan_ms += d.stages.plan_ms;
  st.prepare_ms += d.stages.prepare_ms;
  st.first_invoke_ms += d.stages.first_invoke_ms;
  std::map<int, double> per_run;  // one run's time per source index
  // Ops inside control-flow bodies share their node's source index and are
  // within its time: the node's row stands for them.
  for (const OpStats& op : d.ops) {
    if (op.depth > 0) continue;
    per_run[op.source_index] += op.median_us;
    OpAgg& agg = b.ops[op.source_index];
    if (agg.type.empty()) {
      agg.name = op.name;
      agg.type = op.type;
      agg.backend = op.backend;
    } else if (agg.backend.find(op.backend) == std::string::npos) {
      agg.backend += "+" + op.backend;  // a source op split across backends
    }
  }
  for (const auto& [index, us] : per_run) {
    b.ops[index].us_sum += us;
    ++b.ops[index].runs;
  }
  std::map<std::string, double> per_category;
  for (const OpStats& op : d.ops) {
    if (op.depth == 0) per_category[category_of(op)] += op.median_us;
  }
  for (const auto& [category, us] : per_category) {
    OpAgg& agg = b.categories[category];
    agg.name = agg.type = category;
    agg.backend = d.config.backends.empty() ? "" : d.config.backends.front();
    agg.us_sum += us;
    ++agg.runs;
  }
}

void finish(SideBuild& b, const CompareOptions& options) {
  CaseSide& s = b.side;
  if (b.ok_runs > 0) {
    const double k = static_cast<double>(b.ok_runs);
    s.stages.load_ms /= k;
    s.stages.partition_ms /= k;
    s.stages.plan_ms /= k;
    s.stages.prepare_ms /= k;
    s.stages.first_invoke_ms /= k;
  }
  if (s.samples_ms.empty()) return;
  std::vector<double> sorted = s.samples_ms;
  std::sort(sorted.begin(), sorted.end());
  s.median_ms = percentile_sorted(sorted, 50);
  s.p90_ms = percentile_sorted(sorted, 90);
  s.median_ci = quantile_ci(sorted, 0.5, options.level);
  s.p90_ci = quantile_ci(sorted, 0.9, options.level);
}

std::vector<MemoryDelta> memory_deltas(const MemoryStats& a, const MemoryStats& b) {
  return {{"peak_rss_bytes", a.peak_rss_bytes, b.peak_rss_bytes},
          {"rss_after_load_bytes", a.rss_after_load_bytes, b.rss_after_load_bytes},
          {"arena_bytes", a.arena_bytes, b.arena_bytes},
          {"arena_lower_bound_bytes", a.arena_lower_bound_bytes, b.arena_lower_bound_bytes},
          {"weights_bytes", a.weights_bytes, b.weights_bytes}};
}

std::vector<StageRow> stage_rows(const Stages& a, const Stages& b) {
  return {{"load", a.load_ms, b.load_ms},
          {"partition", a.partition_ms, b.partition_ms},
          {"plan", a.plan_ms, b.plan_ms},
          {"prepare", a.prepare_ms, b.prepare_ms},
          {"first_invoke", a.first_invoke_ms, b.first_invoke_ms}};
}

// OpDiff::source_index of a row keyed by source index, or by category (-1).
int source_index_of(int index) { return index; }
int source_index_of(const std::string&) { return -1; }

template <typename Key>
std::vector<OpDiff> op_diffs(const std::map<Key, OpAgg>& base_ops,
                             const std::map<Key, OpAgg>& cand_ops) {
  std::map<Key, OpDiff> rows;
  for (const auto& [key, agg] : base_ops) {
    OpDiff& r = rows[key];
    r.source_index = source_index_of(key);
    r.name = agg.name;
    r.base_type = agg.type;
    r.base_backend = agg.backend;
    r.in_base = true;
    r.base_us = agg.runs > 0 ? agg.us_sum / agg.runs : 0.0;
  }
  for (const auto& [key, agg] : cand_ops) {
    OpDiff& r = rows[key];
    r.source_index = source_index_of(key);
    if (r.name.empty()) r.name = agg.name;
    r.cand_type = agg.type;
    r.cand_backend = agg.backend;
    r.in_cand = true;
    r.cand_us = agg.runs > 0 ? agg.us_sum / agg.runs : 0.0;
  }
  std::vector<OpDiff> out;
  out.reserve(rows.size());
  for (auto& [key, r] : rows) out.push_back(std::move(r));
  std::stable_sort(out.begin(), out.end(), [](const OpDiff& a, const OpDiff& b) {
    return std::abs(a.delta_us()) > std::abs(b.delta_us());
  });
  return out;
}

// Rounds count only when both sides' runs all come from one sweep (rounds of
// different sweeps saw different machines' states).
RunLevelSide run_level_side(const CaseSide& s, const CaseSide& other) {
  RunLevelSide r;
  r.medians_ms = s.run_medians_ms;
  const std::string& sweep = s.run_sweeps.empty() ? std::string() : s.run_sweeps.front();
  auto one_sweep = [&](const CaseSide& x) {
    return std::all_of(x.run_sweeps.begin(), x.run_sweeps.end(),
                       [&](const std::string& id) { return id == sweep; });
  };
  if (!sweep.empty() && one_sweep(s) && one_sweep(other)) r.rounds = s.run_rounds;
  return r;
}

TwoLevelOptions two_level_options(const CaseKey& key, const CompareOptions& options) {
  TwoLevelOptions o = options.two_level;
  o.level = options.level;
  auto it = options.history.find(key);
  if (it != options.history.end()) o.history = it->second;
  return o;
}

// The geometric mean of run medians: the typical run the ratio refers to.
double typical_ms(const std::vector<double>& medians) {
  double s = 0;
  for (double m : medians) s += std::log(m);
  return medians.empty() ? 0.0 : std::exp(s / static_cast<double>(medians.size()));
}

CaseComparison compare_case(const SideBuild& base, const SideBuild& cand,
                            const CompareOptions& options) {
  CaseComparison c;
  c.base = base.side;
  c.cand = cand.side;
  c.paired_by_key = base.side.key == cand.side.key;
  // A side whose runs all failed has no figures: nothing to set beside the other's.
  if (base.ok_runs == 0 || cand.ok_runs == 0) return c;
  c.memory = memory_deltas(base.side.memory, cand.side.memory);
  c.stages = stage_rows(base.side.stages, cand.side.stages);
  c.ops_by_category = base.pytorch != cand.pytorch;
  c.ops = c.ops_by_category ? op_diffs(base.categories, cand.categories)
                            : op_diffs(base.ops, cand.ops);
  c.comparable = !base.side.samples_ms.empty() && !cand.side.samples_ms.empty();
  if (!c.comparable) return c;
  c.run_level = two_level_compare(run_level_side(base.side, cand.side),
                                  run_level_side(cand.side, base.side),
                                  two_level_options(base.side.key, options));
  c.ratio = c.run_level.ratio;
  c.ratio_ci = c.run_level.ci;
  c.p_value = c.run_level.p_two_sided;
  c.delta_ms = typical_ms(base.side.run_medians_ms) * (c.ratio - 1.0);
  c.mann_whitney = mann_whitney_u(cand.side.samples_ms, base.side.samples_ms);
  return c;
}

std::map<CaseKey, SideBuild> group(const std::vector<store::StoredRun>& runs) {
  std::map<CaseKey, SideBuild> out;
  for (const store::StoredRun& run : runs) {
    const CaseKey key = case_key_of(run);
    SideBuild& b = out[key];
    b.side.key = key;
    add_run(b, run);
  }
  return out;
}

json interval_json(const Interval& i) {
  return {{"lo", i.lo}, {"hi", i.hi}, {"coverage", i.coverage}, {"valid", i.valid}};
}

json key_json(const CaseKey& k) {
  return {{"model", k.model}, {"variant", k.variant}, {"backends", k.backends},
          {"threads", k.threads}, {"label", k.label()}};
}

json memory_json(const MemoryStats& m) {
  return {{"peak_rss_bytes", m.peak_rss_bytes},
          {"rss_after_load_bytes", m.rss_after_load_bytes},
          {"arena_bytes", m.arena_bytes},
          {"arena_lower_bound_bytes", m.arena_lower_bound_bytes},
          {"weights_bytes", m.weights_bytes},
          {"heap_peak_bytes", m.heap_peak_bytes},
          {"pinned_bytes", m.pinned_bytes}};
}

json stages_json(const Stages& s) {
  return {{"load_ms", s.load_ms}, {"partition_ms", s.partition_ms},
          {"plan_ms", s.plan_ms}, {"prepare_ms", s.prepare_ms},
          {"first_invoke_ms", s.first_invoke_ms}};
}

json side_json(const CaseSide& s, bool with_samples) {
  json j = {{"key", key_json(s.key)},
            {"run_ids", s.run_ids},
            {"samples", s.samples_ms.size()},
            {"run_medians_ms", s.run_medians_ms},
            {"run_rounds", s.run_rounds},
            {"failed_runs", s.failed_runs},
            {"median_ms", s.median_ms},
            {"median_ci", interval_json(s.median_ci)},
            {"p90_ms", s.p90_ms},
            {"p90_ci", interval_json(s.p90_ci)},
            {"memory", memory_json(s.memory)},
            {"stages", stages_json(s.stages)}};
  if (!s.error.empty()) j["error"] = s.error;
  if (with_samples) j["samples_ms"] = s.samples_ms;
  return j;
}

}  // namespace

std::string CaseKey::label() const {
  std::string s = model;
  if (!variant.empty()) s += " [" + variant + "]";
  s += " " + backends + " t" + std::to_string(threads);
  return s;
}

bool CaseKey::operator<(const CaseKey& o) const {
  return std::tie(model, variant, backends, threads) <
         std::tie(o.model, o.variant, o.backends, o.threads);
}

bool CaseKey::operator==(const CaseKey& o) const {
  return std::tie(model, variant, backends, threads) ==
         std::tie(o.model, o.variant, o.backends, o.threads);
}

CaseKey case_key_of(const store::StoredRun& run) {
  CaseKey k;
  k.model = run.doc.model.name;
  k.variant = run.variant;
  k.backends = join(run.doc.config.backends);
  k.threads = run.doc.config.threads;
  return k;
}

Comparison compare_runs(const std::vector<store::StoredRun>& base,
                        const std::vector<store::StoredRun>& cand,
                        const CompareOptions& options) {
  std::map<CaseKey, SideBuild> b = group(base), c = group(cand);
  for (auto& [k, s] : b) finish(s, options);
  for (auto& [k, s] : c) finish(s, options);
  Comparison out;
  if (options.pair_single_cases && b.size() == 1 && c.size() == 1 &&
      !(b.begin()->first == c.begin()->first)) {
    out.cases.push_back(compare_case(b.begin()->second, c.begin()->second, options));
    return out;
  }
  for (const auto& [key, side] : b) {
    auto it = c.find(key);
    if (it == c.end()) {
      out.only_in_base.push_back(side.side);
    } else {
      out.cases.push_back(compare_case(side, it->second, options));
    }
  }
  for (const auto& [key, side] : c) {
    if (!b.count(key)) out.only_in_cand.push_back(side.side);
  }
  return out;
}

int sweep_round_of(const store::StoredRun& run) {
  if (run.sweep_id.empty() || !run.document.is_object()) return -1;
  const auto config = run.document.find("config");
  if (config == run.document.end() || !config->is_object()) return -1;
  const auto round = config->find("sweep_round");
  return round != config->end() && round->is_number_integer() ? round->get<int>() : -1;
}

std::map<CaseKey, BetweenRunPrior> between_run_history(
    const std::vector<store::StoredRun>& runs, const std::vector<int64_t>& exclude,
    const std::vector<std::string>& devices) {
  // (case, sweep) -> run medians
  std::map<CaseKey, std::map<std::string, std::vector<double>>> groups;
  for (const store::StoredRun& run : runs) {
    if (run.sweep_id.empty() || run.doc.status != "ok") continue;
    if (std::find(exclude.begin(), exclude.end(), run.id) != exclude.end()) continue;
    if (!devices.empty() &&
        std::find(devices.begin(), devices.end(), run.doc.device.id) == devices.end()) {
      continue;
    }
    const auto& s = run.doc.latency_ms.samples;
    const double m = s.empty() ? run.doc.latency_ms.median : median(s);
    if (m > 0) groups[case_key_of(run)][run.sweep_id].push_back(m);
  }
  std::map<CaseKey, BetweenRunPrior> out;
  for (const auto& [key, sweeps] : groups) {
    std::vector<std::vector<double>> g;
    for (const auto& [id, medians] : sweeps) g.push_back(medians);
    const BetweenRunPrior p = pooled_between_run(g);
    if (p.df > 0) out[key] = p;
  }
  return out;
}

Comparison compare_documents(const std::vector<ResultDocument>& base,
                             const std::vector<ResultDocument>& cand,
                             const CompareOptions& options) {
  auto wrap = [](const std::vector<ResultDocument>& docs) {
    std::vector<store::StoredRun> runs(docs.size());
    for (size_t i = 0; i < docs.size(); ++i) {
      runs[i].id = static_cast<int64_t>(i + 1);
      runs[i].doc = docs[i];
    }
    return runs;
  };
  return compare_runs(wrap(base), wrap(cand), options);
}

nlohmann::json to_json(const Comparison& cmp, bool with_samples) {
  json cases = json::array();
  for (const CaseComparison& c : cmp.cases) {
    json j = {{"base", side_json(c.base, with_samples)},
              {"cand", side_json(c.cand, with_samples)},
              {"paired_by_key", c.paired_by_key},
              {"comparable", c.comparable},
              {"ratio", c.ratio},
              {"ratio_ci", interval_json(c.ratio_ci)},
              {"p_value", c.p_value},
              {"delta_ms", c.delta_ms}};
    const TwoLevelResult& rl = c.run_level;
    j["run_level"] = {{"paired_by_round", rl.paired}, {"base_runs", rl.base_runs},
                      {"cand_runs", rl.cand_runs}, {"log_effect", rl.log_effect},
                      {"se", rl.se}, {"t", rl.t},
                      {"df", std::isinf(rl.df) ? json(nullptr) : json(rl.df)},
                      {"between_run_sigma", rl.sigma_between},
                      {"sigma_source", to_string(rl.sigma_source)},
                      {"low_confidence", rl.low_confidence()}};
    const MannWhitneyResult& mw = c.mann_whitney;
    j["mann_whitney"] = {{"scope", "invokes (within-run; not used by the gate)"},
                         {"u_cand", mw.u_x}, {"u_base", mw.u_y}, {"z", mw.z},
                         {"p_two_sided", mw.p_two_sided},
                         {"p_cand_slower", mw.p_x_greater},
                         {"p_cand_faster", mw.p_x_less},
                         {"exact", mw.exact}, {"ties", mw.ties}};
    j["memory"] = json::array();
    for (const MemoryDelta& m : c.memory) {
      j["memory"].push_back({{"field", m.field}, {"base", m.base}, {"cand", m.cand},
                             {"delta", m.delta()}});
    }
    j["stages"] = json::array();
    for (const StageRow& s : c.stages) {
      j["stages"].push_back({{"stage", s.stage}, {"base_ms", s.base_ms}, {"cand_ms", s.cand_ms}});
    }
    j["ops_by_category"] = c.ops_by_category;
    j["ops"] = json::array();
    for (const OpDiff& o : c.ops) {
      j["ops"].push_back({{"source_index", o.source_index}, {"name", o.name},
                          {"base_type", o.base_type}, {"cand_type", o.cand_type},
                          {"base_backend", o.base_backend}, {"cand_backend", o.cand_backend},
                          {"in_base", o.in_base}, {"in_cand", o.in_cand},
                          {"base_us", o.base_us}, {"cand_us", o.cand_us},
                          {"delta_us", o.delta_us()}});
    }
    cases.push_back(std::move(j));
  }
  json only_base = json::array(), only_cand = json::array();
  for (const CaseSide& s : cmp.only_in_base) only_base.push_back(side_json(s, with_samples));
  for (const CaseSide& s : cmp.only_in_cand) only_cand.push_back(side_json(s, with_samples));
  return {{"cases", cases}, {"only_in_base", only_base}, {"only_in_cand", only_cand}};
}

}  // namespace opscope::harness
