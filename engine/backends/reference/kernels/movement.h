// Shared machinery of the dtype-generic data-movement kernels (pad,
// transpose, concatenation, strided slice, depth-to-space, shape ops): the
// output dtype/quantization rule and a strided copy planned in prepare and
// executed in run without allocating.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/kernel.h"

namespace opscope::reference {

// The most dimensions a CopyPlan walks (before simplification).
constexpr int kMaxCopyRank = 8;

// Output 0 gets input 0's dtype; it gets the input's quantization when it has
// none. These kernels move bytes and cannot requantize, so an output whose
// quantization differs from the input's is kTypeMismatch, and so is a
// per-channel quantized input (moving dims would move its channel axis).
Status forward_dtype_and_quantization(PrepareContext& ctx);

// True when both describe the same affine mapping.
bool same_quantization(const Quantization& a, const Quantization& b);

// A strided copy of elements: for every index (i0, ..., i_{r-1}) with
// i_d < count[d], element src[src_base + sum i_d * src_step[d]] goes to
// dst[dst_base + sum i_d * dst_step[d]]. Offsets and steps count elements.
struct CopyPlan {
  int rank = 0;  // 0: nothing to copy (some count is 0)
  std::array<int64_t, kMaxCopyRank> count{};
  std::array<int64_t, kMaxCopyRank> src_step{};
  std::array<int64_t, kMaxCopyRank> dst_step{};
  int64_t src_base = 0;
  int64_t dst_base = 0;
};

// Builds a plan from per-dimension counts and steps (outermost first, at
// most kMaxCopyRank dims; callers check that in prepare). Drops size-1 dims
// and merges dims that are contiguous in both src and dst, so a plain copy
// becomes a single memcpy.
CopyPlan make_copy_plan(const std::vector<int64_t>& count,
                        const std::vector<int64_t>& src_step,
                        const std::vector<int64_t>& dst_step,
                        int64_t src_base = 0, int64_t dst_base = 0);

// Row-major strides (in elements) of a shape.
std::vector<int64_t> row_major_strides(const Shape& shape);

// Executes a plan on elements of `elem_size` bytes. Never allocates.
void run_copy_plan(const CopyPlan& plan, const void* src, void* dst,
                   size_t elem_size);

// Fills n elements of `elem_size` bytes with the element at `value`.
void fill_elements(void* dst, int64_t n, const void* value, size_t elem_size);

// A kernel whose run() is one CopyPlan from input 0 to output 0 (transpose,
// depth-to-space, strided slice). Its prepare() plans the copy and ends with
// set_copy().
class CopyPlanKernel : public Kernel {
 public:
  void run(const RunContext& ctx) override;

 protected:
  // Keeps `plan` (over input 0's elements) for run() and gives output 0
  // `out_shape`.
  void set_copy(PrepareContext& ctx, const CopyPlan& plan, Shape out_shape);

 private:
  int input_id_ = -1;
  int output_id_ = -1;
  size_t elem_size_ = 0;
  CopyPlan plan_;
};

}  // namespace opscope::reference
