// Numpy broadcasting of two operands: the shape rule every broadcasting op
// shares (binary elementwise ops, PRELU, BATCH_MATMUL's batch dims) and the
// plan the reference kernels precompute from it (kernels/broadcast.h walks
// it in run()).
//
// Planning drops output dims of size 1 and merges neighbouring dims in which
// a and b broadcast the same way, so [1,H,W,C] + [C] becomes [H*W, C] + [C]
// and is run as "b's block repeats over the outer dim".
#pragma once

#include <array>
#include <cstdint>

#include "engine/kernel.h"
#include "engine/tensor.h"

namespace opscope::shapes {

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

// kShapeMismatch naming the node and both operands: a and b do not
// broadcast.
Status broadcast_error(const PrepareContext& ctx, const Tensor& a, const Tensor& b);

// Plans op(a, b) for ctx's node and returns the output shape in *out_shape.
// Errors (kShapeMismatch) name the node and both input shapes.
Status plan_broadcast(const PrepareContext& ctx, const Tensor& a, const Tensor& b,
                      Shape* out_shape, BroadcastPlan* plan);

}  // namespace opscope::shapes
