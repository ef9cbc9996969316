// PAD / PADV2 / ONNX Pad, any dtype: (input, paddings [rank, 2] i32/i64,
// constant_value?) with PadAttrs (none: constant mode). The paddings are
// constant, or computed at run time (ONNX Pad's pads input): then planned
// with the session's values and compared with the tensor every run.
// Constant mode: the pad value is the scalar constant_value input when
// given (read at run, so it may be a runtime tensor), else zero, or the
// zero point for a quantized input (the quantized representation of 0.0).
// Reflect, symmetric and edge modes copy input elements: every output index
// along a dim maps to an input index (a table per dim built in prepare),
// and run copies element by element through those tables.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "engine/shapes/int_params.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/movement.h"
#include "engine/value_operands.h"

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

// The input index along a dim of `n` elements that output index `i`
// (already shifted by the leading pad, so it may be < 0 or >= n) reads.
// Mirroring is periodic, so pads wider than the input keep mirroring.
int64_t mirrored_index(PadMode mode, int64_t i, int64_t n) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case PadMode::kEdge: return std::clamp<int64_t>(i, 0, n - 1);
    case PadMode::kReflect: {  // ... 2 1 | 0 1 2 3 | 2 1 0 1 ...
      if (n == 1) return 0;
      const int64_t period = 2 * (n - 1);
      const int64_t k = ((i % period) + period) % period;
      return k < n ? k : period - k;
    }
    case PadMode::kSymmetric: {  // ... 1 0 | 0 1 2 3 | 3 2 1 0 0 ...
      const int64_t period = 2 * n;
      const int64_t k = ((i % period) + period) % period;
      return k < n ? k : period - 1 - k;
    }
    case PadMode::kConstant: break;
  }
  return 0;
}

class Pad final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 3));
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
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
                             shapes::read_int_operand(ctx, 1, "paddings", 2));
    // Paddings computed at run time: planned with these values, checked
    // every run (other values: another output shape, another plan).
    pads_id_ = -1;
    if (!ctx.input(1).is_constant()) {
      pads_ = ctx.input(1);
      pads_id_ = ctx.input_id(1);
      planned_ = pads;
      now_ = pads;  // sized now, so run never allocates
      label_ = describe_node(ctx.graph(), ctx.node_index());
    }
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
    const auto* pad_attrs = std::get_if<PadAttrs>(&ctx.node().attrs);
    mode_ = pad_attrs ? pad_attrs->mode : PadMode::kConstant;
    if (mode_ != PadMode::kConstant && ctx.has_input(2)) {
      return ctx.error(ErrorCode::kInvalidGraph,
                       "a constant value input is only for constant mode");
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
    if (mode_ != PadMode::kConstant) {
      OPSCOPE_RETURN_IF_ERROR(plan_mirror(ctx, in.shape, out_shape, pads));
    }
    elem_size_ = dtype_size(in.dtype);
    out_elements_ = num_elements(out_shape);
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    ctx.output(0).shape = out_shape;
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    void* y = ctx.data<void>(output_id_);
    if (pads_id_ >= 0) {
      read_int_buffer_into(pads_, ctx.data<const void>(pads_id_), &now_);
      if (now_ != planned_) {
        // The session re-plans and runs again; nothing here is read.
        const size_t bytes = static_cast<size_t>(out_elements_) * elem_size_;
        if (bytes > 0) std::memset(y, 0, bytes);
        ctx.fail(Status(ErrorCode::kShapeChanged,
                        label_ + ": run-time " + pads_.name + " differs from the planned values"));
        return;
      }
    }
    if (mode_ != PadMode::kConstant) {
      run_mirror(ctx.data<const uint8_t>(input_id_), static_cast<uint8_t*>(y));
      return;
    }
    if (needs_fill_) {
      const void* value = value_id_ >= 0 ? ctx.data<const void>(value_id_)
                                         : default_value_.data();
      fill_elements(y, out_elements_, value, elem_size_);
    }
    run_copy_plan(plan_, ctx.data<const void>(input_id_), y, elem_size_);
  }

 private:
  // The per-dim source tables of the non-constant modes.
  Status plan_mirror(const PrepareContext& ctx, const Shape& in, const Shape& out,
                     const std::vector<int64_t>& pads) {
    const int rank = static_cast<int>(in.size());
    for (int d = 0; d < rank; ++d) {
      if (in[d] == 0 && out[d] > 0) {
        return ctx.error(ErrorCode::kShapeMismatch,
                         "input " + shape_to_string(in) +
                             " has an empty dim to pad from in this mode");
      }
    }
    rank_ = rank;
    out_dims_ = out;
    in_strides_ = row_major_strides(in);
    source_.assign(rank, {});
    for (int d = 0; d < rank; ++d) {
      source_[d].resize(static_cast<size_t>(out[d]));
      for (int64_t o = 0; o < out[d]; ++o) {
        source_[d][o] = mirrored_index(mode_, o - pads[2 * d], in[d]);
      }
    }
    return Status::ok();
  }

  // Walks the output in order with an odometer over its dims.
  void run_mirror(const uint8_t* x, uint8_t* y) const {
    if (rank_ == 0) {
      std::memcpy(y, x, elem_size_);
      return;
    }
    for (int d = 0; d < rank_; ++d) {
      if (out_dims_[d] == 0) return;
    }
    std::array<int64_t, kMaxCopyRank> idx{};
    const int inner = rank_ - 1;
    const std::vector<int64_t>& inner_src = source_[inner];
    const int64_t inner_n = out_dims_[inner];
    while (true) {
      int64_t base = 0;  // input offset of the row, in elements
      for (int d = 0; d < inner; ++d) base += source_[d][idx[d]] * in_strides_[d];
      for (int64_t o = 0; o < inner_n; ++o) {
        std::memcpy(y, x + (base + inner_src[o]) * static_cast<int64_t>(elem_size_), elem_size_);
        y += elem_size_;
      }
      int d = inner - 1;
      while (d >= 0 && ++idx[d] == out_dims_[d]) idx[d--] = 0;
      if (d < 0) return;
    }
  }

  int input_id_ = -1;
  int output_id_ = -1;
  PadMode mode_ = PadMode::kConstant;
  int rank_ = 0;
  Shape out_dims_;
  std::vector<int64_t> in_strides_;
  std::vector<std::vector<int64_t>> source_;  // per dim: output -> input index
  int value_id_ = -1;  // the constant_value input, or -1
  std::array<uint8_t, 8> default_value_{};
  bool needs_fill_ = false;
  size_t elem_size_ = 0;
  int64_t out_elements_ = 0;
  CopyPlan plan_;  // input into the interior of the output
  // Paddings computed at run time: the tensor, the values planned with,
  // the values of this run; pads_id_ -1 when constant.
  Tensor pads_;
  int pads_id_ = -1;
  std::vector<int64_t> planned_, now_;
  std::string label_;  // the node, for messages
};

}  // namespace

std::unique_ptr<Kernel> make_pad() { return std::make_unique<Pad>(); }

}  // namespace opscope::reference
