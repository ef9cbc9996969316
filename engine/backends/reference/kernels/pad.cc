// PAD / PADV2, any dtype: (input, paddings [rank, 2] i32/i64 const,
// constant_value?). The pad value is the scalar constant_value input when
// given (read at run, so it may be a runtime tensor), else zero, or the
// zero point for a quantized input (the quantized representation of 0.0).
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "engine/backends/reference/kernels/int_params.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/movement.h"

namespace opscope::reference {
namespace {

// The bytes of a zero point stored as one element of `dtype`.
std::array<uint8_t, 8> zero_point_bytes(DType dtype, int64_t zero_point) {
  std::array<uint8_t, 8> bytes{};
  auto put = [&bytes](auto v) { std::memcpy(bytes.data(), &v, sizeof(v)); };
  switch (dtype) {
    case DType::kI8: put(static_cast<int8_t>(zero_point)); break;
    case DType::kU8: put(static_cast<uint8_t>(zero_point)); break;
    case DType::kI32: put(static_cast<int32_t>(zero_point)); break;
    case DType::kI64: put(zero_point); break;
    default: break;  // float dtypes are not affine-quantized: pad with 0
  }
  return bytes;
}

class Pad final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 3));
    OPSCOPE_RETURN_IF_ERROR(expect_one_output(ctx));
    if (!ctx.has_input(0)) {
      return ctx.error(ErrorCode::kInvalidGraph, "input 0 is missing");
    }
    const Tensor& in = ctx.input(0);
    const int rank = static_cast<int>(in.shape.size());
    if (rank > kMaxCopyRank) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "input rank " + std::to_string(rank) +
                           " exceeds the supported " +
                           std::to_string(kMaxCopyRank));
    }
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> pads,
                             read_int_input(ctx, 1, "paddings", 2));
    const Shape& pads_shape = ctx.input(1).shape;
    if (pads_shape.size() != 2 || pads_shape[0] != rank ||
        pads_shape[1] != 2) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "paddings have shape " + shape_to_string(pads_shape) +
                           ", expected " + std::to_string(rank) +
                           "x2 for input " + shape_to_string(in.shape));
    }
    for (int64_t p : pads) {
      if (p < 0) {
        return ctx.error(ErrorCode::kInvalidArgument,
                         "negative padding " + std::to_string(p) +
                             " is not supported");
      }
    }

    value_id_ = -1;
    if (ctx.has_input(2)) {
      const Tensor& v = ctx.input(2);
      if (v.dtype != in.dtype) {
        return ctx.error(ErrorCode::kTypeMismatch,
                         "constant value '" + v.name + "' has dtype " +
                             std::string(to_string(v.dtype)) +
                             ", expected the input's " +
                             std::string(to_string(in.dtype)));
      }
      if (v.elements() != 1) {
        return ctx.error(ErrorCode::kShapeMismatch,
                         "constant value '" + v.name + "' has shape " +
                             shape_to_string(v.shape) + ", expected a scalar");
      }
      value_id_ = ctx.input_id(2);
    }
    OPSCOPE_RETURN_IF_ERROR(forward_dtype_and_quantization(ctx));
    const std::vector<int64_t>& zero_points = in.quantization.zero_points;
    default_value_ =
        zero_point_bytes(in.dtype, zero_points.empty() ? 0 : zero_points[0]);

    Shape out_shape(rank);
    bool any_pad = false;
    for (int d = 0; d < rank; ++d) {
      out_shape[d] = in.shape[d] + pads[2 * d] + pads[2 * d + 1];
      any_pad = any_pad || pads[2 * d] != 0 || pads[2 * d + 1] != 0;
    }
    const std::vector<int64_t> in_strides = row_major_strides(in.shape);
    const std::vector<int64_t> out_strides = row_major_strides(out_shape);
    int64_t dst_base = 0;
    for (int d = 0; d < rank; ++d) dst_base += pads[2 * d] * out_strides[d];
    plan_ = make_copy_plan(in.shape, in_strides, out_strides, 0, dst_base);
    needs_fill_ = any_pad;
    elem_size_ = dtype_size(in.dtype);
    out_elements_ = num_elements(out_shape);
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    ctx.output(0).shape = out_shape;
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    void* y = ctx.data<void>(output_id_);
    if (needs_fill_) {
      const void* value = value_id_ >= 0 ? ctx.data<const void>(value_id_)
                                         : default_value_.data();
      fill_elements(y, out_elements_, value, elem_size_);
    }
    run_copy_plan(plan_, ctx.data<const void>(input_id_), y, elem_size_);
  }

 private:
  int input_id_ = -1;
  int output_id_ = -1;
  int value_id_ = -1;  // the constant_value input, or -1
  std::array<uint8_t, 8> default_value_{};
  bool needs_fill_ = false;
  size_t elem_size_ = 0;
  int64_t out_elements_ = 0;
  CopyPlan plan_;  // input into the interior of the output
};

}  // namespace

std::unique_ptr<Kernel> make_pad() { return std::make_unique<Pad>(); }

}  // namespace opscope::reference
