#include "engine/backends/reference/kernels/index_gather.h"

#include <cstring>
#include <utility>

namespace opscope::reference {

void IndexGatherKernel::prepare_indices(PrepareContext& ctx, shapes::IndexBounds bounds) {
  bounds_ = std::move(bounds);
  indices_id_ = ctx.input_id(1);
  node_ = describe_node(ctx.graph(), ctx.node_index());
}

bool IndexGatherKernel::refuse_bad_indices(const RunContext& ctx, const uint8_t* idx,
                                           uint8_t* dst, size_t out_bytes) const {
  const int64_t bad = shapes::first_bad_index(bounds_, idx);
  if (bad < 0) return false;
  if (out_bytes > 0) std::memset(dst, 0, out_bytes);
  ctx.fail(Status(ErrorCode::kInvalidArgument,
                  node_ + ": " + shapes::describe_bad_index(bounds_, idx, bad)));
  return true;
}

}  // namespace opscope::reference
