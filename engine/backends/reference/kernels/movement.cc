#include "engine/backends/reference/kernels/movement.h"

#include <cassert>
#include <cstring>
#include <string>
#include <utility>

namespace opscope::reference {

Status forward_dtype_and_quantization(PrepareContext& ctx) {
  const Tensor& in = ctx.input(0);
  Tensor& out = ctx.output(0);
  if (in.quantization.per_channel()) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     "input '" + in.name +
                         "' is per-channel quantized; moving its bytes would "
                         "move the channel axis, which is not supported");
  }
  out.dtype = in.dtype;
  if (out.quantization.empty()) {
    out.quantization = in.quantization;
  } else if (!same_quantization(out.quantization, in.quantization)) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     "output '" + out.name +
                         "' has a quantization different from input '" +
                         in.name + "'; this kernel copies bytes and cannot "
                         "requantize");
  }
  return Status::ok();
}

bool same_quantization(const Quantization& a, const Quantization& b) {
  return a.scales == b.scales && a.zero_points == b.zero_points &&
         (a.empty() || a.axis == b.axis);
}

std::vector<int64_t> row_major_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int d = static_cast<int>(shape.size()) - 2; d >= 0; --d) {
    strides[d] = strides[d + 1] * shape[d + 1];
  }
  return strides;
}

CopyPlan make_copy_plan(const std::vector<int64_t>& count,
                        const std::vector<int64_t>& src_step,
                        const std::vector<int64_t>& dst_step,
                        int64_t src_base, int64_t dst_base) {
  assert(count.size() == src_step.size() && count.size() == dst_step.size());
  assert(count.size() <= static_cast<size_t>(kMaxCopyRank));
  CopyPlan plan;
  plan.src_base = src_base;
  plan.dst_base = dst_base;
  for (int64_t c : count) {
    if (c == 0) return plan;  // rank 0: nothing to copy
  }
  // Walk outermost to innermost, keeping only dims of size > 1 and folding a
  // dim into the previous kept one when the pair is contiguous on both sides.
  int r = 0;
  for (size_t d = 0; d < count.size(); ++d) {
    if (count[d] == 1) continue;
    if (r > 0 && plan.src_step[r - 1] == src_step[d] * count[d] &&
        plan.dst_step[r - 1] == dst_step[d] * count[d]) {
      plan.count[r - 1] *= count[d];
      plan.src_step[r - 1] = src_step[d];
      plan.dst_step[r - 1] = dst_step[d];
      continue;
    }
    plan.count[r] = count[d];
    plan.src_step[r] = src_step[d];
    plan.dst_step[r] = dst_step[d];
    ++r;
  }
  if (r == 0) {  // a single element
    plan.count[0] = 1;
    plan.src_step[0] = 1;
    plan.dst_step[0] = 1;
    r = 1;
  }
  plan.rank = r;
  return plan;
}

namespace {

// kSize is the element size when known at compile time (0: use `size`).
// Elements are moved with memcpy: constant inputs may be unaligned, and a
// fixed-size memcpy compiles to a plain load and store.
template <size_t kSize>
void run_sized(const CopyPlan& plan, const uint8_t* src, uint8_t* dst,
               size_t size) {
  const size_t e = kSize != 0 ? kSize : size;
  // Signed, so a negative step (a reversed slice) gives a negative offset,
  // not a wrapped unsigned one (pointer overflow: UB).
  const int64_t es = static_cast<int64_t>(e);
  const int inner = plan.rank - 1;
  const int64_t n = plan.count[inner];
  const int64_t si = plan.src_step[inner];
  const int64_t di = plan.dst_step[inner];
  std::array<int64_t, kMaxCopyRank> index{};
  int64_t s = plan.src_base;
  int64_t d = plan.dst_base;
  while (true) {
    const uint8_t* sp = src + s * es;
    uint8_t* dp = dst + d * es;
    if (si == 1 && di == 1) {
      std::memcpy(dp, sp, static_cast<size_t>(n) * e);
    } else {
      for (int64_t i = 0; i < n; ++i) {
        std::memcpy(dp + i * di * es, sp + i * si * es, e);
      }
    }
    // Advance the odometer over the outer dims.
    int k = inner - 1;
    for (; k >= 0; --k) {
      s += plan.src_step[k];
      d += plan.dst_step[k];
      if (++index[k] < plan.count[k]) break;
      s -= plan.src_step[k] * plan.count[k];
      d -= plan.dst_step[k] * plan.count[k];
      index[k] = 0;
    }
    if (k < 0) return;
  }
}

template <size_t kSize>
void fill_sized(uint8_t* dst, int64_t n, const void* value, size_t size) {
  const size_t e = kSize != 0 ? kSize : size;
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(dst + i * e, value, kSize != 0 ? kSize : e);
  }
}

}  // namespace

void run_copy_plan(const CopyPlan& plan, const void* src, void* dst,
                   size_t elem_size) {
  if (plan.rank == 0) return;
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  switch (elem_size) {
    case 1: run_sized<1>(plan, s, d, 1); return;
    case 2: run_sized<2>(plan, s, d, 2); return;
    case 4: run_sized<4>(plan, s, d, 4); return;
    case 8: run_sized<8>(plan, s, d, 8); return;
    default: run_sized<0>(plan, s, d, elem_size); return;
  }
}

void fill_elements(void* dst, int64_t n, const void* value, size_t elem_size) {
  auto* d = static_cast<uint8_t*>(dst);
  switch (elem_size) {
    case 1: fill_sized<1>(d, n, value, 1); return;
    case 2: fill_sized<2>(d, n, value, 2); return;
    case 4: fill_sized<4>(d, n, value, 4); return;
    case 8: fill_sized<8>(d, n, value, 8); return;
    default: fill_sized<0>(d, n, value, elem_size); return;
  }
}

void CopyPlanKernel::set_copy(PrepareContext& ctx, const CopyPlan& plan,
                              Shape out_shape) {
  plan_ = plan;
  elem_size_ = dtype_size(ctx.input(0).dtype);
  input_id_ = ctx.input_id(0);
  output_id_ = ctx.output_id(0);
  ctx.output(0).shape = std::move(out_shape);
}

void CopyPlanKernel::run(const RunContext& ctx) {
  run_copy_plan(plan_, ctx.data<const void>(input_id_),
                ctx.data<void>(output_id_), elem_size_);
}

}  // namespace opscope::reference
