#include "reports/html_report.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "reports/report_text.h"
#include "reports/run_comparison.h"
#include "reports/run_summary.h"
#include "reports/svg_chart.h"
#include "reports/units.h"

namespace opscope::reports {
namespace {

using reports::format_bytes;
using reports::format_count;
using reports::truncate_middle;

constexpr const char* kCss = R"(
:root{--fg:#1d1f23;--muted:#666;--line:#ddd;--bg:#fff;--card:#f6f7f9;--accent:#3b78c2}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1240px;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:36px 0 8px;padding-top:12px;border-top:2px solid var(--line)}
h3{font-size:15px;margin:22px 0 6px}
.sub{color:var(--muted);margin:0 0 12px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px;margin:10px 0}
.card{background:var(--card);border-radius:6px;padding:8px 10px}
.card .k{color:var(--muted);font-size:12px}.card .v{font-size:18px;font-weight:600}
table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:12.5px}
th,td{padding:3px 6px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
th{background:var(--card);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.kv td:first-child{color:var(--muted);width:120px}
.bar{height:10px;border-radius:2px;min-width:1px}
.barcell{width:80px}
.scroll{overflow-x:auto}
.pos{color:#b3261e}.neg{color:#1e7b34}
.chip{display:inline-block;padding:0 6px;border-radius:8px;color:#fff;font-size:12px}
svg.chart{display:block;max-width:100%;height:auto;margin:4px 0}
svg text{font-size:12px;fill:var(--fg)}svg text.tick{fill:var(--muted);font-size:11px}
details summary{cursor:pointer;color:var(--accent);margin:4px 0}
.err{background:#fdecea;border-left:4px solid #b3261e;padding:8px 12px;white-space:pre-wrap}
.warn{background:#fff4e5;border-left:4px solid #e08a2c;padding:6px 12px;margin:8px 0}
.warn ul{margin:4px 0;padding-left:20px}
code{font-size:12px}
)";

const char* kRunColors[] = {"#3b78c2", "#e08a2c", "#3aa457", "#c2413b", "#8a5cc2",
                            "#2ca3a3", "#a37b2c", "#c23b8a"};

std::string run_color(size_t i) { return kRunColors[i % 8]; }

std::string backend_color(const std::string& backend) {
  static const std::map<std::string, std::string> known = {
      {"xnnpack", "#3b78c2"}, {"cpu", "#e08a2c"}, {"opencl", "#3aa457"}};
  auto it = known.find(backend);
  if (it != known.end()) return it->second;
  size_t h = 0;
  for (char c : backend) h = h * 31 + static_cast<unsigned char>(c);
  return kRunColors[3 + h % 5];
}

std::string esc(const std::string& s) { return html_escape(s); }

std::string card(const std::string& k, const std::string& v) {
  return "<div class=\"card\"><div class=\"k\">" + esc(k) + "</div><div class=\"v\">" +
         esc(v) + "</div></div>";
}

std::string chip(const std::string& backend) {
  return "<span class=\"chip\" style=\"background:" + backend_color(backend) + "\">" +
         esc(backend) + "</span>";
}

std::string bar_div(double fraction, const std::string& color) {
  const double pct = std::clamp(fraction, 0.0, 1.0) * 100.0;
  return "<div class=\"bar\" style=\"width:" + format_fixed(pct, 1) + "%;background:" + color +
         "\"></div>";
}

void summary(const store::StoredRun& run, std::string& h) {
  const auto& d = run.doc;
  const auto& l = d.latency_ms;
  const auto& m = d.memory;
  h += "<div class=\"cards\">";
  h += card("median", format_fixed(l.median, 3) + " ms");
  h += card("p90", format_fixed(l.p90, 3) + " ms");
  h += card("mean ± sd", format_fixed(l.mean, 3) + " ± " + format_fixed(l.stddev, 3));
  h += card("min / max", format_fixed(l.min, 2) + " / " + format_fixed(l.max, 2));
  h += card("first invoke", format_fixed(d.stages.first_invoke_ms, 2) + " ms");
  h += card("peak RSS", format_bytes(m.peak_rss_bytes));
  h += card("arena", format_bytes(m.arena_bytes));
  h += card("warm runs", std::to_string(l.count));
  h += "</div><table class=\"kv\">";
  h += "<tr><td>model</td><td>" + esc(model_line(d)) + "</td></tr>";
  h += "<tr><td>path</td><td><code>" + esc(d.model.path) + "</code></td></tr>";
  h += "<tr><td>config</td><td>" + esc(config_line(d)) + "</td></tr>";
  h += "<tr><td>device</td><td>" + esc(device_line(d)) + "</td></tr>";
  if (const std::string state = device_state_line(d); !state.empty()) {
    h += "<tr><td>device state</td><td>" + esc(state) + "</td></tr>";
  }
  h += "<tr><td>tool</td><td>" + esc(d.tool.name + " " + d.tool.version + " (" +
                                     d.tool.git_commit + ", " + d.tool.build_type + ", " +
                                     d.tool.compiler + ")") +
       "</td></tr>";
  if (!run.created_at.empty()) {
    h += "<tr><td>stored</td><td>" + esc(run.created_at) + "</td></tr>";
  }
  if (!run.tags.empty()) {
    std::string tags;
    for (const auto& [k, v] : run.tags) tags += (tags.empty() ? "" : ", ") + k + "=" + v;
    h += "<tr><td>tags</td><td>" + esc(tags) + "</td></tr>";
  }
  h += "</table>";
}

void latency(const store::StoredRun& run, size_t i, std::string& h) {
  const auto& s = run.doc.latency_ms.samples;
  h += "<h3>Latency distribution (" + std::to_string(s.size()) + " warm runs)</h3>";
  h += svg_box_plots({{"warm invokes", s, run_color(i)}}, "ms");
  const int bins = std::clamp(static_cast<int>(std::sqrt(static_cast<double>(s.size()))) + 1,
                              5, 40);
  h += svg_histogram(s, bins, "ms", run_color(i));
}

void stages(const ResultDocument& d, std::string& h) {
  const auto& s = d.stages;
  h += "<h3>Stages</h3>";
  h += svg_bar_chart({{"load", s.load_ms, "#8a8f98", ""},
                      {"partition", s.partition_ms, "#8a8f98", ""},
                      {"prepare", s.prepare_ms, "#8a8f98", ""},
                      {"plan", s.plan_ms, "#8a8f98", ""},
                      {"first invoke", s.first_invoke_ms, "#5f6670", ""},
                      {"warm invoke (median)", d.latency_ms.median, "#3b78c2", ""}},
                     "ms");
}

void op_types(const ResultDocument& d, std::string& h) {
  const auto types = op_type_breakdown(d);
  if (types.empty()) return;
  h += "<h3>Time by op type</h3>";
  std::vector<Bar> bars;
  for (const auto& t : types) {
    bars.push_back({t.type + " (" + std::to_string(t.nodes) + ")", t.total_us / 1e3, "#3b78c2",
                    format_fixed(t.pct, 1) + "%"});
  }
  h += svg_bar_chart(bars, "ms");
}

void placement(const ResultDocument& d, std::string& h) {
  h += "<h3>Placement</h3><p class=\"sub\">" + esc(placement_line(d)) +
       ". Nodes in run order, coloured by the backend that ran them.</p>";
  std::vector<Segment> segs;
  for (const auto& op : d.ops) {
    if (op.depth > 0) continue;  // inside a control-flow node's time
    if (segs.empty() || segs.back().label != op.backend) {
      segs.push_back({0, op.backend, backend_color(op.backend)});
    }
    segs.back().count++;
  }
  h += svg_strip(segs);
  // Time per backend.
  std::vector<Bar> bars;
  const double total = ops_total_us(d);
  for (const auto& [b, us] : backend_breakdown(d)) {
    bars.push_back({b, us / 1e3, backend_color(b),
                    total > 0 ? format_fixed(100.0 * us / total, 1) + "%" : ""});
  }
  h += svg_bar_chart(bars, "ms");
}

void memory(const ResultDocument& d, std::string& h) {
  const auto& m = d.memory;
  const double mib = 1024.0 * 1024.0;
  h += "<h3>Memory</h3>";
  std::vector<Bar> bars = {
      {"peak RSS", m.peak_rss_bytes / mib, "#5f6670", ""},
      {"RSS after load", m.rss_after_load_bytes / mib, "#8a8f98", ""},
      {"arena", m.arena_bytes / mib, "#3b78c2", ""},
      {"arena lower bound", m.arena_lower_bound_bytes / mib, "#7fa6d6",
       m.arena_bytes > 0
           ? format_fixed(100.0 * static_cast<double>(m.arena_lower_bound_bytes) /
                       static_cast<double>(m.arena_bytes), 1) + "% of arena"
           : ""},
      {"weights", m.weights_bytes / mib, "#e08a2c", ""},
      {"inputs + outputs", m.pinned_bytes / mib, "#3aa457", ""}};
  h += svg_bar_chart(bars, "MiB");
}

void op_table(const ResultDocument& d, const HtmlOptions& o, std::string& h) {
  const auto ops = top_ops(d, -1);
  if (ops.empty()) return;
  const double peak = ops.front()->mean_us;
  int64_t peak_live = 1;
  for (const auto* op : ops) peak_live = std::max(peak_live, op->live_bytes);
  h += "<h3>Operators by average time</h3>";
  auto head = [&] {
    return std::string(
        "<div class=\"scroll\"><table><tr><th class=\"n\">node</th><th>type</th><th>name</th><th>backend</th>"
        "<th class=\"n\">avg ms</th><th class=\"barcell\">time</th><th class=\"n\">median ms</th>"
        "<th class=\"n\">first ms</th><th class=\"n\">%</th><th class=\"n\">cdf%</th>"
        "<th class=\"n\">MACs</th><th class=\"n\">live</th><th class=\"barcell\">live memory</th>"
        "<th class=\"n\">weights</th></tr>");
  };
  h += head();
  double cdf = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    const auto* op = ops[i];
    if (static_cast<int>(i) == o.op_rows_visible) {
      h += "</table></div><details><summary>" + std::to_string(ops.size() - i) +
           " more operators</summary>" + head();
    }
    cdf += op->pct;
    h += "<tr><td class=\"n\">" + std::to_string(op->source_index) + "</td><td>" +
         esc(op->type) + "</td><td title=\"" + esc(op->name + " \u2192 " + join(op->output_shapes, " ")) +
         "\">" + esc(truncate_middle(op->name, 26)) + "</td><td>" +
         chip(op->backend) + "</td><td class=\"n\">" + format_fixed(op->mean_us / 1e3, 3) +
         "</td><td class=\"barcell\">" +
         bar_div(peak > 0 ? op->mean_us / peak : 0, backend_color(op->backend)) +
         "</td><td class=\"n\">" + format_fixed(op->median_us / 1e3, 3) + "</td><td class=\"n\">" +
         format_fixed(op->first_us / 1e3, 3) + "</td><td class=\"n\">" + format_fixed(op->pct, 2) +
         "</td><td class=\"n\">" + format_fixed(cdf, 1) + "</td><td class=\"n\">" +
         format_count(op->macs) + "</td><td class=\"n\">" + format_bytes(op->live_bytes) +
         "</td><td class=\"barcell\">" +
         bar_div(static_cast<double>(op->live_bytes) / static_cast<double>(peak_live), "#8a8f98") +
         "</td><td class=\"n\">" + format_bytes(op->weights_bytes) + "</td></tr>";
  }
  h += "</table></div>";
  if (static_cast<int>(ops.size()) > o.op_rows_visible) h += "</details>";
}

// The device warnings (docs/result-document.md "warnings"), above the run.
void warnings(const ResultDocument& d, std::string& h) {
  if (d.warnings.empty()) return;
  h += "<div class=\"warn\" role=\"note\"><b>Warnings</b> \xE2\x80\x94 the device may not "
       "have run at its best:<ul>";
  for (const std::string& w : d.warnings) h += "<li>" + esc(w) + "</li>";
  h += "</ul></div>";
}

void run_section(const store::StoredRun& run, size_t i, const HtmlOptions& o, std::string& h) {
  const auto& d = run.doc;
  h += "<section class=\"run\" id=\"run-" + std::to_string(run.id ? run.id : int64_t(i + 1)) +
       "\"><h2><span class=\"chip\" style=\"background:" + run_color(i) + "\">&nbsp;</span> " +
       esc(run_label(run)) + "</h2>";
  warnings(d, h);
  if (d.status != "ok") {
    h += "<div class=\"err\"><b>failed: " + esc(d.error.code) + "</b>\n" +
         esc(d.error.message) + "</div></section>";
    return;
  }
  summary(run, h);
  latency(run, i, h);
  stages(d, h);
  op_table(d, o, h);
  op_types(d, h);
  placement(d, h);
  memory(d, h);
  h += "</section>";
}

std::string signed_fixed(double v, int decimals) {
  return (v >= 0 ? "+" : "") + format_fixed(v, decimals);
}

void comparison(const std::vector<store::StoredRun>& runs, const HtmlOptions& o,
                std::string& h) {
  const auto cmps = compare_with_first(runs);
  h += "<section id=\"comparison\"><h2>Comparison against the first run</h2>";
  h += "<p class=\"sub\">Base: " + esc(run_label(runs[0])) +
       ". Ratio = candidate run median / base run median with its 95% two-level interval "
       "(runs as the unit; docs/statistics.md); p: the run-level test, two-sided.</p>";
  h += "<table><tr><th>run</th><th class=\"n\">median ms</th><th class=\"n\">p90 ms</th>"
       "<th class=\"n\">ratio</th><th class=\"n\">95% CI</th><th class=\"n\">Δ median ms</th>"
       "<th class=\"n\">p</th><th class=\"n\">peak RSS</th><th class=\"n\">arena</th></tr>";
  auto row = [&](const store::StoredRun& r, size_t i, const harness::CaseComparison* c) {
    const auto& d = r.doc;
    const bool ok = d.status == "ok";
    std::string ratio = "1", ci = "", delta = "", p = "";
    if (c && c->comparable) {
      ratio = format_fixed(c->ratio, 3) + "×";
      ci = c->ratio_ci.valid ? format_fixed(c->ratio_ci.lo, 3) + "–" + format_fixed(c->ratio_ci.hi, 3) : "–";
      delta = signed_fixed(c->delta_ms, 3);
      p = c->p_value < 1e-4 ? "<0.0001" : format_fixed(c->p_value, 4);
    } else if (c) {
      ratio = "n/a";
    }
    const std::string cls =
        c && c->comparable ? (c->ratio > 1 ? " pos" : (c->ratio < 1 ? " neg" : "")) : "";
    h += "<tr><td><span class=\"chip\" style=\"background:" + run_color(i) + "\">&nbsp;</span> " +
         esc(run_label(r)) + (c ? "" : " <b>(base)</b>") + "</td><td class=\"n\">" +
         (ok ? format_fixed(d.latency_ms.median, 3) : "failed") + "</td><td class=\"n\">" +
         (ok ? format_fixed(d.latency_ms.p90, 3) : "") + "</td><td class=\"n" + cls + "\">" + ratio +
         "</td><td class=\"n\">" + ci + "</td><td class=\"n" + cls + "\">" + delta +
         "</td><td class=\"n\">" + p + "</td><td class=\"n\">" +
         format_bytes(d.memory.peak_rss_bytes) + "</td><td class=\"n\">" +
         format_bytes(d.memory.arena_bytes) + "</td></tr>";
  };
  row(runs[0], 0, nullptr);
  for (size_t i = 0; i < cmps.size(); ++i) row(*cmps[i].cand, i + 1, &cmps[i].cmp);
  h += "</table>";

  std::vector<BoxRow> boxes;
  for (size_t i = 0; i < runs.size(); ++i) {
    boxes.push_back({run_label(runs[i]), runs[i].doc.latency_ms.samples, run_color(i)});
  }
  h += "<h3>Latency distributions</h3>" + svg_box_plots(boxes, "ms");

  for (size_t i = 0; i < cmps.size(); ++i) {
    const auto& c = cmps[i].cmp;
    // A failed side has no op times: its "diff" would be every op.
    if (c.ops.empty() || cmps[i].base->doc.status != "ok" || cmps[i].cand->doc.status != "ok") {
      continue;
    }
    double peak = 1e-9;
    for (const auto& op : c.ops) peak = std::max(peak, std::fabs(op.delta_us()));
    const size_t n = std::min<size_t>(c.ops.size(), static_cast<size_t>(o.diff_rows));
    h += c.ops_by_category
             ? "<h3>Time by operator category: " + esc(run_label(*cmps[i].cand)) +
                   " vs base</h3><p class=\"sub\">The runtimes differ, so nodes do not match one "
                   "to one: each row sums an operator category; median µs per invoke.</p>"
             : "<h3>Ops that changed most: " + esc(run_label(*cmps[i].cand)) +
                   " vs base</h3><p class=\"sub\">Matched by source index (the node's index in "
                   "the model file); median µs per invoke.</p>";
    h += "<table><tr><th class=\"n\">source index</th><th>name</th><th>type</th>"
         "<th>backend</th><th class=\"n\">base µs</th><th class=\"n\">cand µs</th>"
         "<th class=\"n\">Δ µs</th><th class=\"barcell\">slower ▸</th></tr>";
    for (size_t k = 0; k < n; ++k) {
      const auto& op = c.ops[k];
      auto pair = [](const std::string& a, const std::string& b) {
        return a == b ? a : (a.empty() ? "–" : a) + " → " + (b.empty() ? "–" : b);
      };
      const double dlt = op.delta_us();
      // Diverging bar: left half faster (green), right half slower (red).
      const double frac = std::fabs(dlt) / peak * 50.0;
      const std::string bar =
          "<div style=\"position:relative;height:10px;background:#f0f0f0\">"
          "<div style=\"position:absolute;left:" +
          format_fixed(dlt >= 0 ? 50.0 : 50.0 - frac, 1) + "%;width:" + format_fixed(frac, 1) +
          "%;height:10px;background:" + (dlt >= 0 ? "#c2413b" : "#3aa457") + "\"></div></div>";
      h += "<tr><td class=\"n\">" +
           (c.ops_by_category ? std::string("–") : std::to_string(op.source_index)) + "</td><td>" +
           esc(truncate_middle(op.name, 36)) + "</td><td>" +
           esc(pair(op.base_type, op.cand_type)) + "</td><td>" +
           esc(pair(op.base_backend, op.cand_backend)) + "</td><td class=\"n\">" +
           (op.in_base ? format_fixed(op.base_us, 1) : "–") + "</td><td class=\"n\">" +
           (op.in_cand ? format_fixed(op.cand_us, 1) : "–") + "</td><td class=\"n " +
           (dlt > 0 ? "pos" : "neg") + "\">" + signed_fixed(dlt, 1) +
           "</td><td class=\"barcell\">" + bar + "</td></tr>";
    }
    h += "</table>";
  }
  h += "</section>";
}

}  // namespace

std::string render_html(const std::vector<store::StoredRun>& runs, const HtmlOptions& o) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"generator\" content=\"opscope report\"><title>" +
      esc(o.title) + "</title><style>" + kCss + "</style></head><body>\n";
  h += "<header><h1>" + esc(o.title) + "</h1><p class=\"sub\">" +
       std::to_string(runs.size()) + (runs.size() == 1 ? " run" : " runs");
  if (!runs.empty()) {
    h += " · " + esc(runs[0].doc.tool.name + " " + runs[0].doc.tool.version);
  }
  h += "</p></header>\n";
  if (runs.size() > 1) comparison(runs, o, h);
  for (size_t i = 0; i < runs.size(); ++i) run_section(runs[i], i, o, h);
  h += "\n</body></html>\n";
  return h;
}

}  // namespace opscope::reports
