#include "engine/shapes/index_bounds.h"

namespace opscope::shapes {

int64_t first_bad_index(const IndexBounds& bounds, const uint8_t* idx) {
  const auto period = static_cast<int64_t>(bounds.sizes.size());
  if (period == 0) return -1;
  for (int64_t k = 0; k < bounds.count; ++k) {
    const int64_t n = bounds.sizes[k % period];
    const int64_t i = read_index(idx, bounds.i64, k);
    if (i < -n || i >= n) return k;
  }
  return -1;
}

std::string describe_bad_index(const IndexBounds& bounds, const uint8_t* idx, int64_t k) {
  const auto j = static_cast<size_t>(k % static_cast<int64_t>(bounds.sizes.size()));
  return "index " + std::to_string(read_index(idx, bounds.i64, k)) + " (element " +
         std::to_string(k) + " of indices '" + bounds.indices_name + "') is out of range for " +
         (bounds.on_axis ? "axis " : "data dim ") + std::to_string(bounds.dims[j]) +
         " of size " + std::to_string(bounds.sizes[j]);
}

Status expect_index_input(PrepareContext& ctx, IndexBounds* bounds) {
  const Tensor& indices = ctx.input(1);
  if (indices.dtype != DType::kI32 && indices.dtype != DType::kI64) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     "indices '" + indices.name + "' have dtype " +
                         std::string(to_string(indices.dtype)) + ", expected i32 or i64");
  }
  bounds->i64 = indices.dtype == DType::kI64;
  bounds->count = num_elements(indices.shape);
  bounds->indices_name = indices.name;
  return Status::ok();
}

Status check_constant_indices(PrepareContext& ctx, const IndexBounds& bounds) {
  const Tensor& indices = ctx.input(1);
  if (!indices.is_constant()) return Status::ok();
  if (indices.bytes() > 0 && (indices.data == nullptr || indices.data_bytes < indices.bytes())) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "constant indices '" + indices.name + "' lack their data");
  }
  const int64_t bad = first_bad_index(bounds, indices.data);
  if (bad >= 0) {
    return ctx.error(ErrorCode::kInvalidArgument, describe_bad_index(bounds, indices.data, bad));
  }
  return Status::ok();
}

}  // namespace opscope::shapes
