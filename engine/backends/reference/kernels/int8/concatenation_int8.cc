// CONCATENATION, int8, any number of inputs along any axis. An input quantized
// like the output is copied as bytes; one quantized differently is
// requantized as TFLite's ConcatenationWithScaling does: y = round(x *
// (s_in / s_out) - zp_in * s_in / s_out) + zp_out, in float, saturated. Each
// such input gets a 256-entry table at prepare, which also folds in the
// fused activation's clamp (RELU, RELU6, RELU_N1_TO_1 in the quantized
// domain).
#include <array>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"
#include "engine/shapes/int_params.h"

namespace opscope::reference::int8 {
namespace {

class ConcatenationI8 final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    if (ctx.num_inputs() < 1) {
      return ctx.error(ErrorCode::kInvalidGraph, "expects at least 1 input");
    }
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qout, int8_output_params(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const ConcatenationAttrs attrs,
                             shapes::node_attrs<ConcatenationAttrs>(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const Int8Range range,
                             int8_activation_range(ctx, attrs.activation, qout));
    const Shape& first = ctx.input(0).shape;
    const int rank = static_cast<int>(first.size());
    OPSCOPE_ASSIGN_OR_RETURN(const int axis, shapes::normalize_axis(ctx, attrs.axis, rank, "axis"));
    Shape out_shape = first;
    out_shape[axis] = 0;
    inputs_.clear();
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      OPSCOPE_ASSIGN_OR_RETURN(const QParams q, int8_input_params(ctx, i));
      const Tensor& t = ctx.input(i);
      bool compatible = static_cast<int>(t.shape.size()) == rank;
      for (int d = 0; compatible && d < rank; ++d) {
        compatible = d == axis || t.shape[d] == first[d];
      }
      if (!compatible) {
        return ctx.error(ErrorCode::kShapeMismatch,
                         "input " + std::to_string(i) + " '" + t.name + "' has shape " +
                             shape_to_string(t.shape) + ", incompatible with " +
                             shape_to_string(first) + " along axis " + std::to_string(axis));
      }
      out_shape[axis] += t.shape[axis];
      Input in;
      in.id = ctx.input_id(i);
      in.copy = q.scale == qout.scale && q.zero_point == qout.zero_point &&
                range.min == -128 && range.max == 127;
      // As TFLite: scale and bias in float, rounded half away from zero.
      const float scale = q.scale * (1.0f / qout.scale);
      const float bias = static_cast<float>(-q.zero_point) * scale;
      for (int v = -128; v <= 127; ++v) {
        const float r = std::round(static_cast<float>(v) * scale + bias);
        int32_t y = static_cast<int32_t>(std::fmax(std::fmin(r, 1000.0f), -1000.0f)) +
                    qout.zero_point;
        y = std::min(std::max(y, range.min), range.max);
        in.table[static_cast<uint8_t>(static_cast<int8_t>(v))] = static_cast<int8_t>(y);
      }
      inputs_.push_back(in);
    }
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= first[d];
    for (int d = axis + 1; d < rank; ++d) inner *= first[d];
    outer_ = outer;
    out_row_ = out_shape[axis] * inner;
    int64_t offset = 0;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      inputs_[i].row = ctx.input(i).shape[axis] * inner;
      inputs_[i].offset = offset;
      offset += inputs_[i].row;
    }
    output_id_ = ctx.output_id(0);
    ctx.output(0).shape = out_shape;
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    int8_t* y = ctx.data<int8_t>(output_id_);
    for (const Input& in : inputs_) {
      const int8_t* x = ctx.data<const int8_t>(in.id);
      for (int64_t o = 0; o < outer_; ++o) {
        const int8_t* src = x + o * in.row;
        int8_t* dst = y + o * out_row_ + in.offset;
        if (in.copy) {
          if (in.row > 0) std::memcpy(dst, src, static_cast<size_t>(in.row));
        } else {
          for (int64_t j = 0; j < in.row; ++j) dst[j] = in.table[static_cast<uint8_t>(src[j])];
        }
      }
    }
  }

 private:
  struct Input {
    int id = -1;
    int64_t row = 0;     // elements per outer index
    int64_t offset = 0;  // where its row starts in an output row
    bool copy = true;    // same quantization as the output, no clamp
    std::array<int8_t, 256> table{};  // by the input byte (uint8 view)
  };
  std::vector<Input> inputs_;
  int64_t outer_ = 1, out_row_ = 0;
  int output_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_concatenation_i8() {
  return std::make_unique<ConcatenationI8>();
}

}  // namespace opscope::reference::int8
