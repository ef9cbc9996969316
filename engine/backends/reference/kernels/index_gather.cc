#include "engine/backends/reference/kernels/index_gather.h"

#include "engine/backends/reference/kernels/int_params.h"

namespace opscope::reference {

Status IndexGatherKernel::prepare_indices(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_one_output(ctx));
  for (int i = 0; i < 2; ++i) {
    if (!ctx.has_input(i)) {
      return ctx.error(ErrorCode::kInvalidGraph, "input " + std::to_string(i) + " is missing");
    }
  }
  const Tensor& indices = ctx.input(1);
  if (indices.dtype != DType::kI32 && indices.dtype != DType::kI64) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     "indices '" + indices.name + "' have dtype " +
                         std::string(to_string(indices.dtype)) + ", expected i32 or i64");
  }
  i64_ = indices.dtype == DType::kI64;
  indices_id_ = ctx.input_id(1);
  indices_name_ = indices.name;
  node_ = describe_node(ctx.graph(), ctx.node_index());
  return Status::ok();
}

Status IndexGatherKernel::check_constant_indices(PrepareContext& ctx) const {
  const Tensor& indices = ctx.input(1);
  if (!indices.is_constant()) return Status::ok();
  if (indices.bytes() > 0 && (indices.data == nullptr || indices.data_bytes < indices.bytes())) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "constant indices '" + indices.name + "' lack their data");
  }
  const int64_t bad = first_bad_index(indices.data);
  if (bad >= 0) return ctx.error(ErrorCode::kInvalidArgument, describe_bad(indices.data, bad));
  return Status::ok();
}

bool IndexGatherKernel::refuse_bad_indices(const RunContext& ctx, const uint8_t* idx,
                                           uint8_t* dst, size_t out_bytes) const {
  const int64_t bad = first_bad_index(idx);
  if (bad < 0) return false;
  if (out_bytes > 0) std::memset(dst, 0, out_bytes);
  ctx.fail(Status(ErrorCode::kInvalidArgument, node_ + ": " + describe_bad(idx, bad)));
  return true;
}

std::string IndexGatherKernel::name_index(const uint8_t* idx, int64_t k) const {
  return "index " + std::to_string(index_at(idx, k)) + " (element " + std::to_string(k) +
         " of indices '" + indices_name_ + "')";
}

}  // namespace opscope::reference
