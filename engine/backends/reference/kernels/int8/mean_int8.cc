// MEAN, int8: (input, axes i32/i64 const) with ReduceAttrs, over any axes.
// The sum of (x - in_zp) over the reduced elements is exact in int32; the
// output is TFLite's integer mean (reference_integer_ops::Mean):
//
//   y = clamp(out_zp + rounded_divide(MultiplyByQuantizedMultiplier(sum,
//                                      in_scale / out_scale), count))
//
// The scale change rounds to an integer before the division, so its error
// shrinks by the count; the division rounds half away from zero.
//
// With a float requantization (an op made by QDQ fusion, graph.h) it is
// ONNX Runtime's QLinearGlobalAveragePool (MLAS, x86-64): S = in_scale /
// (out_scale * float(count)) in float and y = requantize_float(sum, S,
// out_zp, -128, 127) (fixed_point.h: float product, round half to even).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"
#include "engine/backends/reference/kernels/reduce_runs.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference::int8 {
namespace {

class MeanI8 final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qin, int8_input_params(ctx, 0));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qout, int8_output_params(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const shapes::ReducedAxes axes, shapes::reduce_axes(ctx));
    const Shape& in = ctx.input(0).shape;
    const int64_t count = axes.count;
    if (count == 0 && num_elements(in) > 0) {
      return ctx.error(ErrorCode::kInvalidArgument, "mean over an empty axis");
    }
    if (count > (int64_t{1} << 23)) {
      return ctx.error(ErrorCode::kUnsupportedOp,
                       "mean over " + std::to_string(count) +
                           " elements could overflow the int32 sum");
    }
    out_elements_ = num_elements(ctx.output(0).shape);
    in_zp_ = qin.zero_point;
    out_zp_ = qout.zero_point;
    multiplier_ = quantize_multiplier(static_cast<double>(qin.scale) /
                                      static_cast<double>(qout.scale));
    count_ = static_cast<int32_t>(count == 0 ? 1 : count);
    float_mode_ = is_float_requantization(ctx.node().requantization);
    if (float_mode_) float_scale_ = qin.scale / (qout.scale * static_cast<float>(count_));
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    empty_ = num_elements(in) == 0;

    runs_.plan(in, axes.reduced);
    ctx.set_scratch_bytes(static_cast<size_t>(out_elements_) * sizeof(int32_t));
    return Status::ok();
  }

  // Adds each element to its output's sum, walking the input in order.
  void run(const RunContext& ctx) override {
    const int8_t* x = ctx.data<const int8_t>(input_id_);
    int8_t* y = ctx.data<int8_t>(output_id_);
    auto* acc = static_cast<int32_t*>(ctx.scratch);
    std::memset(acc, 0, static_cast<size_t>(out_elements_) * sizeof(int32_t));
    if (!empty_) {
      const int64_t inner_size = runs_.inner_size();
      if (runs_.inner_reduced()) {
        runs_.walk(x, [&](const int8_t* row, int64_t out_off) {
          int32_t s = 0;
          for (int64_t i = 0; i < inner_size; ++i) s += row[i];
          acc[out_off] += s - in_zp_ * static_cast<int32_t>(inner_size);
        });
      } else {
        // (The zero point is taken out once per output, below: the
        // per-element loop is a plain widening add the compiler vectorizes;
        // every sum is exact in int32.)
        runs_.walk(x, [&](const int8_t* __restrict row, int64_t out_off) {
          int32_t* __restrict a = acc + out_off;
          for (int64_t i = 0; i < inner_size; ++i) a[i] += int32_t{row[i]};
        });
        const int32_t zp_sum = in_zp_ * count_;
        for (int64_t i = 0; i < out_elements_; ++i) acc[i] -= zp_sum;
      }
    }
    if (float_mode_) {
      for (int64_t i = 0; i < out_elements_; ++i) {
        y[i] = static_cast<int8_t>(requantize_float(acc[i], float_scale_, out_zp_, -128, 127));
      }
      return;
    }
    for (int64_t i = 0; i < out_elements_; ++i) {
      const int32_t scaled = multiply_by_quantized_multiplier(acc[i], multiplier_);
      y[i] = saturate_int8(rounded_divide(scaled, count_) + out_zp_);
    }
  }

 private:
  int input_id_ = -1, output_id_ = -1;
  int32_t in_zp_ = 0, out_zp_ = 0;
  QuantizedMultiplier multiplier_;
  int32_t count_ = 1;  // input elements per output element
  bool float_mode_ = false;
  float float_scale_ = 0.0f;
  int64_t out_elements_ = 0;
  bool empty_ = false;
  ReduceRuns runs_;  // sized in prepare
};

}  // namespace

std::unique_ptr<Kernel> make_mean_i8() { return std::make_unique<MeanI8>(); }

}  // namespace opscope::reference::int8
