// Runs one benchmark case in a fresh opscope-runner process on this machine
// and brings back its result document: `opscope run` and every case of
// `opscope sweep` go through here.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/status.h"
#include "harness/run_options.h"
#include "result/result_document.h"

namespace opscope::harness {

struct CaseProcessOptions {
  double timeout_secs = 0;  // kill the runner after this long; 0: no limit
  bool progress = false;    // let the runner print progress lines on stderr
};

struct CaseOutcome {
  // The document as the runner wrote it (kept verbatim for the store), or,
  // when the runner died or wrote nothing readable, one made here with
  // status "error" and error.code "runner_crashed" or "timeout".
  nlohmann::json document;
  ResultDocument doc;  // the same, parsed
  int exit_code = 0;   // what `opscope run` exits with for this case
};

// Fails only when the case cannot be attempted (no temporary file, no
// runner executable): a failure of the case itself is an outcome.
Result<CaseOutcome> run_case_process(const RunOptions& opts,
                                     const CaseProcessOptions& options);

}  // namespace opscope::harness
