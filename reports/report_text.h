// Small text helpers shared by the report writers: escaping for each output
// language and how a run is named in every report (numbers: units.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/store/store.h"
#include "reports/units.h"  // join, format_fixed: the reports format numbers alike

namespace opscope::reports {

std::string html_escape(std::string_view s);  // also for XML text/attributes
std::string csv_field(std::string_view s);    // RFC 4180 quoting when needed
std::string md_cell(std::string_view s);      // escapes '|' in a table cell
// Markdown text that renders as exactly `s` (on one line): Markdown's
// punctuation backslash-escaped, '<' '>' '&' as entities (no inline HTML).
std::string md_text(std::string_view s);


// "#42 selfie_segmentation.tflite · xnnpack,cpu · 1 thread" (id omitted when 0).
std::string run_label(const store::StoredRun& run);
// "selfie_segmentation.tflite/xnnpack,cpu/threads:1": stable across runs of
// the same case, so two reports line up (Google Benchmark names, JUnit).
std::string case_name(const store::StoredRun& run);
// The model's file stem: "selfie_segmentation".
std::string model_stem(const store::StoredRun& run);

}  // namespace opscope::reports
