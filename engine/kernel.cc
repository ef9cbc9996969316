#include "engine/kernel.h"

namespace opscope {

Status PrepareContext::error(ErrorCode code, const std::string& reason) const {
  return Status(code, describe_node(graph_, node_index_) + ": " + reason);
}

Status PrepareContext::expect_inputs(int min, int max) const {
  if (num_inputs() < min || num_inputs() > max) {
    return error(ErrorCode::kInvalidGraph,
                 "expects " + std::to_string(min) +
                     (min == max ? "" : " to " + std::to_string(max)) +
                     " inputs, has " + std::to_string(num_inputs()));
  }
  return Status::ok();
}

Status PrepareContext::expect_input_dtype(int i, DType dtype) {
  if (!has_input(i)) {
    return error(ErrorCode::kInvalidGraph,
                 "input " + std::to_string(i) + " is missing");
  }
  if (input(i).dtype != dtype) {
    return error(ErrorCode::kTypeMismatch,
                 "input " + std::to_string(i) + " '" + input(i).name +
                     "' has dtype " + std::string(to_string(input(i).dtype)) +
                     ", expected " + std::string(to_string(dtype)));
  }
  return Status::ok();
}

Status PrepareContext::expect_constant_input(int i) {
  if (!has_input(i)) {
    return error(ErrorCode::kInvalidGraph,
                 "input " + std::to_string(i) + " is missing");
  }
  if (!input(i).is_constant()) {
    return error(ErrorCode::kUnsupportedOp,
                 "input " + std::to_string(i) + " '" + input(i).name +
                     "' must be a constant tensor");
  }
  return Status::ok();
}

Status PrepareContext::expect_input_rank(int i, int rank) {
  if (!has_input(i)) {
    return error(ErrorCode::kInvalidGraph,
                 "input " + std::to_string(i) + " is missing");
  }
  if (static_cast<int>(input(i).shape.size()) != rank) {
    return error(ErrorCode::kShapeMismatch,
                 "input " + std::to_string(i) + " '" + input(i).name +
                     "' has shape " + shape_to_string(input(i).shape) +
                     ", expected rank " + std::to_string(rank));
  }
  return Status::ok();
}

}  // namespace opscope
