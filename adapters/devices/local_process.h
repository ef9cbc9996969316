// Runs the device-side runner as a child process on this machine.
//
// A fresh process per case gives clean memory figures and survives a model
// that crashes the runner: the caller learns the exit code or the signal.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "engine/status.h"

namespace opscope::devices {

struct ProcessOutcome {
  int exit_code = -1;  // valid when !signaled
  bool signaled = false;
  int signal = 0;
  bool timed_out = false;  // killed (SIGKILL) by us at the time limit
  bool cancelled = false;  // killed (SIGKILL) by us because *limits.cancel was set
  double wall_secs = 0;
};

struct ProcessLimits {
  // Kill the process with SIGKILL after this many seconds; 0: no limit.
  double timeout_secs = 0;
  // When given, polled while waiting (every 5 ms): once it is non-zero the
  // process is killed with SIGKILL, reaped, and reported as cancelled. The
  // caller's signal handler sets it (the host's SIGINT/SIGTERM).
  const std::atomic<int>* cancel = nullptr;
};

// Runs `program` with `args`, inheriting stdout/stderr; waits for it (at
// most limits.timeout_secs, then kills it and reports timed_out with the
// signal). Fails only if the process cannot be started. Never returns with
// the process still running.
Result<ProcessOutcome> run_local_process(const std::string& program,
                                         const std::vector<std::string>& args);
Result<ProcessOutcome> run_local_process(const std::string& program,
                                         const std::vector<std::string>& args,
                                         const ProcessLimits& limits);

// Like run_local_process, for the transports: the process's stdin is a
// pipe held open until it ends (the runner exits when it closes, see
// --exit-on-stdin-eof), `input` is written to it first, its stdout is
// captured into *out, and its stderr into *err when err is given (else it
// is inherited). Reading stops when the process has ended and its pipes
// are drained (a background process it left, such as an ssh ControlMaster,
// does not hold us).
Result<ProcessOutcome> run_local_captured(const std::string& program,
                                          const std::vector<std::string>& args,
                                          const ProcessLimits& limits, std::string* out,
                                          std::string* err = nullptr,
                                          const std::string& input = "");

// The opscope-runner beside the running executable, or $OPSCOPE_RUNNER.
std::string default_runner_path();

}  // namespace opscope::devices
