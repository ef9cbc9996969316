// CSV, JUnit XML, Markdown and HTML from real runs: CSV columns and row
// count, JUnit well-formed (parsed by expat) with the right counts, HTML
// self-contained (no URL, no script, every <svg> closed) and Markdown with
// its summary, top table and comparison.
#include <expat.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "reports/report_writer.h"
#include "tests/reports/report_runs.h"

namespace opscope::reports {
namespace {

#define REQUIRE_RUNS()                                                       \
  const auto& runs = testing::real_runs();                                   \
  if (runs.empty()) {                                                        \
    if (testing::models_required()) FAIL() << "selfie_segmentation missing"; \
    GTEST_SKIP() << "models not fetched";                                    \
  }

// RFC 4180 records (quoted fields may hold commas, quotes and newlines).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        rows.back().back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        rows.back().back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\n') {
      rows.emplace_back(1);
    } else {
      rows.back().back() += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
  return rows;
}

TEST(CsvReport, BenchmarkModelColumnsThenOursOneRowPerOp) {
  REQUIRE_RUNS();
  const auto rows = parse_csv(render_report(Format::kCsv, runs));
  ASSERT_FALSE(rows.empty());
  const std::vector<std::string> tflite = {"node type", "first", "avg_ms", "%", "cdf%",
                                           "mem KB", "times called", "name"};
  ASSERT_GE(rows[0].size(), tflite.size() + 5);
  for (size_t i = 0; i < tflite.size(); ++i) EXPECT_EQ(rows[0][i], tflite[i]);
  for (const char* ours : {"backend", "source_index", "macs", "run_id"}) {
    EXPECT_NE(std::find(rows[0].begin(), rows[0].end(), ours), rows[0].end()) << ours;
  }
  const size_t expected = runs[0].doc.ops.size() + runs[1].doc.ops.size();  // [2] failed
  ASSERT_EQ(rows.size(), expected + 1);
  for (const auto& r : rows) ASSERT_EQ(r.size(), rows[0].size());
  // The first data row is run 1's first op in run order.
  const auto& op = runs[0].doc.ops[0];
  EXPECT_EQ(rows[1][0], op.type);
  EXPECT_EQ(rows[1][7], op.name);
  EXPECT_NEAR(std::stod(rows[1][2]), op.mean_us / 1e3, 1e-6);
  EXPECT_EQ(rows[1][6], std::to_string(op.count));
}

struct XmlCounts {
  int suites = 0, cases = 0, failures = 0;
  std::string suite_tests, suite_failures;
};

TEST(JunitReport, WellFormedWithOneTestcasePerRunAndFailedRunsAsFailures) {
  REQUIRE_RUNS();
  const std::string xml = render_report(Format::kJunit, runs);
  XmlCounts counts;
  XML_Parser p = XML_ParserCreate("UTF-8");
  XML_SetUserData(p, &counts);
  XML_SetStartElementHandler(p, [](void* data, const XML_Char* name, const XML_Char** attrs) {
    auto* c = static_cast<XmlCounts*>(data);
    const std::string n = name;
    if (n == "testsuite") {
      ++c->suites;
      for (int i = 0; attrs[i]; i += 2) {
        if (std::string(attrs[i]) == "tests") c->suite_tests = attrs[i + 1];
        if (std::string(attrs[i]) == "failures") c->suite_failures = attrs[i + 1];
      }
    }
    if (n == "testcase") ++c->cases;
    if (n == "failure") ++c->failures;
  });
  const bool ok = XML_Parse(p, xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_OK;
  const std::string error = ok ? "" : XML_ErrorString(XML_GetErrorCode(p));
  XML_ParserFree(p);
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(counts.suites, 1);
  EXPECT_EQ(counts.cases, 3);
  EXPECT_EQ(counts.failures, 1);
  EXPECT_EQ(counts.suite_tests, "3");
  EXPECT_EQ(counts.suite_failures, "1");
  EXPECT_NE(xml.find("io_error"), std::string::npos);
}

TEST(HtmlReport, SelfContainedAndEverySvgClosed) {
  REQUIRE_RUNS();
  const std::string html = render_report(Format::kHtml, runs);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  auto count = [&](const std::string& s) {
    size_t n = 0;
    for (size_t at = html.find(s); at != std::string::npos; at = html.find(s, at + 1)) ++n;
    return n;
  };
  EXPECT_GE(count("<svg"), 10u);  // comparison + per run: box, histogram, stages, ...
  EXPECT_EQ(count("<svg"), count("</svg>"));
  EXPECT_EQ(count("<table"), count("</table>"));
  EXPECT_EQ(count("<details"), count("</details>"));
  EXPECT_EQ(count("<section"), count("</section>"));
  // Every op of the first run is in its table, and the comparison is there.
  for (const auto& op : runs[0].doc.ops) {
    ASSERT_NE(html.find(op.type), std::string::npos) << op.type;
  }
  EXPECT_NE(html.find("id=\"comparison\""), std::string::npos);
  EXPECT_NE(html.find("Ops that changed most"), std::string::npos);
  EXPECT_NE(html.find("no_such_model"), std::string::npos);  // the failed run is shown
}

TEST(MarkdownReport, SummaryTopTableAndComparison) {
  REQUIRE_RUNS();
  const std::string md = render_report(Format::kMarkdown, runs);
  EXPECT_NE(md.find("## #1 selfie_segmentation.tflite"), std::string::npos);
  EXPECT_NE(md.find("Top 10 operators by average time"), std::string::npos);
  EXPECT_NE(md.find("## Comparison against"), std::string::npos);
  EXPECT_NE(md.find("**failed**: `io_error`"), std::string::npos);
  // Every table row has as many cells as its header.
  std::istringstream in(md);
  std::string line;
  size_t header_cells = 0;
  auto cells = [](const std::string& l) {
    size_t n = 0;
    for (size_t i = 0; i < l.size(); ++i) {
      if (l[i] == '|' && (i == 0 || l[i - 1] != '\\')) ++n;
    }
    return n;
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '|') {
      header_cells = 0;
      continue;
    }
    if (header_cells == 0) header_cells = cells(line);
    ASSERT_EQ(cells(line), header_cells) << line;
  }
}

// OPSCOPE_REPORTS_KEEP=DIR keeps one file per format (multi-run) and a
// single-run HTML there, to look at or render (scripts/screenshot_report.sh).
TEST(ReportFormat, WritesEveryFormatToAFile) {
  REQUIRE_RUNS();
  const char* keep = std::getenv("OPSCOPE_REPORTS_KEEP");
  const std::string dir = keep && *keep ? keep : ::testing::TempDir();
  const std::pair<Format, const char*> files[] = {
      {Format::kMarkdown, "report.md"},      {Format::kHtml, "report.html"},
      {Format::kCsv, "ops.csv"},             {Format::kJunit, "junit.xml"},
      {Format::kChromeTrace, "trace.json"},  {Format::kGbenchJson, "gbench.json"}};
  for (const auto& [format, name] : files) {
    ASSERT_TRUE(write_report(format, runs, {}, dir + "/" + name).is_ok()) << name;
  }
  ASSERT_TRUE(write_report(Format::kHtml, {runs[0]}, {}, dir + "/single.html").is_ok());
  const Status bad = write_report(Format::kCsv, runs, {}, dir + "/no/such/dir/x.csv");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.message().find("no/such/dir/x.csv"), std::string::npos);
}

TEST(ReportFormat, ParsesTheSixNamesAndRejectsOthers) {
  for (const char* n : {"md", "html", "csv", "junit", "chrome-trace", "gbench-json"}) {
    auto f = parse_format(n);
    ASSERT_TRUE(f.is_ok()) << n;
    EXPECT_EQ(format_name(*f), n);
  }
  auto bad = parse_format("pdf");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("chrome-trace"), std::string::npos);
}

}  // namespace
}  // namespace opscope::reports
