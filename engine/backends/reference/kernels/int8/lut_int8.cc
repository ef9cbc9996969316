// LOGISTIC and HARD_SWISH, int8: a 256-entry table built at prepare, as
// TFLite's int8 LUT kernels build it (PopulateLookupTable): for every input
// value q, y = saturate(round(f(s_in * (q - zp_in)) / s_out) + zp_out),
// computed in float. run() is one table lookup per element.
//
// LOGISTIC keeps TFLite's int8 contract: its output has scale 1/256 and zero
// point -128 (the model must say so). HARD_SWISH is x * relu6(x + 3) / 6
// with any output quantization; TFLite computes it in fixed point instead,
// which can differ from the table by 1 LSB (docs/engine.md).
#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/backends/reference/kernels/int8/lut_table.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"

namespace opscope::reference::int8 {
namespace {

float apply(LutOp op, float x) {
  switch (op) {
    case LutOp::kLogistic:
      return 1.0f / (1.0f + std::exp(-x));
    case LutOp::kHardSwish:
      return x * std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f;
  }
  return x;
}

template <LutOp kOp>
class LutI8 final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(prepare_int8_lut(ctx, kOp, &table_));
    size_ = ctx.input(0).elements();
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const int8_t* x = ctx.data<const int8_t>(input_id_);
    int8_t* y = ctx.data<int8_t>(output_id_);
    for (int64_t i = 0; i < size_; ++i) y[i] = table_[static_cast<uint8_t>(x[i])];
  }

 private:
  std::array<int8_t, 256> table_{};  // by the input byte (uint8 view)
  int64_t size_ = 0;
  int input_id_ = -1, output_id_ = -1;
};

}  // namespace

Status prepare_int8_lut(PrepareContext& ctx, LutOp op, std::array<int8_t, 256>* table) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
  OPSCOPE_ASSIGN_OR_RETURN(const QParams qin, int8_input_params(ctx, 0));
  OPSCOPE_ASSIGN_OR_RETURN(const QParams qout, int8_output_params(ctx));
  if (op == LutOp::kLogistic && (qout.scale != 1.0f / 256.0f || qout.zero_point != -128)) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     "int8 LOGISTIC output must have scale 1/256 and zero point -128 "
                     "(TFLite's int8 contract), has scale " +
                         std::to_string(qout.scale) + " and zero point " +
                         std::to_string(qout.zero_point));
  }
  if (is_float_requantization(ctx.node().requantization)) {
    // ONNX Runtime's values (an op made by QDQ fusion, graph.h): ORT runs
    // HardSwish as DequantizeLinear -> HardSigmoid(alpha = 1/6 as a float,
    // beta = 1/2) -> Mul -> QuantizeLinear in float (no fused multiply-add:
    // this file is compiled with -ffp-contract=off) and Sigmoid through a
    // table of the same steps; QuantizeLinear divides by the scale and
    // rounds half to even.
    for (int32_t v = -128; v <= 127; ++v) {
      const float x = static_cast<float>(v - qin.zero_point) * qin.scale;
      float f;
      if (op == LutOp::kHardSwish) {
        const float t = (1.0f / 6.0f) * x;
        const float h = std::min(std::max(t + 0.5f, 0.0f), 1.0f);
        f = x * h;
      } else {
        f = 1.0f / (1.0f + std::exp(-x));
      }
      const float r = std::nearbyint(f / qout.scale) + static_cast<float>(qout.zero_point);
      const float q = std::min(std::max(r, -128.0f), 127.0f);
      (*table)[static_cast<uint8_t>(static_cast<int8_t>(v))] = static_cast<int8_t>(q);
    }
    ctx.output(0).shape = ctx.input(0).shape;
    return Status::ok();
  }
  const float inverse_scale = 1.0f / qout.scale;
  for (int32_t v = -128; v <= 127; ++v) {
    const float x = qin.scale * static_cast<float>(v - qin.zero_point);
    const float r = std::round(apply(op, x) * inverse_scale);
    // Clamp in float first: no out-of-range float is cast to an integer.
    const float q = std::min(std::max(r + static_cast<float>(qout.zero_point), -128.0f), 127.0f);
    (*table)[static_cast<uint8_t>(static_cast<int8_t>(v))] = static_cast<int8_t>(q);
  }
  ctx.output(0).shape = ctx.input(0).shape;
  return Status::ok();
}

std::unique_ptr<Kernel> make_logistic_i8() { return std::make_unique<LutI8<LutOp::kLogistic>>(); }
std::unique_ptr<Kernel> make_hard_swish_i8() {
  return std::make_unique<LutI8<LutOp::kHardSwish>>();
}

}  // namespace opscope::reference::int8
