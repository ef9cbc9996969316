#include "engine/shapes/int_params.h"

#include <cstring>

namespace opscope::shapes {

Result<std::vector<int64_t>> read_int_input(PrepareContext& ctx, int i,
                                            std::string_view what,
                                            int max_rank) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_constant_input(i));
  const Tensor& t = ctx.input(i);
  const std::string name = std::string(what) + " input '" + t.name + "'";
  if (t.dtype != DType::kI32 && t.dtype != DType::kI64) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     name + " has dtype " + std::string(to_string(t.dtype)) +
                         ", expected i32 or i64");
  }
  if (static_cast<int>(t.shape.size()) > max_rank) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     name + " has shape " + shape_to_string(t.shape) +
                         ", expected rank <= " + std::to_string(max_rank));
  }
  if (t.elements() < 0 || t.data_bytes < t.bytes() ||
      (t.data == nullptr && t.bytes() > 0)) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     name + " carries fewer bytes than its shape needs");
  }
  std::vector<int64_t> values(static_cast<size_t>(t.elements()));
  for (size_t k = 0; k < values.size(); ++k) {
    // memcpy: constant data may sit unaligned inside a mapped model file.
    if (t.dtype == DType::kI32) {
      int32_t v;
      std::memcpy(&v, t.data + k * sizeof(v), sizeof(v));
      values[k] = v;
    } else {
      std::memcpy(&values[k], t.data + k * sizeof(int64_t), sizeof(int64_t));
    }
  }
  return values;
}

Result<std::vector<int64_t>> read_int_operand(PrepareContext& ctx, int i, std::string_view what,
                                              int max_rank) {
  const Tensor& t = ctx.input(i);
  if (t.is_constant()) return read_int_input(ctx, i, what, max_rank);
  const std::string name = std::string(what) + " input '" + t.name + "'";
  if (t.dtype != DType::kI32 && t.dtype != DType::kI64) {
    return ctx.error(ErrorCode::kTypeMismatch, name + " has dtype " +
                                                   std::string(to_string(t.dtype)) +
                                                   ", expected i32 or i64");
  }
  if (t.shape.empty() || static_cast<int>(t.shape.size()) > max_rank) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     name + " has shape " + shape_to_string(t.shape) + ", expected rank 1" +
                         (max_rank > 1 ? " to " + std::to_string(max_rank) : ""));
  }
  const auto& planned = ctx.graph().planned_values;
  const auto it = planned.find(ctx.input_id(i));
  if (it == planned.end()) {
    return ctx.error(ErrorCode::kInternal,
                     name + " is computed at run time and the session planned no value for it");
  }
  if (static_cast<int64_t>(it->second.size()) != t.elements()) {
    return ctx.error(ErrorCode::kShapeMismatch, name + " holds " +
                                                    std::to_string(it->second.size()) +
                                                    " values, its shape says " +
                                                    shape_to_string(t.shape));
  }
  return it->second;
}

Result<int> normalize_axis(const PrepareContext& ctx, int64_t axis, int rank,
                           std::string_view what) {
  if (axis < -rank || axis >= rank) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     std::string(what) + " " + std::to_string(axis) +
                         " is out of range for rank " + std::to_string(rank));
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

Status expect_one_output(const PrepareContext& ctx) {
  if (ctx.num_outputs() != 1 || ctx.output_id(0) < 0) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "expects 1 output, has " +
                         std::to_string(ctx.num_outputs()));
  }
  return Status::ok();
}

}  // namespace opscope::shapes
