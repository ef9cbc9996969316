// The benchmark-case flags shared by `opscope run` and `opscope-runner`
// (the options themselves, harness::RunOptions, are the harness's).
#pragma once

#include "harness/run_options.h"
#include "result/result_document.h"

namespace CLI {
class App;
}  // namespace CLI

namespace opscope::cli {

// Adds MODEL and the case flags to `app`; harness::finish_run_options folds
// them into the case config after parsing.
void add_run_options(CLI::App& app, harness::RunOptions& opts);

// --timeout of `run` and `sweep` when not given: the runner is killed after
// resolve_timeout(kAutoTimeout, config) seconds, so that a case that hangs
// (a model file that never ends, a kernel that never returns) cannot hang
// the host with it.
inline constexpr double kAutoTimeout = -1;
inline constexpr double kDefaultTimeoutSecs = 600;
// kAutoTimeout -> max(600, warmup_secs + max_secs + 300); any other value
// as given (0: no limit).
double resolve_timeout(double timeout_secs, const CaseConfig& config);

}  // namespace opscope::cli
