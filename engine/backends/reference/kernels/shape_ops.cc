// RESHAPE, SQUEEZE and EXPAND_DIMS, any dtype: the bytes stay as they are,
// only the shape changes (run is one memcpy, skipped when the planner made
// the output share the input's buffer).
#include <cstring>
#include <string>
#include <vector>

#include "engine/shapes/int_params.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/movement.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

// Shared by the three ops: the output shape is the op's shape rule
// (engine/shapes/movement_shapes.cc).
class ShapeOnly : public Kernel {
 public:
  explicit ShapeOnly(Status (*shape_rule)(PrepareContext&)) : shape_rule_(shape_rule) {}

  Status prepare(PrepareContext& ctx) final {
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
    if (!ctx.has_input(0)) {
      return ctx.error(ErrorCode::kInvalidGraph, "input 0 is missing");
    }
    OPSCOPE_RETURN_IF_ERROR(shape_rule_(ctx));
    OPSCOPE_RETURN_IF_ERROR(forward_dtype_and_quantization(ctx));
    bytes_ = ctx.input(0).bytes();
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) final {
    const void* x = ctx.data<const void>(input_id_);
    void* y = ctx.data<void>(output_id_);
    if (x != y && bytes_ > 0) std::memcpy(y, x, bytes_);
  }

 private:
  Status (*shape_rule_)(PrepareContext&);
  int input_id_ = -1;
  int output_id_ = -1;
  size_t bytes_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> make_reshape() {
  return std::make_unique<ShapeOnly>(shapes::reshape);
}
std::unique_ptr<Kernel> make_squeeze() {
  return std::make_unique<ShapeOnly>(shapes::squeeze);
}
std::unique_ptr<Kernel> make_expand_dims() {
  return std::make_unique<ShapeOnly>(shapes::expand_dims);
}

}  // namespace opscope::reference
