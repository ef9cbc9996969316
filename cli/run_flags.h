// The benchmark-case flags shared by `opscope run` and `opscope-runner`
// (the options themselves, harness::RunOptions, are the harness's).
#pragma once

#include "harness/run_options.h"

namespace CLI {
class App;
}  // namespace CLI

namespace opscope::cli {

// Adds MODEL and the case flags to `app`; harness::finish_run_options folds
// them into the case config after parsing.
void add_run_options(CLI::App& app, harness::RunOptions& opts);

}  // namespace opscope::cli
