#include "reports/report_writer.h"

#include <array>
#include <fstream>

#include "reports/chrome_trace.h"
#include "reports/csv_report.h"
#include "reports/gbench_json.h"
#include "reports/html_report.h"
#include "reports/junit_report.h"
#include "reports/markdown_report.h"
#include "result/utf8.h"

namespace opscope::reports {
namespace {

constexpr std::array<std::pair<Format, std::string_view>, 6> kNames = {{
    {Format::kMarkdown, "md"},
    {Format::kHtml, "html"},
    {Format::kCsv, "csv"},
    {Format::kJunit, "junit"},
    {Format::kChromeTrace, "chrome-trace"},
    {Format::kGbenchJson, "gbench-json"},
}};

}  // namespace

std::string format_names() {
  std::string s;
  for (const auto& [_, name] : kNames) {
    if (!s.empty()) s += "|";
    s += name;
  }
  return s;
}

Result<Format> parse_format(std::string_view name) {
  for (const auto& [format, n] : kNames) {
    if (n == name) return format;
  }
  return Status(ErrorCode::kInvalidArgument,
                "unknown report format '" + std::string(name) + "' (expected " +
                    format_names() + ")");
}

std::string_view format_name(Format format) {
  for (const auto& [f, n] : kNames) {
    if (f == format) return n;
  }
  return "?";
}

std::string render_report(Format format, const std::vector<store::StoredRun>& runs,
                          const ReportOptions& o) {
  switch (format) {
    case Format::kMarkdown: {
      MarkdownOptions m;
      m.title = o.title;
      m.top_n = o.top_n;
      return render_markdown(runs, m);
    }
    case Format::kHtml: {
      HtmlOptions h;
      h.title = o.title;
      return render_html(runs, h);
    }
    case Format::kCsv:
      return render_csv(runs);
    case Format::kJunit:
      return render_junit(runs, o.title);
    case Format::kChromeTrace:
      return dump_json(render_chrome_trace(runs)) + "\n";
    case Format::kGbenchJson: {
      GbenchOptions g;
      g.aggregates_only = o.aggregates_only;
      return dump_json(render_gbench_json(runs, g), 2) + "\n";
    }
  }
  return {};
}

Status write_report(Format format, const std::vector<store::StoredRun>& runs,
                    const ReportOptions& o, const std::string& path) {
  const std::string text = render_report(format, runs, o);
  std::ofstream f(path, std::ios::binary);
  if (!f) return Status(ErrorCode::kIoError, path + ": cannot open for writing");
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  f.close();
  if (!f) return Status(ErrorCode::kIoError, path + ": write failed");
  return Status::ok();
}

}  // namespace opscope::reports
