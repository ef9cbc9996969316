// Markdown (GitHub-flavoured tables): per run a summary (model, backends,
// threads, stages, latency, memory, placement) and the top operators by
// average time; for two or more runs a comparison of each against the first.
// Suitable for a pull-request comment or a wiki page.
#pragma once

#include <string>
#include <vector>

#include "adapters/store/store.h"

namespace opscope::reports {

struct MarkdownOptions {
  std::string title = "opscope report";
  int top_n = 10;       // rows of the top-operators table
  int diff_rows = 10;   // rows of each per-op diff
};

std::string render_markdown(const std::vector<store::StoredRun>& runs,
                            const MarkdownOptions& options = {});

}  // namespace opscope::reports
