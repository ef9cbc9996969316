// The run-time walk of a broadcast of two operands (f32, or any element
// types the op maps between: comparisons read f32/i32/i64 and write bool), planned once in
// prepare() by the shape rule (shapes::binary_broadcast) with a contiguous
// inner loop. Used by the binary elementwise kernels and PRELU.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "engine/shapes/broadcast.h"

namespace opscope::reference {

// The plan and the shape rule live in engine/shapes/broadcast.h.
using shapes::BroadcastKind;
using shapes::BroadcastPlan;
using shapes::broadcast_shape;
using shapes::kMaxBroadcastRank;
using shapes::plan_broadcast;

namespace broadcast_detail {

// The three contiguous inner loops. The project builds with -O2, where GCC
// (12) vectorizes a loop only if the vector code needs neither a runtime
// alias check nor a scalar epilogue. So each loop computes fixed blocks of
// kBlock elements into a local array (nothing can alias it), copies the
// block out, and finishes the tail one by one. Reading a whole block before
// writing it also keeps in-place use (out == a or out == b) correct.
constexpr int64_t kBlock = 8;

template <typename A, typename B, typename O, typename Op>
inline void loop_vv(const A* a, const B* b, O* out, int64_t n, Op op) {
  int64_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    O vo[kBlock];
    for (int64_t j = 0; j < kBlock; ++j) vo[j] = op(a[i + j], b[i + j]);
    std::memcpy(out + i, vo, sizeof(vo));
  }
  for (; i < n; ++i) out[i] = op(a[i], b[i]);
}

template <typename A, typename B, typename O, typename Op>
inline void loop_sv(A a, const B* b, O* out, int64_t n, Op op) {
  int64_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    O vo[kBlock];
    for (int64_t j = 0; j < kBlock; ++j) vo[j] = op(a, b[i + j]);
    std::memcpy(out + i, vo, sizeof(vo));
  }
  for (; i < n; ++i) out[i] = op(a, b[i]);
}

template <typename A, typename B, typename O, typename Op>
inline void loop_vs(const A* a, B b, O* out, int64_t n, Op op) {
  int64_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    O vo[kBlock];
    for (int64_t j = 0; j < kBlock; ++j) vo[j] = op(a[i + j], b);
    std::memcpy(out + i, vo, sizeof(vo));
  }
  for (; i < n; ++i) out[i] = op(a[i], b);
}

}  // namespace broadcast_detail

// out = op(a, b) elementwise per `plan`. Allocates nothing. `out` may alias
// an input only when that input has the output's shape (every element is
// read before it is written at the same index).
template <typename A, typename B, typename O, typename Op>
void broadcast_apply(const BroadcastPlan& plan, const A* a, const B* b, O* out, Op op) {
  using namespace broadcast_detail;
  switch (plan.kind) {
    case BroadcastKind::kFlat:
      loop_vv(a, b, out, plan.size, op);
      return;
    case BroadcastKind::kScalarA:
      loop_sv(a[0], b, out, plan.size, op);
      return;
    case BroadcastKind::kScalarB:
      loop_vs(a, b[0], out, plan.size, op);
      return;
    case BroadcastKind::kRepeatA:
      for (int64_t o = 0; o < plan.outer; ++o) {
        const int64_t base = o * plan.inner;
        loop_vv(a, b + base, out + base, plan.inner, op);
      }
      return;
    case BroadcastKind::kRepeatB:
      for (int64_t o = 0; o < plan.outer; ++o) {
        const int64_t base = o * plan.inner;
        loop_vv(a + base, b, out + base, plan.inner, op);
      }
      return;
    case BroadcastKind::kGeneral:
      break;
  }

  // An odometer over the outer rank-1 dims; each step runs one contiguous
  // row of the innermost dim.
  const int last = plan.rank - 1;
  const int64_t n = plan.dims[last];
  const int64_t rows = plan.size / n;
  const bool a_row = plan.a_strides[last] != 0;
  const bool b_row = plan.b_strides[last] != 0;
  std::array<int64_t, kMaxBroadcastRank> index{};
  int64_t ia = 0, ib = 0;
  for (int64_t r = 0; r < rows; ++r) {
    O* row_out = out + r * n;
    if (a_row && b_row) {
      loop_vv(a + ia, b + ib, row_out, n, op);
    } else if (a_row) {
      loop_vs(a + ia, b[ib], row_out, n, op);
    } else {
      loop_sv(a[ia], b + ib, row_out, n, op);
    }
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

}  // namespace opscope::reference
