// Small text helpers shared by the report writers: escaping for each output
// language, number formatting, and how a run is named in every report.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/store/store.h"

namespace opscope::reports {

std::string html_escape(std::string_view s);  // also for XML text/attributes
std::string csv_field(std::string_view s);    // RFC 4180 quoting when needed
std::string md_cell(std::string_view s);      // escapes '|' in a table cell

std::string join(const std::vector<std::string>& items, std::string_view sep);
// "%.*f" without locale surprises.
std::string fixed(double v, int decimals);

// "#42 selfie_segmentation.tflite · xnnpack,cpu · 1 thread" (id omitted when 0).
std::string run_label(const store::StoredRun& run);
// "selfie_segmentation.tflite/xnnpack,cpu/threads:1": stable across runs of
// the same case, so two reports line up (Google Benchmark names, JUnit).
std::string case_name(const store::StoredRun& run);
// The model's file stem: "selfie_segmentation".
std::string model_stem(const store::StoredRun& run);

}  // namespace opscope::reports
