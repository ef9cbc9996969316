// The int8 walk of a BroadcastPlan (../broadcast.h), for the int8 binary
// kernels: out[i] = op(a[...], b[...]) in the plan's order. Allocates
// nothing. The per-element op is a full requantization, so no effort is made
// to vectorize the walk itself.
#pragma once

#include <array>
#include <cstdint>

#include "engine/backends/reference/kernels/broadcast.h"

namespace opscope::reference::int8 {

template <typename Op>
void broadcast_apply_i8(const BroadcastPlan& plan, const int8_t* a, const int8_t* b,
                        int8_t* out, const Op& op) {
  switch (plan.kind) {
    case BroadcastKind::kFlat:
      for (int64_t i = 0; i < plan.size; ++i) out[i] = op(a[i], b[i]);
      return;
    case BroadcastKind::kScalarA:
      for (int64_t i = 0; i < plan.size; ++i) out[i] = op(a[0], b[i]);
      return;
    case BroadcastKind::kScalarB:
      for (int64_t i = 0; i < plan.size; ++i) out[i] = op(a[i], b[0]);
      return;
    case BroadcastKind::kRepeatA:
      for (int64_t o = 0; o < plan.outer; ++o) {
        const int64_t base = o * plan.inner;
        for (int64_t i = 0; i < plan.inner; ++i) out[base + i] = op(a[i], b[base + i]);
      }
      return;
    case BroadcastKind::kRepeatB:
      for (int64_t o = 0; o < plan.outer; ++o) {
        const int64_t base = o * plan.inner;
        for (int64_t i = 0; i < plan.inner; ++i) out[base + i] = op(a[base + i], b[i]);
      }
      return;
    case BroadcastKind::kGeneral:
      break;
  }
  // An odometer over the outer rank-1 dims; each step runs one row of the
  // innermost dim with the operands' own strides there.
  const int last = plan.rank - 1;
  const int64_t n = plan.dims[last];
  const int64_t rows = plan.size / n;
  const int64_t sa = plan.a_strides[last], sb = plan.b_strides[last];
  std::array<int64_t, kMaxBroadcastRank> index{};
  int64_t ia = 0, ib = 0;
  for (int64_t r = 0; r < rows; ++r) {
    int8_t* row_out = out + r * n;
    for (int64_t i = 0; i < n; ++i) row_out[i] = op(a[ia + i * sa], b[ib + i * sb]);
    for (int d = last - 1; d >= 0; --d) {
      ia += plan.a_strides[d];
      ib += plan.b_strides[d];
      if (++index[d] < plan.dims[d]) break;
      ia -= plan.a_strides[d] * plan.dims[d];
      ib -= plan.b_strides[d] * plan.dims[d];
      index[d] = 0;
    }
  }
}

}  // namespace opscope::reference::int8
