#include "reports/report_text.h"

#include <cstdio>
#include <filesystem>

namespace opscope::reports {

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // XML 1.0 forbids most control characters even when escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string md_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

std::string md_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '#':
      case '!': case '~':
        out += '\\';
        out += c;
        break;
      default:
        // Control bytes would end the line or vanish: a space, as in HTML.
        out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
  }
  return out;
}

std::string run_label(const store::StoredRun& run) {
  const auto& d = run.doc;
  std::string s;
  if (run.id) s = "#" + std::to_string(run.id) + " ";
  s += d.model.name + " \xC2\xB7 " + join(d.config.backends, ",") + " \xC2\xB7 " +
       std::to_string(d.config.threads) + (d.config.threads == 1 ? " thread" : " threads");
  if (!run.variant.empty()) s += " \xC2\xB7 " + run.variant;
  return s;
}

std::string case_name(const store::StoredRun& run) {
  const auto& d = run.doc;
  std::string s = d.model.name;
  if (!run.variant.empty()) s += "[" + run.variant + "]";
  s += "/" + join(d.config.backends, ",") + "/threads:" + std::to_string(d.config.threads);
  return s;
}

std::string model_stem(const store::StoredRun& run) {
  return std::filesystem::path(run.doc.model.name).stem().string();
}

}  // namespace opscope::reports
