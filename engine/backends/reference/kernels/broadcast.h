// Numpy broadcasting of two f32 operands, planned once in prepare() and
// walked in run() with a contiguous inner loop. Used by the binary
// elementwise kernels and PRELU.
//
// Planning drops output dims of size 1 and merges neighbouring dims in which
// a and b broadcast the same way, so [1,H,W,C] + [C] becomes [H*W, C] + [C]
// and is run as "b's block repeats over the outer dim".
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "engine/kernel.h"
#include "engine/tensor.h"

namespace opscope::reference {

// The most dims a broadcast may have after merging (see plan_broadcast).
constexpr int kMaxBroadcastRank = 6;

// How run() walks the operands.
enum class BroadcastKind : uint8_t {
  kFlat,     // equal element order: out[i] = op(a[i], b[i]); also size 0
  kScalarA,  // a has one element
  kScalarB,  // b has one element
  kRepeatA,  // out is [outer, inner]; a is one [inner] block, b is full
  kRepeatB,  // out is [outer, inner]; b is one [inner] block, a is full
  kGeneral,  // strided walk over `rank` merged dims
};

struct BroadcastPlan {
  BroadcastKind kind = BroadcastKind::kFlat;
  int64_t size = 0;  // output elements
  int64_t outer = 0, inner = 0;  // kRepeatA / kRepeatB
  // kGeneral: merged output dims (outermost first, rank >= 2) and element
  // strides of a and b, 0 where that operand broadcasts. In the innermost
  // dim exactly one of the strides may be 0, never both.
  int rank = 0;
  std::array<int64_t, kMaxBroadcastRank> dims{};
  std::array<int64_t, kMaxBroadcastRank> a_strides{};
  std::array<int64_t, kMaxBroadcastRank> b_strides{};
};

// The numpy broadcast of two shapes (right-aligned; each dim pair equal or
// one of them 1). Returns false when they are incompatible or a dim is
// negative.
bool broadcast_shape(const Shape& a, const Shape& b, Shape* out);

// Plans op(a, b) for ctx's node and returns the output shape in *out_shape.
// Errors (kShapeMismatch) name the node and both input shapes.
Status plan_broadcast(const PrepareContext& ctx, const Tensor& a,
                      const Tensor& b, Shape* out_shape, BroadcastPlan* plan);

// plan_broadcast of ctx's inputs 0 and 1 for an f32 op, whose output 0 it
// gives the broadcast shape and dtype f32.
Status plan_broadcast_f32(PrepareContext& ctx, BroadcastPlan* plan);

namespace broadcast_detail {

// The three contiguous inner loops. The project builds with -O2, where GCC
// (12) vectorizes a loop only if the vector code needs neither a runtime
// alias check nor a scalar epilogue. So each loop computes fixed blocks of
// kBlock elements into a local array (nothing can alias it), copies the
// block out, and finishes the tail one by one. Reading a whole block before
// writing it also keeps in-place use (out == a or out == b) correct.
constexpr int64_t kBlock = 8;

template <typename Op>
inline void loop_vv(const float* a, const float* b, float* out, int64_t n,
                    Op op) {
  int64_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    float vo[kBlock];
    for (int64_t j = 0; j < kBlock; ++j) vo[j] = op(a[i + j], b[i + j]);
    std::memcpy(out + i, vo, sizeof(vo));
  }
  for (; i < n; ++i) out[i] = op(a[i], b[i]);
}

template <typename Op>
inline void loop_sv(float a, const float* b, float* out, int64_t n, Op op) {
  int64_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    float vo[kBlock];
    for (int64_t j = 0; j < kBlock; ++j) vo[j] = op(a, b[i + j]);
    std::memcpy(out + i, vo, sizeof(vo));
  }
  for (; i < n; ++i) out[i] = op(a, b[i]);
}

template <typename Op>
inline void loop_vs(const float* a, float b, float* out, int64_t n, Op op) {
  int64_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    float vo[kBlock];
    for (int64_t j = 0; j < kBlock; ++j) vo[j] = op(a[i + j], b);
    std::memcpy(out + i, vo, sizeof(vo));
  }
  for (; i < n; ++i) out[i] = op(a[i], b);
}

}  // namespace broadcast_detail

// out = op(a, b) elementwise per `plan`. Allocates nothing. `out` may alias
// an input only when that input has the output's shape (every element is
// read before it is written at the same index).
template <typename Op>
void broadcast_apply(const BroadcastPlan& plan, const float* a,
                     const float* b, float* out, Op op) {
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
    float* row_out = out + r * n;
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
