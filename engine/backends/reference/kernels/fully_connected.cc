// FULLY_CONNECTED, f32: output[batch, O] = input[batch, I] * weights[O, I]^T
// (+ bias), one GEMM. Constant weights are packed once in prepare.
#include <vector>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/backends/reference/kernels/gemm.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/linear_ops.h"
#include "engine/shapes/shape_rules.h"

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
  OPSCOPE_ASSIGN_OR_RETURN(const shapes::FullyConnectedGeometry g,
                           shapes::fully_connected_geometry(ctx));
  const auto& attrs = ctx.node().attr<FullyConnectedAttrs>();
  batch_ = g.batch;
  in_size_ = g.in_size;
  out_size_ = g.out_size;
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
