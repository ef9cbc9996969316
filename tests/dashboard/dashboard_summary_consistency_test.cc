// One run, four outputs, the same numbers: the console (`opscope run` /
// `opscope show`), the Markdown report, the HTML report and the dashboard's
// Operators view must show the same time per op type (in the same order) and
// the same top operators, because all of them call the summary layer
// (reports/run_summary.h). Each output is parsed back from what it renders
// and checked against sums computed here from the per-op rows.
//
// The run's per-op medians are deliberately not proportional to its means,
// so an output that summed medians (as the dashboard once did) would show
// other totals and another order, and fail.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli/run_report.h"
#include "dashboard/data/analysis.h"
#include "reports/html_report.h"
#include "reports/markdown_report.h"
#include "tests/dashboard/synthetic_runs.h"

namespace opscope::dashboard {
namespace {

struct TypeRow {
  std::string type;
  int nodes = 0;
  double ms = 0;
};

// The run: the synthetic selfie document, medians reshuffled against means.
ResultDocument the_run() {
  ResultDocument d = testing::synthetic_document(testing::SyntheticRun{});
  for (size_t i = 0; i < d.ops.size(); ++i) {
    d.ops[i].median_us = d.ops[i].mean_us * (0.3 + 0.25 * static_cast<double>(i % 7));
  }
  return d;
}

// What every output should show, from the per-op rows: per type the sum of
// the nodes' mean times, largest first (ties by name).
std::vector<TypeRow> expected_types(const ResultDocument& d) {
  std::map<std::string, TypeRow> by;
  for (const OpStats& op : d.ops) {
    by[op.type].type = op.type;
    by[op.type].nodes += 1;
    by[op.type].ms += op.mean_us / 1000.0;
  }
  std::vector<TypeRow> v;
  for (auto& [_, r] : by) v.push_back(r);
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.ms > b.ms; });
  return v;
}

std::vector<int> expected_top_nodes(const ResultDocument& d, size_t n) {
  std::vector<const OpStats*> v;
  for (const OpStats& op : d.ops) v.push_back(&op);
  std::stable_sort(v.begin(), v.end(),
                   [](const auto* a, const auto* b) { return a->mean_us > b->mean_us; });
  std::vector<int> nodes;
  for (size_t i = 0; i < n && i < v.size(); ++i) nodes.push_back(v[i]->index);
  return nodes;
}

std::string console_text(const ResultDocument& d) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  cli::RunReportOptions o;
  o.top_n = 10;
  o.run_order = false;
  cli::print_run_report(d, o, f);
  std::fclose(f);
  std::string s(buf, len);
  std::free(buf);
  return s;
}

// The lines of a console table that follows `title`, header excluded.
std::vector<std::vector<std::string>> console_table(const std::string& text,
                                                    const std::string& title) {
  std::istringstream in(text.substr(text.find(title)));
  std::string line;
  std::getline(in, line);  // title
  std::getline(in, line);  // header
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line) && !line.empty()) {
    std::istringstream cells(line);
    std::vector<std::string> row;
    for (std::string c; cells >> c;) row.push_back(c);
    rows.push_back(row);
  }
  return rows;
}

std::vector<std::vector<std::string>> markdown_table(const std::string& md,
                                                     const std::string& title) {
  std::istringstream in(md.substr(md.find(title)));
  std::string line;
  std::getline(in, line);  // title
  std::getline(in, line);  // blank
  std::getline(in, line);  // header
  std::getline(in, line);  // |---|
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line) && line.rfind("|", 0) == 0) {
    std::vector<std::string> row;
    std::istringstream cells(line.substr(1));
    for (std::string c; std::getline(cells, c, '|');) {
      const size_t b = c.find_first_not_of(' '), e = c.find_last_not_of(' ');
      row.push_back(b == std::string::npos ? "" : c.substr(b, e - b + 1));
    }
    rows.push_back(row);
  }
  return rows;
}

store::StoredRun stored(const ResultDocument& d) {
  store::StoredRun r;
  r.id = 1;
  r.doc = d;
  r.document = to_json(d);
  return r;
}

TEST(SummaryConsistency, ConsoleShowsTheSummaryLayersTypesAndTopOps) {
  const ResultDocument d = the_run();
  const std::vector<TypeRow> want = expected_types(d);
  const std::string text = console_text(d);
  const auto types = console_table(text, "== summary by op type ==");
  ASSERT_EQ(types.size(), want.size()) << text;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(types[i][0], want[i].type) << "row " << i;
    EXPECT_EQ(std::stoi(types[i][1]), want[i].nodes) << want[i].type;
    EXPECT_NEAR(std::stod(types[i][2]) / 1000.0, want[i].ms, 0.05e-3) << want[i].type;
  }
  const auto top = console_table(text, "== top 10 operators by average time ==");
  const std::vector<int> want_top = expected_top_nodes(d, 10);
  ASSERT_EQ(top.size(), want_top.size());
  for (size_t i = 0; i < want_top.size(); ++i) EXPECT_EQ(std::stoi(top[i][0]), want_top[i]);
}

