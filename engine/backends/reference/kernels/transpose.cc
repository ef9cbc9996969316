// TRANSPOSE, any dtype, rank <= 6: (input, perm const i32/i64), output dim i
// is input dim perm[i]. The copy plan merges dims that stay adjacent, so a
// permutation that only moves size-1 dims (a copy) is one memcpy and e.g.
// NHWC->NCHW walks 3 dims, not 4.
#include <string>
#include <vector>

#include "engine/shapes/int_params.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/movement.h"

namespace opscope::reference {
namespace {

constexpr int kMaxTransposeRank = 6;

class Transpose final : public CopyPlanKernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
    if (!ctx.has_input(0)) {
      return ctx.error(ErrorCode::kInvalidGraph, "input 0 is missing");
    }
    const Shape in = ctx.input(0).shape;
    const int rank = static_cast<int>(in.size());
    if (rank > kMaxTransposeRank) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "input rank " + std::to_string(rank) +
                           " exceeds the supported " +
                           std::to_string(kMaxTransposeRank));
    }
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> perm_values,
                             shapes::read_int_input(ctx, 1, "perm"));
    if (static_cast<int>(perm_values.size()) != rank) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "perm has " + std::to_string(perm_values.size()) +
                           " entries, input " + shape_to_string(in) +
                           " has rank " + std::to_string(rank));
    }
    std::vector<int> perm(rank);
    std::vector<bool> seen(rank, false);
    for (int i = 0; i < rank; ++i) {
      OPSCOPE_ASSIGN_OR_RETURN(
          perm[i], shapes::normalize_axis(ctx, perm_values[i], rank, "perm entry"));
      if (seen[perm[i]]) {
        return ctx.error(ErrorCode::kInvalidArgument,
                         "perm repeats axis " + std::to_string(perm[i]));
      }
      seen[perm[i]] = true;
    }
    OPSCOPE_RETURN_IF_ERROR(forward_dtype_and_quantization(ctx));

    Shape out(rank);
    const std::vector<int64_t> in_strides = row_major_strides(in);
    std::vector<int64_t> src_step(rank);
    for (int i = 0; i < rank; ++i) {
      out[i] = in[perm[i]];
      src_step[i] = in_strides[perm[i]];
    }
    set_copy(ctx, make_copy_plan(out, src_step, row_major_strides(out)), out);
    return Status::ok();
  }
};

}  // namespace

std::unique_ptr<Kernel> make_transpose() {
  return std::make_unique<Transpose>();
}

}  // namespace opscope::reference
