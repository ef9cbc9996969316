// RESHAPE, SQUEEZE and EXPAND_DIMS, any dtype: the bytes stay as they are,
// only the shape changes (run is one memcpy, skipped when the planner made
// the output share the input's buffer).
#include <cstring>
#include <string>
#include <vector>

#include "engine/backends/reference/kernels/int_params.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/movement.h"

namespace opscope::reference {
namespace {

// Shared by the three ops: subclasses compute the output shape.
class ShapeOnly : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) final {
    OPSCOPE_RETURN_IF_ERROR(expect_one_output(ctx));
    if (!ctx.has_input(0)) {
      return ctx.error(ErrorCode::kInvalidGraph, "input 0 is missing");
    }
    OPSCOPE_ASSIGN_OR_RETURN(Shape out_shape, output_shape(ctx));
    const Shape& in_shape = ctx.input(0).shape;
    if (num_elements(out_shape) != num_elements(in_shape)) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "output shape " + shape_to_string(out_shape) + " has " +
                           std::to_string(num_elements(out_shape)) +
                           " elements, input " + shape_to_string(in_shape) +
                           " has " + std::to_string(num_elements(in_shape)));
    }
    OPSCOPE_RETURN_IF_ERROR(forward_dtype_and_quantization(ctx));
    ctx.output(0).shape = std::move(out_shape);
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

 protected:
  // Checks the inputs and attributes and returns the output shape.
  virtual Result<Shape> output_shape(PrepareContext& ctx) = 0;

 private:
  int input_id_ = -1;
  int output_id_ = -1;
  size_t bytes_ = 0;
};

// The new shape comes from ReshapeAttrs, or, when that is empty, from the
// constant second input; with neither, the output is a scalar. At most one
// -1 entry, resolved from the element count.
class Reshape final : public ShapeOnly {
 protected:
  Result<Shape> output_shape(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 2));
    const ReshapeAttrs* attrs = std::get_if<ReshapeAttrs>(&ctx.node().attrs);
    Shape shape;
    if (attrs != nullptr && !attrs->new_shape.empty()) {
      shape = attrs->new_shape;
    } else if (ctx.has_input(1)) {
      OPSCOPE_ASSIGN_OR_RETURN(shape, read_int_input(ctx, 1, "shape"));
    }
    const int64_t in_elements = ctx.input(0).elements();
    int unknown = -1;
    int64_t known = 1;
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] == -1) {
        if (unknown >= 0) {
          return ctx.error(ErrorCode::kInvalidArgument,
                           "new shape " + shape_to_string(shape) +
                               " has more than one -1");
        }
        unknown = static_cast<int>(d);
      } else if (shape[d] < 0) {
        return ctx.error(ErrorCode::kInvalidArgument,
                         "new shape has negative dimension " +
                             std::to_string(shape[d]));
      } else {
        known *= shape[d];
      }
    }
    if (unknown >= 0) {
      if (known == 0 || in_elements % known != 0) {
        return ctx.error(ErrorCode::kShapeMismatch,
                         "cannot resolve -1 in new shape " +
                             shape_to_string(shape) + " for input " +
                             shape_to_string(ctx.input(0).shape));
      }
      shape[unknown] = in_elements / known;
    }
    return shape;
  }
};

// Removes the listed size-1 dims (negative axes allowed), or every size-1
// dim when the list is empty.
class Squeeze final : public ShapeOnly {
 protected:
  Result<Shape> output_shape(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
    OPSCOPE_ASSIGN_OR_RETURN(const SqueezeAttrs attrs,
                             node_attrs<SqueezeAttrs>(ctx));
    const Shape& in = ctx.input(0).shape;
    const int rank = static_cast<int>(in.size());
    std::vector<bool> drop(rank, attrs.axes.empty());
    for (int axis : attrs.axes) {
      OPSCOPE_ASSIGN_OR_RETURN(const int a,
                               normalize_axis(ctx, axis, rank, "axis"));
      if (in[a] != 1) {
        return ctx.error(ErrorCode::kShapeMismatch,
                         "cannot squeeze axis " + std::to_string(axis) +
                             " of size " + std::to_string(in[a]) +
                             " in input " + shape_to_string(in));
      }
      drop[a] = true;
    }
    Shape out;
    for (int d = 0; d < rank; ++d) {
      if (!(drop[d] && in[d] == 1)) out.push_back(in[d]);
    }
    return out;
  }
};

// Inserts a size-1 dim at `axis` in [-(rank+1), rank].
class ExpandDims final : public ShapeOnly {
 protected:
  Result<Shape> output_shape(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> axis,
                             read_int_input(ctx, 1, "axis"));
    if (axis.size() != 1) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "axis input must hold one value, has " +
                           std::to_string(axis.size()));
    }
    Shape out = ctx.input(0).shape;
    const int out_rank = static_cast<int>(out.size()) + 1;
    OPSCOPE_ASSIGN_OR_RETURN(const int a,
                             normalize_axis(ctx, axis[0], out_rank, "axis"));
    out.insert(out.begin() + a, 1);
    return out;
  }
};

}  // namespace

std::unique_ptr<Kernel> make_reshape() { return std::make_unique<Reshape>(); }
std::unique_ptr<Kernel> make_squeeze() { return std::make_unique<Squeeze>(); }
std::unique_ptr<Kernel> make_expand_dims() {
  return std::make_unique<ExpandDims>();
}

}  // namespace opscope::reference
