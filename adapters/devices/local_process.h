// Runs the device-side runner as a child process on this machine.
//
// A fresh process per case gives clean memory figures and survives a model
// that crashes the runner: the caller learns the exit code or the signal.
#pragma once

#include <string>
#include <vector>

#include "engine/status.h"

namespace opscope::devices {

struct ProcessOutcome {
  int exit_code = -1;  // valid when !signaled
  bool signaled = false;
  int signal = 0;
  bool timed_out = false;  // killed (SIGKILL) by us at the time limit
  double wall_secs = 0;
};

struct ProcessLimits {
  // Kill the process with SIGKILL after this many seconds; 0: no limit.
  double timeout_secs = 0;
};

// Runs `program` with `args`, inheriting stdout/stderr; waits for it (at
// most limits.timeout_secs, then kills it and reports timed_out with the
// signal). Fails only if the process cannot be started.
Result<ProcessOutcome> run_local_process(const std::string& program,
                                         const std::vector<std::string>& args);
Result<ProcessOutcome> run_local_process(const std::string& program,
                                         const std::vector<std::string>& args,
                                         const ProcessLimits& limits);

// The opscope-runner beside the running executable, or $OPSCOPE_RUNNER.
std::string default_runner_path();

}  // namespace opscope::devices
