// Runs one benchmark case in a fresh opscope-runner process on this machine
// and brings back its result document: `opscope run` and every case of
// `opscope sweep` go through here.
#pragma once

#include <atomic>
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
  // The host was interrupted (install_interrupt_handlers) while the case
  // ran: the runner was killed, error.code is "interrupted", exit_code is
  // kExitInterrupted. Callers stop rather than store it.
  bool interrupted = false;
};

// Catches SIGINT, SIGTERM and SIGHUP for the rest of the process: the case
// running now has its runner killed and comes back interrupted, and
// interrupt_signal() says which signal came (0: none), so the command can
// clean up (mark a sweep incomplete) and exit with kExitInterrupted. Called
// once by the commands that start runners.
void install_interrupt_handlers();
int interrupt_signal();
// What run limits poll to learn of the interrupt (ProcessLimits::cancel).
const std::atomic<int>* interrupt_flag();

// The document of a case whose runner left none: what was asked, on what
// (this machine), and why it failed (error.code `code`), so that the store
// keeps the failure like any run.
nlohmann::json failure_document(const RunOptions& opts, const std::string& code,
                                const std::string& message);

// Fails only when the case cannot be attempted (no temporary file, no
// runner executable): a failure of the case itself is an outcome. The
// runner dies with this process (it is told our pid, see runner_main.cc),
// and its result file is never left in /tmp.
Result<CaseOutcome> run_case_process(const RunOptions& opts,
                                     const CaseProcessOptions& options);

}  // namespace opscope::harness
