// DEPTH_TO_SPACE, any dtype, NHWC, TFLite's DCR order:
//   out[n, h*b + i, w*b + j, c] = in[n, h, w, (i*b + j)*C_out + c]
// which is a strided gather of the input seen as [N, H, W, b, b, C_out]
// visited in the order N, H, i, W, j, C_out.
#include <string>
#include <vector>

#include "engine/shapes/int_params.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/movement.h"

namespace opscope::reference {
namespace {

class DepthToSpace final : public CopyPlanKernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(0, 4));
    OPSCOPE_ASSIGN_OR_RETURN(const DepthToSpaceAttrs attrs,
                             shapes::node_attrs<DepthToSpaceAttrs>(ctx));
    const int64_t b = attrs.block_size;
    if (b < 1) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "block size " + std::to_string(b) + " must be >= 1");
    }
    const Shape in = ctx.input(0).shape;
    const int64_t n = in[0], h = in[1], w = in[2], c = in[3];
    if (c % (b * b) != 0) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "depth " + std::to_string(c) +
                           " is not divisible by block size squared " +
                           std::to_string(b * b));
    }
    const int64_t oc = c / (b * b);
    OPSCOPE_RETURN_IF_ERROR(forward_dtype_and_quantization(ctx));
    // Input steps of the dims visited in output order N, H, i, W, j, C_out.
    set_copy(ctx,
             make_copy_plan({n, h, b, w, b, oc},
                            {h * w * c, w * c, b * oc, c, oc, 1},
                            row_major_strides({n, h, b, w, b, oc})),
             {n, h * b, w * b, oc});
    return Status::ok();
  }
};

}  // namespace

std::unique_ptr<Kernel> make_depth_to_space() {
  return std::make_unique<DepthToSpace>();
}

}  // namespace opscope::reference
