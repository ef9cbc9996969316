#include "reports/junit_report.h"

#include <numeric>

#include "reports/report_text.h"
#include "reports/units.h"

namespace opscope::reports {
namespace {

// The time a case spent measuring: the sum of its warm invokes (seconds).
double measured_secs(const ResultDocument& d) {
  const auto& s = d.latency_ms.samples;
  return std::accumulate(s.begin(), s.end(), 0.0) / 1e3;
}

}  // namespace

std::string render_junit(const std::vector<store::StoredRun>& runs,
                         const std::string& suite_name) {
  int failures = 0;
  double total = 0;
  for (const auto& r : runs) {
    if (r.doc.status != "ok") ++failures;
    total += measured_secs(r.doc);
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites name=\"" + html_escape(suite_name) + "\" tests=\"" +
       std::to_string(runs.size()) + "\" failures=\"" + std::to_string(failures) +
       "\" errors=\"0\" time=\"" + format_fixed(total, 3) + "\">\n";
  x += "  <testsuite name=\"" + html_escape(suite_name) + "\" tests=\"" +
       std::to_string(runs.size()) + "\" failures=\"" + std::to_string(failures) +
       "\" errors=\"0\" skipped=\"0\" time=\"" + format_fixed(total, 3) + "\"";
  if (!runs.empty() && !runs.front().created_at.empty()) {
    x += " timestamp=\"" + html_escape(runs.front().created_at) + "\"";
  }
  if (!runs.empty()) x += " hostname=\"" + html_escape(runs.front().doc.device.id) + "\"";
  x += ">\n";
  for (const auto& r : runs) {
    const auto& d = r.doc;
    std::string name = case_name(r);
    if (r.id) name += " (run " + std::to_string(r.id) + ")";
    x += "    <testcase classname=\"" + html_escape("opscope." + model_stem(r)) +
         "\" name=\"" + html_escape(name) + "\" time=\"" + format_fixed(measured_secs(d), 3) + "\">\n";
    if (d.status != "ok") {
      x += "      <failure type=\"" + html_escape(d.error.code) + "\" message=\"" +
           html_escape(d.error.code + ": " + d.error.message) + "\">" +
           html_escape(d.error.message) + "</failure>\n";
    } else {
      const auto& l = d.latency_ms;
      x += "      <system-out>median " + format_fixed(l.median, 3) + " ms, p90 " + format_fixed(l.p90, 3) +
           " ms, mean " + format_fixed(l.mean, 3) + " ms over " + std::to_string(l.count) +
           " runs; peak RSS " + std::to_string(d.memory.peak_rss_bytes) +
           " B</system-out>\n";
    }
    x += "    </testcase>\n";
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

}  // namespace opscope::reports
