// Process exit codes of opscope and opscope-runner (docs/cli.md lists them).
#pragma once

#include <string_view>

#include "engine/status.h"

namespace opscope::harness {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,          // generic failure
  kExitUsage = 2,            // bad command line
  kExitIo = 3,               // file missing or unreadable
  kExitMalformedModel = 4,   // not a valid model file
  kExitInvalidGraph = 5,     // indices out of range, cycles
  kExitUnsupportedOp = 6,    // no backend can run a node
  kExitShapeMismatch = 7,
  kExitTypeMismatch = 8,
  kExitResource = 9,         // out of memory
  kExitBackend = 10,
  kExitInternal = 11,
  kExitRunnerCrashed = 12,   // the runner died from a signal
  kExitStore = 13,           // the results store cannot be opened or written
  kExitTimeout = 14,         // the runner ran past its time limit and was killed
  kExitInterrupted = 15,     // opscope got SIGINT/SIGTERM/SIGHUP; its runner was killed
  kExitDeviceUnreachable = 16,  // the device cannot be reached (host down, adb device gone)
  kExitDeviceAuth = 17,      // the device refused our key or authorization
  kExitUnknownDevice = 18,   // no device of that name (opscope devices)
  kExitNoBundle = 19,        // no runner bundle for the device's arch
  kExitDeviceIo = 20,        // a push, pull or command on the device failed (disk full)
};

int exit_code_for(ErrorCode code);
// The same, from an ErrorCode name as written in a result document.
int exit_code_for(std::string_view error_code_name);

}  // namespace opscope::harness
