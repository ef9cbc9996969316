// JUnit XML and Markdown for the gate's verdicts (declared in gate.h).
#include <algorithm>
#include <cstdio>
#include <string>

#include "harness/gate.h"

namespace opscope::harness {
namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters even escaped.
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') {
          out += ' ';
        } else {
          out += ch;
        }
    }
  }
  return out;
}

// A Markdown table cell: no pipes, no line breaks.
std::string md_cell(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|') out += "\\|";
    else if (ch == '\n' || ch == '\r') out += ' ';
    else out += ch;
  }
  return out;
}

std::string num(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

int count(const GateResult& r, Verdict v) {
  return static_cast<int>(std::count_if(r.cases.begin(), r.cases.end(),
                                        [v](const CaseVerdict& c) { return c.verdict == v; }));
}

int severity(Verdict v) {
  switch (v) {
    case Verdict::kFail: return 0;
    case Verdict::kUndecided: return 1;
    case Verdict::kPassWithWarning: return 2;
    case Verdict::kPass: return 3;
  }
  return 4;
}

std::string_view badge(Verdict v) {
  switch (v) {
    case Verdict::kFail: return ":x: FAIL";
    case Verdict::kUndecided: return ":grey_question: UNDECIDED";
    case Verdict::kPassWithWarning: return ":warning: PASS_WITH_WARNING";
    case Verdict::kPass: return ":white_check_mark: PASS";
  }
  return "?";
}

}  // namespace

std::string gate_junit_xml(const GateResult& r) {
  const int failures = count(r, Verdict::kFail);
  const int skipped = count(r, Verdict::kUndecided);
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites name=\"opscope\" tests=\"" + std::to_string(r.cases.size()) +
       "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" skipped=\"" +
       std::to_string(skipped) + "\">\n";
  x += "  <testsuite name=\"opscope gate\" tests=\"" + std::to_string(r.cases.size()) +
       "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" skipped=\"" +
       std::to_string(skipped) + "\" time=\"0\">\n";
  for (const CaseVerdict& c : r.cases) {
    x += "    <testcase classname=\"opscope.gate\" name=\"" + xml_escape(c.name) +
         "\" time=\"" + num("%.6f", c.cand_median_ms / 1000.0) + "\"";
    const std::string reason = xml_escape(std::string(to_string(c.verdict)) + ": " + c.reason);
    switch (c.verdict) {
      case Verdict::kFail:
        x += ">\n      <failure message=\"" + reason + "\" type=\"regression\">" + reason +
             "</failure>\n    </testcase>\n";
        break;
      case Verdict::kUndecided:
        x += ">\n      <skipped message=\"" + reason + "\"/>\n    </testcase>\n";
        break;
      case Verdict::kPassWithWarning:
      case Verdict::kPass:
        x += ">\n      <system-out>" + reason + "</system-out>\n    </testcase>\n";
        break;
    }
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

std::string gate_markdown(const GateResult& r) {
  const GateOptions& o = r.options;
  std::string m = "## opscope gate: " + std::string(badge(r.overall)) + "\n\n";
  m += std::to_string(r.cases.size()) + " case(s): " +
       std::to_string(count(r, Verdict::kFail)) + " failed, " +
       std::to_string(count(r, Verdict::kUndecided)) + " undecided, " +
       std::to_string(count(r, Verdict::kPassWithWarning)) + " warned, " +
       std::to_string(count(r, Verdict::kPass)) + " passed.\n\n";
  m += "A case fails when it is slower with Mann–Whitney p < " + num("%g", o.alpha) +
       " and by more than " + num("%g%%", 100.0 * o.max_regression) + " and " +
       num("%g ms", o.min_abs_ms) + " (median vs median)";
  if (o.warn > 0) m += "; it warns beyond " + num("%g%%", 100.0 * o.warn);
  m += ".\n\n";
  m += "| verdict | case | baseline ms | candidate ms | change | 95% CI of ratio | p | n (base/cand) |\n";
  m += "|---|---|---:|---:|---:|---|---:|---|\n";
  std::vector<const CaseVerdict*> rows;
  for (const CaseVerdict& c : r.cases) rows.push_back(&c);
  std::stable_sort(rows.begin(), rows.end(), [](const CaseVerdict* a, const CaseVerdict* b) {
    return severity(a->verdict) < severity(b->verdict);
  });
  for (const CaseVerdict* c : rows) {
    const bool measured = c->ratio > 0;
    m += "| " + std::string(badge(c->verdict)) + " | " + md_cell(c->name) + " | " +
         (c->base_samples ? num("%.3f", c->base_median_ms) : "–") + " | " +
         (c->cand_samples ? num("%.3f", c->cand_median_ms) : "–") + " | " +
         (measured ? num("%+.1f%%", 100.0 * (c->ratio - 1.0)) : "–") + " | " +
         (measured ? num("%.3f", c->ratio_lo) + "–" + num("%.3f", c->ratio_hi) : "–") + " | " +
         (measured ? num("%.2g", c->p_value) : "–") + " | " + std::to_string(c->base_samples) +
         "/" + std::to_string(c->cand_samples) + " |\n";
  }
  std::string notes;
  for (const CaseVerdict* c : rows) {
    if (c->verdict != Verdict::kPass) notes += "- **" + md_cell(c->name) + "**: " + c->reason + "\n";
  }
  if (!notes.empty()) m += "\n" + notes;
  return m;
}

}  // namespace opscope::harness
