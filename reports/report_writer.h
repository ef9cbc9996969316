// One entry point for every report format: `opscope report` and the tests
// pick a format by name and get the file's text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/store/store.h"
#include "engine/status.h"

namespace opscope::reports {

enum class Format { kMarkdown, kHtml, kCsv, kJunit, kChromeTrace, kGbenchJson };

// "md", "html", "csv", "junit", "chrome-trace", "gbench-json"; anything
// else is kInvalidArgument listing the names.
Result<Format> parse_format(std::string_view name);
std::string_view format_name(Format format);
// The list for help texts: "md|html|csv|junit|chrome-trace|gbench-json".
std::string format_names();

struct ReportOptions {
  std::string title = "opscope report";
  int top_n = 10;                // Markdown: rows of the top-operators table
  bool aggregates_only = false;  // Google Benchmark JSON: aggregate rows only
};

std::string render_report(Format format, const std::vector<store::StoredRun>& runs,
                          const ReportOptions& options = {});
// Renders and writes `path` (kIoError naming the path when it cannot).
Status write_report(Format format, const std::vector<store::StoredRun>& runs,
                    const ReportOptions& options, const std::string& path);

}  // namespace opscope::reports
