// FULLY_CONNECTED, f32: output[batch, O] = input[batch, I] * weights[O, I]^T
// (+ bias), one GEMM. Constant weights are packed once in prepare.
#include <vector>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/backends/reference/kernels/gemm.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/linear_ops.h"

namespace opscope::reference {
namespace {

class FullyConnectedF32 final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override;
  void run(const RunContext& ctx) override;

 private:
  int input_id_ = -1, weights_id_ = -1, bias_id_ = -1, output_id_ = -1;
  int64_t batch_ = 0, in_size_ = 0, out_size_ = 0;
  Activation activation_ = Activation::kNone;
  // The packed weights when they are constant; empty when run() packs them.
  std::vector<float> packed_weights_;
  size_t weights_offset_ = 0;  // scratch region for runtime weights
};

Status FullyConnectedF32::prepare(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(expect_f32_op(ctx, 2, 3));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(1, 2));
  const auto& attrs = ctx.node().attr<FullyConnectedAttrs>();
  const Shape& in = ctx.input(0).shape;
  const Shape& weights = ctx.input(1).shape;
  if (in.empty()) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "input " + describe_input(ctx, 0) +
                         " should have rank >= 1");
  }
  in_size_ = weights[1];
  out_size_ = weights[0];
  // TFLite flattens any input whose size is a multiple of I (e.g. an NHWC
  // feature map straight into a classifier); keep_num_dims needs [..., I].
  const int64_t elements = num_elements(in);
  const bool fits = attrs.keep_num_dims ? in.back() == in_size_
                                        : in_size_ > 0 && elements % in_size_ == 0;
  if (!fits) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "weights " + describe_input(ctx, 1) + " take " +
                         std::to_string(in_size_) +
                         " input features but input " +
                         describe_input(ctx, 0) +
                         (attrs.keep_num_dims ? " has " + std::to_string(in.back())
                                              : std::string(" is not a multiple")));
  }
  OPSCOPE_RETURN_IF_ERROR(expect_bias(ctx, 2, out_size_));

  batch_ = in_size_ > 0 ? elements / in_size_ : 0;
  if (attrs.keep_num_dims) {
    Shape out = in;
    out.back() = out_size_;
    ctx.output(0).shape = out;
  } else {
    ctx.output(0).shape = {batch_, out_size_};
  }
  activation_ = attrs.activation;
  input_id_ = ctx.input_id(0);
  weights_id_ = ctx.input_id(1);
  bias_id_ = ctx.has_input(2) ? ctx.input_id(2) : -1;
  output_id_ = ctx.output_id(0);

  // B[i, o] = weights[o, i]: the weights are B transposed.
  ScratchLayout layout;
  packed_weights_.clear();
  if (ctx.input(1).is_constant()) {
    packed_weights_.resize(gemm_packed_b_floats(in_size_, out_size_));
    gemm_pack_b(in_size_, out_size_, ctx.input(1).constant_as<float>(), 1,
                in_size_, packed_weights_.data());
  } else {
    weights_offset_ =
        layout.add_floats(gemm_packed_b_floats(in_size_, out_size_));
  }
  ctx.set_scratch_bytes(layout.bytes());
  return Status::ok();
}

void FullyConnectedF32::run(const RunContext& ctx) {
  const float* bias = bias_id_ >= 0 ? ctx.data<const float>(bias_id_) : nullptr;
  float* output = ctx.data<float>(output_id_);
  const float* weights = packed_weights_.data();
  if (packed_weights_.empty()) {
    float* packed = scratch_floats(ctx, weights_offset_);
    gemm_pack_b(in_size_, out_size_, ctx.data<const float>(weights_id_), 1,
                in_size_, packed);
    weights = packed;
  }
  gemm_packed(batch_, out_size_, in_size_, ctx.data<const float>(input_id_),
              in_size_, weights, bias, output, out_size_,
              activation_range(activation_));
  if (activation_ == Activation::kTanh) {
    apply_activation(output, batch_ * out_size_, Activation::kTanh);
  }
}

}  // namespace

std::unique_ptr<Kernel> make_fully_connected_f32() {
  return std::make_unique<FullyConnectedF32>();
}

}  // namespace opscope::reference
