// CONCATENATION, any dtype, any number of inputs: every input is copied as
// [outer, its axis size * inner] rows into its slot of the output. The fused
// activation applies to f32 only. Quantized inputs must all share the
// output's quantization: the kernel copies bytes and cannot requantize.
#include <string>
#include <vector>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/shapes/int_params.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/movement.h"

namespace opscope::reference {
namespace {

class Concatenation final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    if (ctx.num_inputs() < 1) {
      return ctx.error(ErrorCode::kInvalidGraph, "expects at least 1 input");
    }
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      if (!ctx.has_input(i)) {
        return ctx.error(ErrorCode::kInvalidGraph,
                         "input " + std::to_string(i) + " is missing");
      }
    }
    OPSCOPE_ASSIGN_OR_RETURN(const ConcatenationAttrs attrs,
                             shapes::node_attrs<ConcatenationAttrs>(ctx));
    const Tensor& first = ctx.input(0);
    const int rank = static_cast<int>(first.shape.size());
    OPSCOPE_ASSIGN_OR_RETURN(const int axis,
                             shapes::normalize_axis(ctx, attrs.axis, rank, "axis"));
    if (attrs.activation != Activation::kNone && first.dtype != DType::kF32) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       "a fused activation needs f32 inputs, not " +
                           std::string(to_string(first.dtype)));
    }
    OPSCOPE_RETURN_IF_ERROR(forward_dtype_and_quantization(ctx));
    const Quantization& out_q = ctx.output(0).quantization;

    Shape out_shape = first.shape;
    out_shape[axis] = 0;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& t = ctx.input(i);
      if (t.dtype != first.dtype) {
        return ctx.error(ErrorCode::kTypeMismatch,
                         "input " + std::to_string(i) + " '" + t.name +
                             "' has dtype " + std::string(to_string(t.dtype)) +
                             ", input 0 has " +
                             std::string(to_string(first.dtype)));
      }
      if (!same_quantization(t.quantization, out_q)) {
        return ctx.error(ErrorCode::kTypeMismatch,
                         "input " + std::to_string(i) + " '" + t.name +
                             "' is quantized differently from the output; "
                             "requantizing is not supported");
      }
      bool compatible = static_cast<int>(t.shape.size()) == rank;
      for (int d = 0; compatible && d < rank; ++d) {
        compatible = d == axis || t.shape[d] == first.shape[d];
      }
      if (!compatible) {
        return ctx.error(ErrorCode::kShapeMismatch,
                         "input " + std::to_string(i) + " '" + t.name +
                             "' has shape " + shape_to_string(t.shape) +
                             ", incompatible with " +
                             shape_to_string(first.shape) + " along axis " +
                             std::to_string(axis));
      }
      out_shape[axis] += t.shape[axis];
    }

    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= first.shape[d];
    for (int d = axis + 1; d < rank; ++d) inner *= first.shape[d];
    const int64_t out_row = out_shape[axis] * inner;
    copies_.clear();
    int64_t offset = 0;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const int64_t row = ctx.input(i).shape[axis] * inner;
      copies_.push_back({ctx.input_id(i),
                         make_copy_plan({outer, row}, {row, 1}, {out_row, 1},
                                        0, offset)});
      offset += row;
    }
    elem_size_ = dtype_size(first.dtype);
    activation_ = attrs.activation;
    output_id_ = ctx.output_id(0);
    out_elements_ = num_elements(out_shape);
    ctx.output(0).shape = out_shape;
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    void* y = ctx.data<void>(output_id_);
    for (const Copy& c : copies_) {
      run_copy_plan(c.plan, ctx.data<const void>(c.input_id), y, elem_size_);
    }
    if (activation_ != Activation::kNone) {
      apply_activation(static_cast<float*>(y), out_elements_, activation_);
    }
  }

 private:
  struct Copy {
    int input_id;
    CopyPlan plan;
  };
  std::vector<Copy> copies_;  // one per input, built in prepare
  int output_id_ = -1;
  size_t elem_size_ = 0;
  int64_t out_elements_ = 0;
  Activation activation_ = Activation::kNone;
};

}  // namespace

std::unique_ptr<Kernel> make_concatenation() {
  return std::make_unique<Concatenation>();
}

}  // namespace opscope::reference