TEST(SummaryConsistency, MarkdownShowsTheSameTypesAndTopOps) {
  const ResultDocument d = the_run();
  const std::vector<TypeRow> want = expected_types(d);
  const std::string md = reports::render_markdown({stored(d)});
  const auto types = markdown_table(md, "### Time by op type");
  ASSERT_EQ(types.size(), want.size()) << md;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(types[i][0], want[i].type) << "row " << i;
    EXPECT_EQ(std::stoi(types[i][1]), want[i].nodes);
    EXPECT_NEAR(std::stod(types[i][2]), want[i].ms, 0.5e-3) << want[i].type;
  }
  const auto top = markdown_table(md, "### Top 10 operators by average time");
  // The Markdown table names nodes by source index; the synthetic run's
  // source indices are its node indices.
  const std::vector<int> want_top = expected_top_nodes(d, 10);
  ASSERT_EQ(top.size(), want_top.size());
  for (size_t i = 0; i < want_top.size(); ++i) {
    EXPECT_EQ(std::stoi(top[i][0]), d.ops[want_top[i]].source_index);
  }
}

TEST(SummaryConsistency, HtmlShowsTheSameTypesAndTopOps) {
  const ResultDocument d = the_run();
  const std::vector<TypeRow> want = expected_types(d);
  const std::string html = reports::render_html({stored(d)});
  const size_t from = html.find("<h3>Time by op type</h3>");
  ASSERT_NE(from, std::string::npos);
  const std::string chart = html.substr(from, html.find("</svg>", from) - from);
  // Each bar carries "<title>TYPE (nodes): ms ms</title>".
  const std::regex bar("<title>([A-Z0-9_]+) \\((\\d+)\\): ([0-9.]+) ms</title>");
  std::vector<TypeRow> got;
  for (auto it = std::sregex_iterator(chart.begin(), chart.end(), bar);
       it != std::sregex_iterator(); ++it) {
    got.push_back({(*it)[1], std::stoi((*it)[2]), std::stod((*it)[3])});
  }
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].type, want[i].type) << "bar " << i;
    EXPECT_EQ(got[i].nodes, want[i].nodes);
    EXPECT_NEAR(got[i].ms, want[i].ms, 0.5e-3);
  }
  // The operator table lists every op by mean time: its first rows are the
  // top operators (first cell: the source index).
  const size_t table = html.find("<h3>Operators by average time</h3>");
  ASSERT_NE(table, std::string::npos);
  const std::string rows = html.substr(table);
  const std::regex row("<tr><td class=\"n\">(-?\\d+)</td>");
  const std::vector<int> want_top = expected_top_nodes(d, 10);
  auto it = std::sregex_iterator(rows.begin(), rows.end(), row);
  for (size_t i = 0; i < want_top.size(); ++i, ++it) {
    ASSERT_NE(it, std::sregex_iterator());
    EXPECT_EQ(std::stoi((*it)[1]), d.ops[want_top[i]].source_index) << "row " << i;
  }
}

TEST(SummaryConsistency, DashboardShowsTheSameTypes) {
  const ResultDocument d = the_run();
  const std::vector<TypeRow> want = expected_types(d);
  const TypeBreakdown b = breakdown_by_type(d, want.size());  // no "other"
  ASSERT_EQ(b.types.size(), want.size());
  for (size_t t = 0; t < want.size(); ++t) {
    EXPECT_EQ(b.types[t], want[t].type) << "type " << t;
    double ms = 0;
    for (const auto& per_backend : b.ms) ms += per_backend[t];
    EXPECT_NEAR(ms, want[t].ms, 1e-9) << want[t].type;
  }
  // Two runs side by side: each column is that run's own breakdown.
  const RunsByType r = runs_by_type({&d, &d}, want.size());
  ASSERT_EQ(r.types.size(), want.size());
  for (size_t t = 0; t < want.size(); ++t) {
    EXPECT_EQ(r.types[t], want[t].type);
    EXPECT_NEAR(r.ms[t][1], want[t].ms, 1e-9);
  }
}

}  // namespace
}  // namespace opscope::dashboard
