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
};

// Runs `program` with `args`, inheriting stdout/stderr; waits for it.
// Fails only if the process cannot be started.
Result<ProcessOutcome> run_local_process(const std::string& program,
                                         const std::vector<std::string>& args);

// The opscope-runner beside the running executable, or $OPSCOPE_RUNNER.
std::string default_runner_path();

}  // namespace opscope::devices
