#include "engine/status.h"

namespace opscope {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kIoError: return "io_error";
    case ErrorCode::kMalformedModel: return "malformed_model";
    case ErrorCode::kInvalidGraph: return "invalid_graph";
    case ErrorCode::kUnsupportedOp: return "unsupported_op";
    case ErrorCode::kShapeMismatch: return "shape_mismatch";
    case ErrorCode::kTypeMismatch: return "type_mismatch";
    case ErrorCode::kResourceExhausted: return "resource_exhausted";
    case ErrorCode::kBackendError: return "backend_error";
    case ErrorCode::kDeviceUnreachable: return "device_unreachable";
    case ErrorCode::kDeviceAuth: return "device_auth";
    case ErrorCode::kUnknownDevice: return "unknown_device";
    case ErrorCode::kNoBundle: return "no_bundle";
    case ErrorCode::kDeviceIo: return "device_io";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kShapeChanged: return "shape changed";
  }
  return "unknown";
}

Status Status::with_prefix(std::string_view prefix) const {
  if (is_ok()) return *this;
  return Status(code_, std::string(prefix) + ": " + message_);
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  return std::string(opscope::to_string(code_)) + ": " + message_;
}

}  // namespace opscope
