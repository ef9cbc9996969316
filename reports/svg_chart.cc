#include "reports/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "reports/report_text.h"
#include "reports/units.h"

namespace opscope::reports {
namespace {

std::string num(double v) { return format_fixed(v, 1); }

std::string text(double x, double y, const std::string& s, const char* anchor = "start",
                 const char* cls = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor +
         "\" class=\"" + cls + "\">" + html_escape(s) + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& style) {
  return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" +
         num(y2) + "\" style=\"" + style + "\"/>";
}

std::string rect(double x, double y, double w, double h, const std::string& fill,
                 const std::string& title = "") {
  std::string r = "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" +
                  num(std::max(0.0, w)) + "\" height=\"" + num(std::max(0.0, h)) +
                  "\" fill=\"" + fill + "\"";
  if (title.empty()) return r + "/>";
  return r + "><title>" + html_escape(title) + "</title></rect>";
}

std::string open_svg(int width, int height, const std::string& label) {
  // No xmlns: inline SVG in HTML5 needs none (and the page names no URL).
  return "<svg class=\"chart\" width=\"" +
         std::to_string(width) + "\" height=\"" + std::to_string(height) +
         "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
         "\" role=\"img\" aria-label=\"" + html_escape(label) + "\">";
}

// Sorted copy's quantile.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double h = (static_cast<double>(sorted.size()) - 1) * q;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(sorted.size() - 1, lo + 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

std::string tick_label(double v, double step) {
  int decimals = 0;
  while (decimals < 6 && std::fabs(step * std::pow(10, decimals) -
                                   std::round(step * std::pow(10, decimals))) > 1e-6) {
    ++decimals;
  }
  return format_fixed(v, decimals);
}

// A horizontal axis at y from x0 to x1 for [lo, hi] with tick labels and
// light vertical grid lines up to `grid_top`.
std::string axis(double x0, double x1, double y, double lo, double hi, double grid_top,
                 const std::string& unit) {
  std::string s = line(x0, y, x1, y, "stroke:#888;stroke-width:1");
  const auto ticks = nice_ticks(lo, hi);
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
  for (double t : ticks) {
    const double x = x0 + (t - lo) / (hi - lo) * (x1 - x0);
    s += line(x, grid_top, x, y, "stroke:#e4e4e4;stroke-width:1");
    s += line(x, y, x, y + 4, "stroke:#888;stroke-width:1");
    s += text(x, y + 16, tick_label(t, step), "middle", "tick");
  }
  s += text(x1, y + 30, unit, "end", "tick");
  return s;
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  }
  std::vector<double> t;
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    t.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  }
  return t;
}

// Room for the longest label at about 6.6 px per character, within limits.
double label_width(size_t longest, int width) {
  return std::clamp(6.6 * static_cast<double>(longest) + 8, 60.0, width * 0.45);
}

std::string svg_box_plots(const std::vector<BoxRow>& rows, const std::string& unit, int width) {
  size_t longest = 0;
  for (const auto& r : rows) longest = std::max(longest, r.label.size());
  const double label_w = label_width(longest, width), left = label_w + 10,
               right = width - 20.0, row_h = 34;
  const int height = static_cast<int>(row_h * static_cast<double>(rows.size()) + 50);
  double lo = 1e300, hi = -1e300;
  for (const auto& r : rows) {
    for (double v : r.samples) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (lo > hi) lo = 0, hi = 1;
  const auto ticks = nice_ticks(lo, hi);
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step) * step;
  if (hi <= lo) hi = lo + 1;
  auto X = [&](double v) { return left + (v - lo) / (hi - lo) * (right - left); };
  std::string s = open_svg(width, height, "latency distribution, box plots");
  const double axis_y = row_h * static_cast<double>(rows.size()) + 10;
  s += axis(left, right, axis_y, lo, hi, 4, unit);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::vector<double> v = rows[i].samples;
    const double cy = 8 + row_h * static_cast<double>(i) + row_h / 2;
    s += text(label_w, cy + 4, rows[i].label, "end", "label");
    if (v.empty()) continue;
    std::sort(v.begin(), v.end());
    const double q1 = quantile(v, 0.25), med = quantile(v, 0.5), q3 = quantile(v, 0.75);
    const std::string c = rows[i].color;
    s += line(X(v.front()), cy, X(q1), cy, "stroke:" + c + ";stroke-width:1.5");
    s += line(X(q3), cy, X(v.back()), cy, "stroke:" + c + ";stroke-width:1.5");
    s += line(X(v.front()), cy - 7, X(v.front()), cy + 7, "stroke:" + c + ";stroke-width:1.5");
    s += line(X(v.back()), cy - 7, X(v.back()), cy + 7, "stroke:" + c + ";stroke-width:1.5");
    s += "<rect x=\"" + num(X(q1)) + "\" y=\"" + num(cy - 11) + "\" width=\"" +
         num(std::max(1.0, X(q3) - X(q1))) + "\" height=\"22\" fill=\"" + c +
         "\" fill-opacity=\"0.25\" stroke=\"" + c + "\"><title>" +
         html_escape("p25 " + format_fixed(q1, 3) + ", median " + format_fixed(med, 3) + ", p75 " +
                     format_fixed(q3, 3) + " " + unit + " (" + std::to_string(v.size()) + " samples)") +
         "</title></rect>";
    s += line(X(med), cy - 11, X(med), cy + 11, "stroke:" + c + ";stroke-width:3");
    if (v.size() <= 400) {
      // Deterministic jitter so the file is reproducible.
      for (size_t k = 0; k < v.size(); ++k) {
        const double jy = cy + (static_cast<double>((k * 7919) % 17) - 8.0) * 0.9;
        s += "<circle cx=\"" + num(X(v[k])) + "\" cy=\"" + num(jy) +
             "\" r=\"1.3\" fill=\"" + c + "\" fill-opacity=\"0.45\"/>";
      }
    }
  }
  return s + "</svg>";
}

