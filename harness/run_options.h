// A benchmark case as the user asked for it (`opscope run`, `opscope-runner`),
// and the runner command line that reproduces it.
#pragma once

#include <string>
#include <vector>

#include "result/result_document.h"

namespace opscope::harness {

struct RunOptions {
  std::string model;
  std::string backends = "cpu";
  CaseConfig config;
  std::string json_path;
  std::string save_outputs_dir;
  bool no_op_profile = false;
};

// Folds parsed flags into opts.config (backend list, op profile).
void finish_run_options(RunOptions& opts);
// "xnnpack,cpu" -> {"xnnpack", "cpu"} (empty items dropped).
std::vector<std::string> split_backend_list(const std::string& list);
// The runner command line that reproduces `opts` (without --json).
std::vector<std::string> runner_arguments(const RunOptions& opts);

}  // namespace opscope::harness
