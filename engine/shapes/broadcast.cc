#include "engine/shapes/broadcast.h"

#include <algorithm>
#include <string>
#include <vector>

namespace opscope::shapes {
namespace {

// One merged output dim and whether each operand broadcasts along it.
struct MergedDim {
  int64_t size;
  bool a_broadcast;
  bool b_broadcast;
};

// The dim of `shape` that lines up with output dim `d` of an output of rank
// `rank` (numpy aligns shapes on the right); 1 where `shape` has no dim.
int64_t aligned_dim(const Shape& shape, size_t rank, size_t d) {
  const size_t missing = rank - shape.size();
  return d < missing ? 1 : shape[d - missing];
}

std::vector<MergedDim> merge_dims(const Shape& a, const Shape& b,
                                  const Shape& out) {
  std::vector<MergedDim> merged;
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 1) continue;  // contributes no stride to anyone
    // out[d] != 1, so an operand dim of 1 means that operand broadcasts.
    const bool a_bc = aligned_dim(a, out.size(), d) == 1;
    const bool b_bc = aligned_dim(b, out.size(), d) == 1;
    if (!merged.empty() && merged.back().a_broadcast == a_bc &&
        merged.back().b_broadcast == b_bc) {
      merged.back().size *= out[d];
    } else {
      merged.push_back({out[d], a_bc, b_bc});
    }
  }
  return merged;
}

}  // namespace

Status broadcast_error(const PrepareContext& ctx, const Tensor& a, const Tensor& b) {
  return ctx.error(ErrorCode::kShapeMismatch,
                   "cannot broadcast shapes " + shape_to_string(a.shape) + " ('" + a.name +
                       "') and " + shape_to_string(b.shape) + " ('" + b.name + "')");
}

bool broadcast_shape(const Shape& a, const Shape& b, Shape* out) {
  const size_t rank = std::max(a.size(), b.size());
  Shape result(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t da = aligned_dim(a, rank, d);
    const int64_t db = aligned_dim(b, rank, d);
    if (da < 0 || db < 0) return false;
    if (da == db || db == 1) {
      result[d] = da;
    } else if (da == 1) {
      result[d] = db;
    } else {
      return false;
    }
  }
  *out = std::move(result);
  return true;
}

Status plan_broadcast(const PrepareContext& ctx, const Tensor& a,
                      const Tensor& b, Shape* out_shape, BroadcastPlan* plan) {
  Shape out;
  if (!broadcast_shape(a.shape, b.shape, &out)) return broadcast_error(ctx, a, b);
  BroadcastPlan p;
  p.size = num_elements(out);
  const std::vector<MergedDim> merged = merge_dims(a.shape, b.shape, out);
  bool any_broadcast = false;
  for (const MergedDim& m : merged) {
    any_broadcast = any_broadcast || m.a_broadcast || m.b_broadcast;
  }

  if (p.size == 0 || !any_broadcast) {
    p.kind = BroadcastKind::kFlat;
  } else if (merged.size() == 1) {
    // One merged dim in which exactly one operand broadcasts.
    p.kind = merged[0].a_broadcast ? BroadcastKind::kScalarA
                                   : BroadcastKind::kScalarB;
  } else if (merged.size() == 2 && !merged[1].a_broadcast &&
             !merged[1].b_broadcast) {
    // [outer, inner] where one operand is a single [inner] block.
    p.kind = merged[0].a_broadcast ? BroadcastKind::kRepeatA
                                   : BroadcastKind::kRepeatB;
    p.outer = merged[0].size;
    p.inner = merged[1].size;
  } else {
    if (merged.size() > static_cast<size_t>(kMaxBroadcastRank)) {
      return ctx.error(ErrorCode::kUnsupportedOp,
                       "broadcast of " + shape_to_string(a.shape) + " and " +
                           shape_to_string(b.shape) + " needs " +
                           std::to_string(merged.size()) +
                           " dims after merging, at most " +
                           std::to_string(kMaxBroadcastRank) +
                           " are supported");
    }
    p.kind = BroadcastKind::kGeneral;
    p.rank = static_cast<int>(merged.size());
    int64_t a_stride = 1, b_stride = 1;
    for (int d = p.rank - 1; d >= 0; --d) {
      const MergedDim& m = merged[d];
      p.dims[d] = m.size;
      p.a_strides[d] = m.a_broadcast ? 0 : a_stride;
      p.b_strides[d] = m.b_broadcast ? 0 : b_stride;
      if (!m.a_broadcast) a_stride *= m.size;
      if (!m.b_broadcast) b_stride *= m.size;
    }
  }
  *out_shape = std::move(out);
  *plan = p;
  return Status::ok();
}

}  // namespace opscope::shapes
