// Runs one benchmark case in this process and describes it as a result
// document. This is the body of opscope-runner.
#pragma once

#include <functional>
#include <string>

#include "result/result_document.h"

namespace opscope::harness {

struct RunRequest {
  std::string model_path;
  CaseConfig config;
  std::string save_outputs_dir;  // empty: do not save
  // Called with human-readable progress lines (e.g. to stderr); may be null.
  std::function<void(const std::string&)> progress;
};

// Never throws. A failure becomes status "error" with error.code (an
// ErrorCode name) and a message naming the file, node, op and reason.
ResultDocument run_case(const RunRequest& request);

}  // namespace opscope::harness
