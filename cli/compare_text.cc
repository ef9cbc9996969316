#include "cli/compare_text.h"

#include <string>

#include "cli/text_table.h"

namespace opscope::cli {

// The commands drive the measurement library (harness/).
using namespace harness;  // NOLINT(build/namespaces)
namespace {

std::string signed_fixed(double v, int decimals) {
  return (v >= 0 ? "+" : "") + format_fixed(v, decimals);
}

std::string signed_bytes(int64_t v) {
  if (v == 0) return "0";
  return (v > 0 ? "+" : "-") + format_bytes(v > 0 ? v : -v);
}

std::string runs_text(const CaseSide& s) {
  std::string ids;
  for (int64_t id : s.run_ids) ids += (ids.empty() ? "" : ",") + std::to_string(id);
  return "run " + ids;
}

std::string ci_text(const Interval& i, int decimals) {
  if (!i.valid) return "(too few samples for a CI)";
  return "[" + format_fixed(i.lo, decimals) + ", " + format_fixed(i.hi, decimals) + "]";
}

void print_side_line(const char* label, const CaseSide& s, std::FILE* out) {
  std::fprintf(out, "  %-9s %s: ", label, runs_text(s).c_str());
  if (s.samples_ms.empty()) {
    std::fprintf(out, "no samples%s%s\n", s.error.empty() ? "" : ", failed: ", s.error.c_str());
    return;
  }
  std::fprintf(out, "median %s ms, 95%% CI %s | p90 %s ms | %zu samples\n",
               format_fixed(s.median_ms, 3).c_str(), ci_text(s.median_ci, 3).c_str(),
               format_fixed(s.p90_ms, 3).c_str(), s.samples_ms.size());
}

void print_case(const CaseComparison& c, const CompareTextOptions& o, std::FILE* out) {
  std::fprintf(out, "== %s", c.base.key.label().c_str());
  if (!c.paired_by_key) std::fprintf(out, "  vs  %s", c.cand.key.label().c_str());
  std::fprintf(out, " ==\n");
  print_side_line("base", c.base, out);
  print_side_line("candidate", c.cand, out);
  if (c.comparable) {
    const TwoLevelResult& rl = c.run_level;
    std::fprintf(out,
                 "  latency   ratio %s (%s%%), 95%% CI %s (two-level: %d vs %d runs%s) | %s ms | "
                 "p = %.3g\n",
                 format_fixed(c.ratio, 3).c_str(), signed_fixed(100.0 * (c.ratio - 1.0), 1).c_str(),
                 ci_text(c.ratio_ci, 3).c_str(), rl.base_runs, rl.cand_runs,
                 rl.paired ? ", paired by sweep round" : "", signed_fixed(c.delta_ms, 3).c_str(),
                 c.p_value);
    std::fprintf(out, "  runs      between-run variation %s%% (%s%s)%s\n",
                 format_fixed(100.0 * rl.sigma_between, 1).c_str(),
                 std::string(to_string(rl.sigma_source)).c_str(),
                 rl.low_confidence() ? ": LOW CONFIDENCE, no runs to measure it" : "",
                 c.mann_whitney.valid
                     ? (" | invokes alone (not evidence across runs): Mann-Whitney p = " +
                        format_fixed(c.mann_whitney.p_two_sided, 4))
                           .c_str()
                     : "");
  }
  if (c.memory.empty()) {  // a side without a successful run
    std::fprintf(out, "\n");
    return;
  }
  std::string mem;
  for (const MemoryDelta& m : c.memory) {
    if (m.field == "rss_after_load_bytes" || m.field == "arena_lower_bound_bytes") continue;
    mem += (mem.empty() ? "" : " | ") + m.field.substr(0, m.field.size() - 6) + " " +
           format_bytes(m.base) + " -> " + format_bytes(m.cand) + " (" + signed_bytes(m.delta()) +
           ")";
  }
  std::fprintf(out, "  memory    %s\n", mem.c_str());
  std::string stages;
  for (const StageRow& s : c.stages) {
    stages += (stages.empty() ? "" : " | ") + s.stage + " " + format_fixed(s.base_ms, 2) +
              " -> " + format_fixed(s.cand_ms, 2);
  }
  std::fprintf(out, "  stages ms %s\n", stages.c_str());
  if (c.ops.empty()) {
    std::fprintf(out, "\n");
    return;
  }
  TextTable t;
  if (!c.ops_by_category) t.add_column("src");
  t.add_column(c.ops_by_category ? "category" : "name", TextTable::Align::kLeft);
  if (!c.ops_by_category) t.add_column("type (base -> cand)", TextTable::Align::kLeft);
  t.add_column("backend", TextTable::Align::kLeft);
  t.add_column("base_us");
  t.add_column("cand_us");
  t.add_column("delta_us");
  t.add_column("ratio");
  const size_t rows = o.top_ops > 0 ? std::min(c.ops.size(), static_cast<size_t>(o.top_ops))
                                    : c.ops.size();
  for (size_t i = 0; i < rows; ++i) {
    const OpDiff& d = c.ops[i];
    std::string type = d.in_base ? d.base_type : "-";
    if (d.cand_type != d.base_type) type += " -> " + (d.in_cand ? d.cand_type : "-");
    std::string backend = d.in_base ? d.base_backend : "-";
    if (d.cand_backend != d.base_backend) backend += " -> " + (d.in_cand ? d.cand_backend : "-");
    std::vector<std::string> cells = {
        truncate_middle(d.name, 28), type, backend,
        d.in_base ? format_fixed(d.base_us, 1) : "-", d.in_cand ? format_fixed(d.cand_us, 1) : "-",
        signed_fixed(d.delta_us(), 1),
        d.base_us > 0 && d.in_cand ? format_fixed(d.cand_us / d.base_us, 2) : "-"};
    if (c.ops_by_category) {
      cells.erase(cells.begin() + 1);  // the type is the category
    } else {
      cells.insert(cells.begin(), std::to_string(d.source_index));
    }
    t.add_row(cells);
  }
  if (c.ops_by_category) {
    std::fprintf(out,
                 "  time by operator category (%zu; the runtimes differ, so nodes do not "
                 "match one to one):\n",
                 c.ops.size());
  } else {
    std::fprintf(out, "  ops that changed most (%zu of %zu, matched by source index):\n", rows,
                 c.ops.size());
  }
  t.print(out);
  std::fprintf(out, "\n");
}

}  // namespace

void print_comparison(const Comparison& cmp, const CompareTextOptions& o, std::FILE* out) {
  for (const CaseComparison& c : cmp.cases) print_case(c, o, out);
  for (const CaseSide& s : cmp.only_in_base) {
    std::fprintf(out, "missing from the candidate: %s (%s)\n", s.key.label().c_str(),
                 runs_text(s).c_str());
  }
  for (const CaseSide& s : cmp.only_in_cand) {
    std::fprintf(out, "missing from the baseline: %s (%s)\n", s.key.label().c_str(),
                 runs_text(s).c_str());
  }
  if (cmp.cases.empty() && cmp.only_in_base.empty() && cmp.only_in_cand.empty()) {
    std::fprintf(out, "nothing to compare\n");
  }
}

}  // namespace opscope::cli
