// Inline SVG charts for the HTML report: plain strings, no script, sized in
// CSS pixels, with text in the page's font. Every function returns one
// complete <svg>…</svg> element.
#pragma once

#include <string>
#include <vector>

namespace opscope::reports {

// Tick positions for an axis over [lo, hi]: about `target` "nice" values
// (1, 2, 2.5 or 5 times a power of ten).
std::vector<double> nice_ticks(double lo, double hi, int target = 6);

struct BoxRow {
  std::string label;
  std::vector<double> samples;  // any order
  std::string color;            // CSS colour
};
// Horizontal box plots on one shared axis (ms): whiskers at min/max, box
// p25–p75, a line at the median, a dot per sample (jittered) when few.
std::string svg_box_plots(const std::vector<BoxRow>& rows, const std::string& unit,
                          int width = 1000);

// A histogram of `samples` with `bins` equal bins between min and max, and
// dashed lines at the median and p90.
std::string svg_histogram(const std::vector<double>& samples, int bins, const std::string& unit,
                          const std::string& color, int width = 1000, int height = 180);

struct Bar {
  std::string label;
  double value = 0;
  std::string color;
  std::string note;  // printed after the value, e.g. "12.3%"
};
// Horizontal bars, largest scale from the largest value.
std::string svg_bar_chart(const std::vector<Bar>& bars, const std::string& unit,
                          int width = 1000);

struct Segment {
  int count = 0;
  std::string label, color;
};
// One strip of consecutive segments (e.g. nodes in run order by backend),
// widths proportional to counts, with a legend.
std::string svg_strip(const std::vector<Segment>& segments, int width = 1000);

}  // namespace opscope::reports
