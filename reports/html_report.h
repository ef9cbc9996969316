// One self-contained HTML file: inline CSS and inline SVG, no script, no
// font or image from the network. Per run: summary, latency distribution
// (box plot and histogram of the samples), stages, per-op table with bars,
// op-type breakdown, placement, memory. For two or more runs, first a
// comparison of each run against the first (harness/compare.h: medians,
// ratio with its interval, Mann–Whitney p, per-op diff by source index).
#pragma once

#include <string>
#include <vector>

#include "adapters/store/store.h"

namespace opscope::reports {

struct HtmlOptions {
  std::string title = "opscope report";
  int op_rows_visible = 25;  // the rest of the per-op table folds away
  int diff_rows = 15;
};

std::string render_html(const std::vector<store::StoredRun>& runs,
                        const HtmlOptions& options = {});

}  // namespace opscope::reports
