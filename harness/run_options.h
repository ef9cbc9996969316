// A benchmark case as the user asked for it (`opscope run`, `opscope-runner`),
// and the runner command line that reproduces it.
#pragma once

#include <string>
#include <vector>

#include "engine/status.h"
#include "result/result_document.h"

namespace opscope::harness {

// The fastest backend priority list this build has, what `run` and `sweep`
// use without --backend: "native,xnnpack,cpu" when XNNPACK is built in
// (int8 nodes on our own kernels, float ones on XNNPACK, the rest on the
// reference kernels), else "native,cpu".
std::string default_backend_list();

struct RunOptions {
  std::string model;
  std::string backends = default_backend_list();
  CaseConfig config;
  std::string json_path;
  std::string save_outputs_dir;
  bool no_op_profile = false;
};

// Folds parsed flags into opts.config (backend list, op profile).
void finish_run_options(RunOptions& opts);
// Refuses contradictory or out-of-range case flags, one line each naming
// the flag (kInvalidArgument): an unknown or repeated backend, --min-secs
// above --max-secs, --cpus naming a CPU this machine does not have; and a
// model path that is not a regular file (kIoError: a FIFO would block the
// reader forever). Call after finish_run_options.
// cpus_are_local false: --cpus names a device's CPUs (or a cluster), which
// the runner checks there.
Status check_run_options(const RunOptions& opts, bool cpus_are_local = true);
// The model-file part of check_run_options alone (a missing file is OK
// here: the loader reports it).
Status check_model_file(const std::string& path);
// "xnnpack,cpu" -> {"xnnpack", "cpu"} (empty items dropped).
std::vector<std::string> split_backend_list(const std::string& list);
// The runner command line that reproduces `opts` (without --json).
std::vector<std::string> runner_arguments(const RunOptions& opts);

}  // namespace opscope::harness
