#include "harness/exit_codes.h"

namespace opscope::harness {

int exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return kExitOk;
    case ErrorCode::kInvalidArgument: return kExitUsage;
    case ErrorCode::kIoError: return kExitIo;
    case ErrorCode::kMalformedModel: return kExitMalformedModel;
    case ErrorCode::kInvalidGraph: return kExitInvalidGraph;
    case ErrorCode::kUnsupportedOp: return kExitUnsupportedOp;
    case ErrorCode::kShapeMismatch: return kExitShapeMismatch;
    case ErrorCode::kTypeMismatch: return kExitTypeMismatch;
    case ErrorCode::kResourceExhausted: return kExitResource;
    case ErrorCode::kBackendError: return kExitBackend;
    case ErrorCode::kDeviceUnreachable: return kExitDeviceUnreachable;
    case ErrorCode::kDeviceAuth: return kExitDeviceAuth;
    case ErrorCode::kUnknownDevice: return kExitUnknownDevice;
    case ErrorCode::kNoBundle: return kExitNoBundle;
    case ErrorCode::kDeviceIo: return kExitDeviceIo;
    case ErrorCode::kInternal: return kExitInternal;
    // Session::invoke re-plans on it and never returns it; were it to
    // escape, it would be an engine bug.
    case ErrorCode::kShapeChanged: return kExitInternal;
  }
  return kExitFailure;
}

int exit_code_for(std::string_view name) {
  // Failures the host records for a runner that wrote no document.
  if (name == "runner_crashed") return kExitRunnerCrashed;
  if (name == "timeout") return kExitTimeout;
  if (name == "interrupted") return kExitInterrupted;
  for (ErrorCode c : {ErrorCode::kInvalidArgument, ErrorCode::kIoError,
                      ErrorCode::kMalformedModel, ErrorCode::kInvalidGraph,
                      ErrorCode::kUnsupportedOp, ErrorCode::kShapeMismatch,
                      ErrorCode::kTypeMismatch, ErrorCode::kResourceExhausted,
                      ErrorCode::kBackendError, ErrorCode::kDeviceUnreachable,
                      ErrorCode::kDeviceAuth, ErrorCode::kUnknownDevice, ErrorCode::kNoBundle,
                      ErrorCode::kDeviceIo, ErrorCode::kInternal}) {
    if (to_string(c) == name) return exit_code_for(c);
  }
  return kExitFailure;
}

}  // namespace opscope::harness