std::string svg_histogram(const std::vector<double>& samples, int bins, const std::string& unit,
                          const std::string& color, int width, int height) {
  const double left = 45, right = width - 20.0, top = 30, bottom = height - 40.0;
  std::string s = open_svg(width, height, "latency histogram");
  if (samples.empty() || bins < 1) return s + text(left, 30, "no samples") + "</svg>";
  std::vector<double> v = samples;
  std::sort(v.begin(), v.end());
  double lo = v.front(), hi = v.back();
  if (hi <= lo) hi = lo + 1e-3;
  std::vector<int> count(bins, 0);
  for (double x : v) {
    int b = static_cast<int>((x - lo) / (hi - lo) * bins);
    count[std::clamp(b, 0, bins - 1)]++;
  }
  const int peak = *std::max_element(count.begin(), count.end());
  auto X = [&](double x) { return left + (x - lo) / (hi - lo) * (right - left); };
  // y axis: counts
  for (double t : nice_ticks(0, peak, 4)) {
    const double y = bottom - t / peak * (bottom - top);
    s += line(left, y, right, y, "stroke:#eee;stroke-width:1");
    s += text(left - 6, y + 4, format_fixed(t, 0), "end", "tick");
  }
  const double bw = (right - left) / bins;
  for (int b = 0; b < bins; ++b) {
    const double h = static_cast<double>(count[b]) / peak * (bottom - top);
    const double b_lo = lo + (hi - lo) * b / bins, b_hi = lo + (hi - lo) * (b + 1) / bins;
    s += rect(left + bw * b + 0.5, bottom - h, bw - 1, h, color,
              format_fixed(b_lo, 3) + "–" + format_fixed(b_hi, 3) + " " + unit + ": " +
                  std::to_string(count[b]) + " runs");
  }
  s += axis(left, right, bottom, lo, hi, bottom, unit);
  const double med = quantile(v, 0.5), p90 = quantile(v, 0.9);
  s += line(X(med), top, X(med), bottom, "stroke:#222;stroke-width:1.5;stroke-dasharray:4 3");
  s += text(X(med), top - 18, "median " + format_fixed(med, 3), "middle", "tick");
  s += line(X(p90), top, X(p90), bottom, "stroke:#b00;stroke-width:1.5;stroke-dasharray:4 3");
  s += text(X(p90), top - 4, "p90 " + format_fixed(p90, 3), "middle", "tick");
  return s + "</svg>";
}

std::string svg_bar_chart(const std::vector<Bar>& bars, const std::string& unit, int width) {
  size_t longest = 0;
  for (const auto& b : bars) longest = std::max(longest, b.label.size());
  const double label_w = label_width(longest, width), left = label_w + 10,
               right = width - 170.0, row_h = 22;
  const int height = static_cast<int>(row_h * static_cast<double>(bars.size()) + 10);
  double peak = 0;
  for (const auto& b : bars) peak = std::max(peak, b.value);
  if (peak <= 0) peak = 1;
  std::string s = open_svg(width, height, "bar chart");
  for (size_t i = 0; i < bars.size(); ++i) {
    const double y = 5 + row_h * static_cast<double>(i);
    const double w = bars[i].value / peak * (right - left);
    s += text(label_w, y + 15, bars[i].label, "end", "label");
    s += rect(left, y + 3, std::max(1.0, w), row_h - 6, bars[i].color,
              bars[i].label + ": " + format_fixed(bars[i].value, 3) + " " + unit);
    std::string value = format_fixed(bars[i].value, bars[i].value >= 100 ? 1 : 3) + " " + unit;
    if (!bars[i].note.empty()) value += "  " + bars[i].note;
    s += text(left + w + 6, y + 15, value, "start", "tick");
  }
  return s + "</svg>";
}

std::string svg_strip(const std::vector<Segment>& segs, int width) {
  const double left = 10, right = width - 10.0;
  int total = 0;
  for (const auto& g : segs) total += g.count;
  std::string s = open_svg(width, 62, "placement strip");
  if (total == 0) return s + "</svg>";
  double x = left;
  int node = 0;
  for (const auto& g : segs) {
    const double w = static_cast<double>(g.count) / total * (right - left);
    s += rect(x, 6, w, 24, g.color,
              g.label + ": " + std::to_string(g.count) + " nodes (run order " +
                  std::to_string(node) + "–" + std::to_string(node + g.count - 1) + ")");
    if (w > 1) s += line(x + w, 6, x + w, 30, "stroke:#fff;stroke-width:1");
    x += w;
    node += g.count;
  }
  // Legend: one entry per distinct label.
  std::map<std::string, std::pair<std::string, int>> legend;
  for (const auto& g : segs) {
    auto& e = legend[g.label];
    e.first = g.color;
    e.second += g.count;
  }
  double lx = left;
  for (const auto& [label, e] : legend) {
    s += rect(lx, 42, 12, 12, e.first);
    const std::string t = label + " \xC3\x97" + std::to_string(e.second);
    s += text(lx + 16, 52, t, "start", "label");
    lx += 30 + 7.0 * static_cast<double>(t.size());
  }
  return s + "</svg>";
}

}  // namespace opscope::reports
