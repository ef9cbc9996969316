// MEAN, int8: (input, axes i32/i64 const) with ReduceAttrs, over any axes.
// The sum of (x - in_zp) over the reduced elements is exact in int32; the
// output is TFLite's integer mean (reference_integer_ops::Mean):
//
//   y = clamp(out_zp + rounded_divide(MultiplyByQuantizedMultiplier(sum,
//                                      in_scale / out_scale), count))
//
// The scale change rounds to an integer before the division, so its error
// shrinks by the count; the division rounds half away from zero.
#include <cstring>
#include <string>
#include <vector>

#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"
#include "engine/backends/reference/kernels/int_params.h"

namespace opscope::reference::int8 {
namespace {

// The input as runs of adjacent dims that are all reduced or all kept (size-1
// dims dropped): a mean over H, W of NHWC is [N kept, H*W reduced, C kept].
struct Run {
  int64_t size = 1;
  bool reduced = false;
};

class MeanI8 final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qin, int8_input_params(ctx, 0));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qout, int8_output_params(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const ReduceAttrs attrs, node_attrs<ReduceAttrs>(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> axes, read_int_input(ctx, 1, "axes"));
    const Shape in = ctx.input(0).shape;
    const int rank = static_cast<int>(in.size());
    std::vector<bool> reduced(rank, false);
    for (int64_t axis : axes) {
      OPSCOPE_ASSIGN_OR_RETURN(const int a, normalize_axis(ctx, axis, rank, "axis"));
      reduced[a] = true;
    }
    Shape out_shape;
    int64_t count = 1;
    for (int d = 0; d < rank; ++d) {
      if (!reduced[d]) {
        out_shape.push_back(in[d]);
      } else {
        count *= in[d];
        if (attrs.keep_dims) out_shape.push_back(1);
      }
    }
    if (count == 0 && num_elements(in) > 0) {
      return ctx.error(ErrorCode::kInvalidArgument, "mean over an empty axis");
    }
    if (count > (int64_t{1} << 23)) {
      return ctx.error(ErrorCode::kUnsupportedOp,
                       "mean over " + std::to_string(count) +
                           " elements could overflow the int32 sum");
    }
    ctx.output(0).shape = out_shape;
    out_elements_ = num_elements(out_shape);
    in_zp_ = qin.zero_point;
    out_zp_ = qout.zero_point;
    multiplier_ = quantize_multiplier(static_cast<double>(qin.scale) /
                                      static_cast<double>(qout.scale));
    count_ = static_cast<int32_t>(count == 0 ? 1 : count);
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    empty_ = num_elements(in) == 0;

    runs_.clear();
    for (int d = 0; d < rank; ++d) {
      if (in[d] == 1) continue;
      if (!runs_.empty() && runs_.back().reduced == reduced[d]) {
        runs_.back().size *= in[d];
      } else {
        runs_.push_back({in[d], static_cast<bool>(reduced[d])});
      }
    }
    if (runs_.empty()) runs_.push_back({1, false});
    // Output strides of the runs (0 for reduced runs).
    out_step_.assign(runs_.size(), 0);
    index_.assign(runs_.size(), 0);
    int64_t step = 1;
    for (size_t k = runs_.size(); k-- > 0;) {
      if (!runs_[k].reduced) {
        out_step_[k] = step;
        step *= runs_[k].size;
      }
    }
    ctx.set_scratch_bytes(static_cast<size_t>(out_elements_) * sizeof(int32_t));
    return Status::ok();
  }

  // Walks the input in order (the innermost run contiguous), adding each
  // element to its output's sum.
  void run(const RunContext& ctx) override {
    const int8_t* x = ctx.data<const int8_t>(input_id_);
    int8_t* y = ctx.data<int8_t>(output_id_);
    auto* acc = static_cast<int32_t*>(ctx.scratch);
    std::memset(acc, 0, static_cast<size_t>(out_elements_) * sizeof(int32_t));
    if (!empty_) {
      const int inner = static_cast<int>(runs_.size()) - 1;
      const int64_t inner_size = runs_[inner].size;
      const bool inner_reduced = runs_[inner].reduced;
      for (int64_t& v : index_) v = 0;
      int64_t out_off = 0;
      const int8_t* row = x;
      while (true) {
        if (inner_reduced) {
          int32_t s = 0;
          for (int64_t i = 0; i < inner_size; ++i) s += row[i];
          acc[out_off] += s - in_zp_ * static_cast<int32_t>(inner_size);
        } else {
          int32_t* a = acc + out_off;
          for (int64_t i = 0; i < inner_size; ++i) a[i] += int32_t{row[i]} - in_zp_;
        }
        row += inner_size;
        int k = inner - 1;
        for (; k >= 0; --k) {
          out_off += out_step_[k];
          if (++index_[k] < runs_[k].size) break;
          out_off -= out_step_[k] * runs_[k].size;
          index_[k] = 0;
        }
        if (k < 0) break;
      }
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
  int64_t out_elements_ = 0;
  bool empty_ = false;
  std::vector<Run> runs_;
  std::vector<int64_t> out_step_;
  std::vector<int64_t> index_;  // odometer, sized in prepare
};

}  // namespace

std::unique_ptr<Kernel> make_mean_i8() { return std::make_unique<MeanI8>(); }

}  // namespace opscope::reference::int8
