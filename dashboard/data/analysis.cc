#include "dashboard/data/analysis.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "reports/run_summary.h"

namespace opscope::dashboard {
namespace {

using harness::CaseKey;
using store::StoredRun;

std::string failure_text(const StoredRun& r) {
  return "run " + std::to_string(r.id) + " failed: " + r.doc.error.code +
         (r.doc.error.message.empty() ? "" : ": " + r.doc.error.message);
}

// `order`: type names, largest first. Beyond `max_types` they fold into
// "other". Returns the kept names and, for every type, its slot.
std::pair<std::vector<std::string>, std::map<std::string, size_t>> fold_types(
    const std::vector<std::string>& order, size_t max_types) {
  std::vector<std::string> names;
  std::map<std::string, size_t> slot;
  const bool fold = order.size() > max_types;
  const size_t kept = fold ? max_types - 1 : order.size();
  for (size_t i = 0; i < order.size(); ++i) {
    if (i < kept) {
      slot[order[i]] = names.size();
      names.push_back(order[i]);
    } else {
      slot[order[i]] = kept;
    }
  }
  if (fold) names.push_back("other");
  return {names, slot};
}

}  // namespace

std::string TrendQuery::label() const {
  std::string s = model;
  if (!variant.empty()) s += " [" + variant + "]";
  s += " " + backends + " t" + std::to_string(threads);
  if (!device.empty()) s += " on " + device;
  return s;
}

OperatorsData build_operators(std::vector<StoredRun> runs) {
  OperatorsData out;
  out.runs = std::move(runs);
  for (const StoredRun& r : out.runs) {
    if (r.doc.status != "ok") {
      out.message = failure_text(r) + " (a failed run has no per-op times)";
      return out;
    }
  }
  if (out.runs.size() == 2) {
    harness::CompareOptions options;
    options.pair_single_cases = true;  // a float run and its int8 twin line up
    const harness::Comparison cmp = harness::compare_runs({out.runs[0]}, {out.runs[1]}, options);
    if (!cmp.cases.empty()) {
      for (const harness::OpDiff& d : cmp.cases.front().ops) out.diff.push_back({d, std::nullopt});
    }
  }
  return out;
}

CompareData build_compare(const std::vector<StoredRun>& runs, const harness::GateOptions& gate) {
  CompareData out;
  out.gate = gate;
  // Group by configuration, in first-appearance order.
  std::vector<std::vector<StoredRun>> groups;
  std::vector<CaseKey> keys;
  for (const StoredRun& r : runs) {
    const CaseKey k = harness::case_key_of(r);
    auto it = std::find(keys.begin(), keys.end(), k);
    if (it == keys.end()) {
      keys.push_back(k);
      groups.push_back({r});
    } else {
      groups[it - keys.begin()].push_back(r);
    }
  }
  if (groups.size() == 1 && runs.size() > 1) {  // one configuration: run against run
    groups.clear();
    for (const StoredRun& r : runs) groups.push_back({r});
  }
  if (groups.size() < 2) {
    out.message = "Select two or more runs in the Runs view to compare them.";
    // Still show the one side's distribution.
    if (!runs.empty()) {
      const harness::Comparison one = harness::compare_runs({}, runs);
      if (!one.only_in_cand.empty()) out.sides.push_back(one.only_in_cand.front());
    }
    return out;
  }
  harness::CompareOptions options;
  options.pair_single_cases = true;
  harness::Comparison all;
  for (size_t g = 1; g < groups.size(); ++g) {
    harness::Comparison c = harness::compare_runs(groups[0], groups[g], options);
    if (c.cases.empty()) continue;  // cannot happen with pair_single_cases
    if (out.sides.empty()) out.sides.push_back(c.cases.front().base);
    out.sides.push_back(c.cases.front().cand);
    all.cases.push_back(std::move(c.cases.front()));
  }
  const harness::GateResult verdicts = harness::evaluate_gate(all, gate);
  out.overall = verdicts.overall;
  for (size_t i = 0; i < all.cases.size(); ++i) {
    out.cases.push_back({std::move(all.cases[i]), verdicts.cases[i]});
  }
  return out;
}

TrendData build_trend(const TrendQuery& query, const std::vector<StoredRun>& runs) {
  TrendData out;
  out.query = query;
  // Points in order of first appearance (runs are oldest first).
  std::vector<std::vector<StoredRun>> groups;
  std::vector<std::string> labels;
  for (const StoredRun& r : runs) {
    std::string label;
    if (query.x_tag.empty()) {
      label = r.created_at;
    } else {
      auto t = r.tags.find(query.x_tag);
      if (t == r.tags.end()) continue;
      label = t->second;
    }
    auto it = query.x_tag.empty() ? labels.end() : std::find(labels.begin(), labels.end(), label);
    if (it == labels.end()) {
      labels.push_back(label);
      groups.push_back({r});
    } else {
      groups[it - labels.begin()].push_back(r);
    }
  }
  if (groups.empty()) {
    out.message = query.x_tag.empty() ? "No runs of " + query.label()
                                       : "No run of " + query.label() + " has the tag '" +
                                             query.x_tag + "'";
    return out;
  }
  harness::CompareOptions options;
  options.pair_single_cases = true;
  const harness::GateOptions gate;
  int previous_ok = -1;  // the last point with samples: each point's baseline
  for (size_t i = 0; i < groups.size(); ++i) {
    TrendPoint p;
    p.label = labels[i];
    p.created_at = groups[i].front().created_at;
    for (const StoredRun& r : groups[i]) p.run_ids.push_back(r.id);
    if (previous_ok < 0) {
      const harness::Comparison one = harness::compare_runs({}, groups[i], options);
      const harness::CaseSide& s = one.only_in_cand.front();
      p.ok = !s.samples_ms.empty();
      p.median_ms = s.median_ms;
      p.median_ci = s.median_ci;
      p.reason = p.ok ? "first point" : "failed: " + s.error;
      p.verdict = p.ok ? harness::Verdict::kPass : harness::Verdict::kUndecided;
    } else {
      const harness::Comparison c =
          harness::compare_runs(groups[previous_ok], groups[i], options);
      const harness::CaseComparison& cc = c.cases.front();
      const harness::GateResult g = harness::evaluate_gate(c, gate);
      p.ok = !cc.cand.samples_ms.empty();
      p.median_ms = cc.cand.median_ms;
      p.median_ci = cc.cand.median_ci;
      p.verdict = g.cases.front().verdict;
      p.reason = "vs " + labels[previous_ok] + ": " + g.cases.front().reason;
    }
    if (p.ok) previous_ok = static_cast<int>(i);
    out.points.push_back(std::move(p));
  }
  return out;
}

bool matches(const TrendQuery& q, const store::RunRow& row) {
  return (q.model.empty() || q.model == row.model) && q.variant == row.variant &&
         (q.backends.empty() || q.backends == row.backends) &&
         (q.threads == 0 || q.threads == row.threads) &&
         (q.device.empty() || q.device == row.device);
}

std::vector<TrendQuery> trend_configurations(const RunList& runs, std::vector<size_t>* counts) {
  std::map<std::tuple<std::string, std::string, std::string, int, std::string>, size_t> count;
  for (const store::RunRow& r : runs) {
    ++count[{r.model, r.variant, r.backends, r.threads, r.device}];
  }
  std::vector<std::pair<size_t, TrendQuery>> order;
  for (const auto& [k, n] : count) {
    TrendQuery q;
    std::tie(q.model, q.variant, q.backends, q.threads, q.device) = k;
    order.push_back({n, q});
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<TrendQuery> out;
  if (counts) counts->clear();
  for (auto& [n, q] : order) {
    out.push_back(std::move(q));
    if (counts) counts->push_back(n);
  }
  return out;
}

std::vector<std::string> tag_keys(const RunList& runs) {
  std::set<std::string> keys;
  for (const store::RunRow& r : runs) {
    for (const auto& [k, v] : r.tags) keys.insert(k);
  }
  return {keys.begin(), keys.end()};
}

TypeBreakdown breakdown_by_type(const ResultDocument& doc, size_t max_types) {
  // The order and the totals are the summary layer's (reports/run_summary.h),
  // as in the console and the reports.
  const std::vector<reports::TypeShare> shares = reports::op_type_breakdown(doc);
  std::vector<std::string> order;
  for (const reports::TypeShare& t : shares) order.push_back(t.type);
  auto [types, slot] = fold_types(order, max_types);
  TypeBreakdown out;
  out.types = std::move(types);
  for (const auto& [backend, us] : reports::backend_breakdown(doc)) {
    out.backends.push_back(backend);
  }
  out.ms.assign(out.backends.size(), std::vector<double>(out.types.size(), 0.0));
  for (const reports::TypeShare& t : shares) {
    for (const auto& [backend, us] : t.backend_us) {
      const size_t b = std::lower_bound(out.backends.begin(), out.backends.end(), backend) -
                       out.backends.begin();
      out.ms[b][slot[t.type]] += us / 1000.0;
    }
  }
  return out;
}

RunsByType runs_by_type(const std::vector<const ResultDocument*>& docs,
                        size_t max_types) {
  const std::vector<reports::TypeAcrossRuns> across = reports::op_type_breakdown(docs);
  std::vector<std::string> order;
  for (const reports::TypeAcrossRuns& t : across) order.push_back(t.type);
  auto [types, slot] = fold_types(order, max_types);
  RunsByType out;
  out.types = std::move(types);
  out.ms.assign(out.types.size(), std::vector<double>(docs.size(), 0.0));
  for (const reports::TypeAcrossRuns& t : across) {
    for (size_t r = 0; r < docs.size(); ++r) out.ms[slot[t.type]][r] += t.us[r] / 1000.0;
  }
  return out;
}

}  // namespace opscope::dashboard
