// Status and Result<T>: how everything in engine/ reports failure.
//
// Nothing in engine/ throws or aborts on bad input. Loading, validation and
// preparation return a Status (or Result<T>) whose message names the file,
// node, op and reason. Error codes are grouped by kind so that the harness can
// map each to a distinct process exit code.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace opscope {

enum class ErrorCode : int {
  kOk = 0,
  // Input and I/O.
  kInvalidArgument = 1,
  kIoError = 2,
  // Model file and graph.
  kMalformedModel = 10,   // not parseable / fails the verifier
  kInvalidGraph = 11,     // indices out of range, cycles, missing tensors
  kUnsupportedOp = 12,    // no backend can run a node
  kShapeMismatch = 13,    // shapes inconsistent for an op
  kTypeMismatch = 14,     // dtypes or quantization unsupported for an op
  // Resources and backends.
  kResourceExhausted = 20,
  kBackendError = 21,
  // Devices (adapters/devices): the link to a device, not the model.
  kDeviceUnreachable = 40,   // host down, connection refused, adb device gone
  kDeviceAuth = 41,          // the device refused our key / authorization
  kUnknownDevice = 42,       // no device of that name is configured
  kNoBundle = 43,            // no runner bundle for the device's arch
  kDeviceIo = 44,            // push, pull or a command on the device failed (disk full)
  kInternal = 30,
  // A kernel found a run-time operand whose value changes a shape the
  // session planned (engine/value_operands.h). Session::invoke re-plans and
  // runs again; it never returns this code.
  kShapeChanged = 31,
};

std::string_view to_string(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool is_ok() const { return code_ == ErrorCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<prefix>: <message>".
  Status with_prefix(std::string_view prefix) const;
  std::string to_string() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.is_ok() && "Result constructed from an OK status");
  }

  bool is_ok() const { return status_.is_ok(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }

  T& value() & { assert(is_ok()); return *value_; }
  const T& value() const& { assert(is_ok()); return *value_; }
  T&& value() && { assert(is_ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace opscope

#define OPSCOPE_CONCAT_INNER(a, b) a##b
#define OPSCOPE_CONCAT(a, b) OPSCOPE_CONCAT_INNER(a, b)

// Returns early from the enclosing function if `expr` is not OK.
#define OPSCOPE_RETURN_IF_ERROR(expr)                    \
  do {                                                   \
    ::opscope::Status _st = (expr);                      \
    if (!_st.is_ok()) return _st;                        \
  } while (0)

// Declares `lhs` from a Result<T> expression or returns its status.
#define OPSCOPE_ASSIGN_OR_RETURN(lhs, expr) \
  OPSCOPE_ASSIGN_OR_RETURN_IMPL(OPSCOPE_CONCAT(_res_, __LINE__), lhs, expr)
#define OPSCOPE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.is_ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
