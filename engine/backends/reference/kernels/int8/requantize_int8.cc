// QUANTIZE with an int8 input: requantization to another int8 scale and
// zero point, as TFLite's Requantize: y = saturate(zp_out +
// MultiplyByQuantizedMultiplier(x - zp_in, s_in / s_out)). (f32 -> i8
// QUANTIZE is ../quantize.cc.)
#include <string>

#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"

namespace opscope::reference::int8 {
namespace {

class RequantizeI8 final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qin, int8_input_params(ctx, 0));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qout, int8_output_params(ctx));
    multiplier_ = quantize_multiplier(static_cast<double>(qin.scale) /
                                      static_cast<double>(qout.scale));
    in_zp_ = qin.zero_point;
    out_zp_ = qout.zero_point;
    ctx.output(0).shape = ctx.input(0).shape;
    size_ = ctx.input(0).elements();
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const int8_t* x = ctx.data<const int8_t>(input_id_);
    int8_t* y = ctx.data<int8_t>(output_id_);
    for (int64_t i = 0; i < size_; ++i) {
      y[i] = saturate_int8(
          multiply_by_quantized_multiplier(int32_t{x[i]} - in_zp_, multiplier_) + out_zp_);
    }
  }

 private:
  QuantizedMultiplier multiplier_;
  int32_t in_zp_ = 0, out_zp_ = 0;
  int64_t size_ = 0;
  int input_id_ = -1, output_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_requantize_i8() { return std::make_unique<RequantizeI8>(); }

}  // namespace opscope::reference::int8
