#include "reports/markdown_report.h"

#include <algorithm>
#include <cmath>

#include "reports/report_text.h"
#include "reports/run_comparison.h"
#include "reports/run_summary.h"
#include "reports/units.h"

namespace opscope::reports {
namespace {

using reports::format_bytes;
using reports::format_count;

std::string ms(double v) { return format_fixed(v, 3); }

void summary(const store::StoredRun& run, const MarkdownOptions& o, std::string& md) {
  const auto& d = run.doc;
  md += "## " + md_cell(run_label(run)) + "\n\n";
  if (!d.warnings.empty()) {
    md += "> **Warnings** \xE2\x80\x94 the device may not have run at its best:\n>\n";
    for (const std::string& w : d.warnings) md += "> - " + md_text(w) + "\n";
    md += "\n";
  }
  if (d.status != "ok") {
    md += "**failed**: `" + d.error.code + "` " + md_cell(d.error.message) + "\n\n";
    return;
  }
  const auto& s = d.stages;
  const auto& l = d.latency_ms;
  const auto& m = d.memory;
  md += "| | |\n|---|---|\n";
  md += "| model | " + md_cell(model_line(d)) + " |\n";
  md += "| config | " + md_cell(config_line(d)) + " |\n";
  md += "| device | " + md_cell(device_line(d)) + " |\n";
  if (const std::string state = device_state_line(d); !state.empty()) {
    md += "| device state | " + md_cell(state) + " |\n";
  }
  if (!run.created_at.empty()) md += "| stored | " + run.created_at + " |\n";
  md += "| placement | " + md_cell(placement_line(d)) + " |\n";
  md += "| stages (ms) | load " + format_fixed(s.load_ms, 2) + " · partition " +
        format_fixed(s.partition_ms, 2) + " · prepare " + format_fixed(s.prepare_ms, 2) + " · plan " +
        format_fixed(s.plan_ms, 2) + " · first invoke " + format_fixed(s.first_invoke_ms, 2) + " |\n";
  md += "| latency (ms) | **median " + ms(l.median) + "** · mean " + ms(l.mean) + " · p90 " +
        ms(l.p90) + " · p99 " + ms(l.p99) + " · min " + ms(l.min) + " · max " + ms(l.max) +
        " · stddev " + ms(l.stddev) + " (" + std::to_string(l.count) + " runs) |\n";
  md += "| memory | peak RSS " + format_bytes(m.peak_rss_bytes) + " · arena " +
        format_bytes(m.arena_bytes) + " (lower bound " +
        format_bytes(m.arena_lower_bound_bytes) + ") · weights " +
        format_bytes(m.weights_bytes) + " |\n\n";

  const auto types = op_type_breakdown(d);
  if (ops_total_us(d) > 0) {
    md += "### Time by op type\n\n| type | nodes | avg ms | % | cdf% |\n"
          "|---|---:|---:|---:|---:|\n";
    for (const TypeShare& t : types) {
      md += "| " + md_cell(t.type) + " | " + std::to_string(t.nodes) + " | " +
            format_fixed(t.total_us / 1e3, 3) + " | " + format_fixed(t.pct, 2) + " | " + format_fixed(t.cdf_pct, 2) +
            " |\n";
    }
    md += "\n";
  }
  const auto top = top_ops(d, o.top_n);
  if (top.empty()) return;
  md += "### Top " + std::to_string(top.size()) + " operators by average time\n\n";
  md += "| node | type | name | backend | avg ms | median ms | first ms | % | cdf% | MACs | "
        "live | weights |\n";
  md += "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  double cdf = 0;
  for (const auto* op : top) {
    cdf += op->pct;
    md += "| " + std::to_string(op->source_index) + " | " + md_cell(op->type) + " | " +
          md_cell(op->name) + " | " + op->backend + " | " + format_fixed(op->mean_us / 1e3, 3) +
          " | " + format_fixed(op->median_us / 1e3, 3) + " | " + format_fixed(op->first_us / 1e3, 3) +
          " | " + format_fixed(op->pct, 2) + " | " + format_fixed(cdf, 2) + " | " + format_count(op->macs) +
          " | " + format_bytes(op->live_bytes) + " | " + format_bytes(op->weights_bytes) +
          " |\n";
  }
  md += "\n";
}

std::string ratio_text(const harness::CaseComparison& c) {
  if (!c.comparable) return "n/a";
  std::string s = format_fixed(c.ratio, 3) + "×";
  if (c.ratio_ci.valid) {
    s += " [" + format_fixed(c.ratio_ci.lo, 3) + ", " + format_fixed(c.ratio_ci.hi, 3) + "]";
  }
  return s;
}

void comparison(const std::vector<store::StoredRun>& runs, const MarkdownOptions& o,
                std::string& md) {
  const auto cmps = compare_with_first(runs);
  if (cmps.empty()) return;
  md += "## Comparison against " + md_cell(run_label(runs[0])) + "\n\n";
  md += "| run | median ms | p90 ms | ratio (95% CI) | Δ median ms | p (run-level) | "
        "peak RSS |\n|---|---:|---:|---:|---:|---:|---:|\n";
  const auto& b = runs[0].doc;
  md += "| " + md_cell(run_label(runs[0])) + " (base) | " + ms(b.latency_ms.median) + " | " +
        ms(b.latency_ms.p90) + " | 1 | 0 | | " + format_bytes(b.memory.peak_rss_bytes) +
        " |\n";
  for (const RunVsBase& r : cmps) {
    const auto& d = r.cand->doc;
    const auto& c = r.cmp;
    md += "| " + md_cell(run_label(*r.cand)) + " | " + ms(d.latency_ms.median) + " | " +
          ms(d.latency_ms.p90) + " | " + ratio_text(c) + " | " +
          (c.comparable ? format_fixed(c.delta_ms, 3) : "n/a") + " | " +
          (c.comparable ? format_fixed(c.p_value, 4) : "n/a") + " | " +
          format_bytes(d.memory.peak_rss_bytes) + " |\n";
  }
  md += "\n";
  for (const RunVsBase& r : cmps) {
    const auto& ops = r.cmp.ops;
    // A failed side has no op times: its "diff" would be every op.
    if (ops.empty() || r.base->doc.status != "ok" || r.cand->doc.status != "ok") continue;
    const size_t n = std::min<size_t>(ops.size(), static_cast<size_t>(std::max(0, o.diff_rows)));
    md += r.cmp.ops_by_category
              ? "### Time by operator category: " + md_cell(run_label(*r.cand)) +
                    " vs base (the runtimes differ, so nodes do not match one to one)\n\n"
              : "### Ops that changed most: " + md_cell(run_label(*r.cand)) + " vs base\n\n";
    md += "| source index | name | type (base → cand) | backend (base → cand) | base µs | "
          "cand µs | Δ µs |\n|---:|---|---|---|---:|---:|---:|\n";
    for (size_t i = 0; i < n; ++i) {
      const auto& op = ops[i];
      auto pair = [](const std::string& a, const std::string& b) {
        return a == b ? a : (a.empty() ? "–" : a) + " → " + (b.empty() ? "–" : b);
      };
      md += "| " + (r.cmp.ops_by_category ? std::string("–") : std::to_string(op.source_index)) +
            " | " + md_cell(op.name) + " | " +
            md_cell(pair(op.base_type, op.cand_type)) + " | " +
            pair(op.base_backend, op.cand_backend) + " | " +
            (op.in_base ? format_fixed(op.base_us, 1) : "–") + " | " +
            (op.in_cand ? format_fixed(op.cand_us, 1) : "–") + " | " +
            (op.delta_us() >= 0 ? "+" : "") + format_fixed(op.delta_us(), 1) + " |\n";
    }
    md += "\n";
  }
}

}  // namespace

std::string render_markdown(const std::vector<store::StoredRun>& runs,
                            const MarkdownOptions& o) {
  std::string md = "# " + md_cell(o.title) + "\n\n";
  if (runs.empty()) return md + "No runs.\n";
  if (runs.size() > 1) {
    md += "| run | status | median ms | p90 ms | peak RSS |\n|---|---|---:|---:|---:|\n";
    for (const auto& r : runs) {
      const auto& d = r.doc;
      md += "| " + md_cell(run_label(r)) + " | " + d.status + " | " +
            (d.status == "ok" ? ms(d.latency_ms.median) : "–") + " | " +
            (d.status == "ok" ? ms(d.latency_ms.p90) : "–") + " | " +
            format_bytes(d.memory.peak_rss_bytes) + " |\n";
    }
    md += "\n";
    comparison(runs, o, md);
  }
  for (const auto& r : runs) summary(r, o, md);
  return md;
}

}  // namespace opscope::reports
