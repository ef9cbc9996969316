// AVERAGE_POOL_2D and MAX_POOL_2D, int8, NHWC, TFLite semantics. Input and
// output share one quantization (TFLite's int8 pools do not requantize), so
// both work on the raw int8 values: the average is the in-bounds sum divided
// by the in-bounds count, rounded half away from zero (padding never
// counts); then the fused activation's clamp. Dilated windows (taps
// `dilation` apart) count only their in-bounds taps, as in pool.cc.
#include <algorithm>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference::int8 {
namespace {

enum class PoolKind { kAverage, kMax };

template <PoolKind kKind>
class Pool2DI8 final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qin, int8_input_params(ctx, 0));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qout, int8_output_params(ctx));
    OPSCOPE_RETURN_IF_ERROR(expect_same_params(ctx, qin, qout));
    // The output's shape and the window of every output row and column.
    OPSCOPE_ASSIGN_OR_RETURN(shapes::PoolWindow window, shapes::pool2d_window(ctx));
    const Pool2DAttrs& a = std::get<Pool2DAttrs>(ctx.node().attrs);
    OPSCOPE_ASSIGN_OR_RETURN(range_, int8_activation_range(ctx, a.activation, qout));
    if constexpr (kKind == PoolKind::kAverage) {
      // 255 * count must fit the int32 sum.
      if (static_cast<int64_t>(a.filter_h) * a.filter_w > (int64_t{1} << 23)) {
        return ctx.error(ErrorCode::kUnsupportedOp, "filter window too large for an int32 sum");
      }
    }
    const Shape& in = ctx.input(0).shape;
    batch_ = in[0];
    in_h_ = in[1];
    in_w_ = in[2];
    channels_ = in[3];
    out_h_ = window.out_h;
    out_w_ = window.out_w;
    rows_ = std::move(window.rows);
    cols_ = std::move(window.cols);
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    ctx.set_scratch_bytes(static_cast<size_t>(channels_) * sizeof(int32_t));
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const int8_t* x = ctx.data<const int8_t>(input_id_);
    int8_t* y = ctx.data<int8_t>(output_id_);
    auto* acc = static_cast<int32_t*>(ctx.scratch);
    const int64_t c_count = channels_;
    for (int64_t n = 0; n < batch_; ++n) {
      const int8_t* xn = x + n * in_h_ * in_w_ * c_count;
      for (int64_t oh = 0; oh < out_h_; ++oh) {
        const shapes::Span rows = rows_[oh];
        for (int64_t ow = 0; ow < out_w_; ++ow) {
          const shapes::Span cols = cols_[ow];
          int8_t* out = y + ((n * out_h_ + oh) * out_w_ + ow) * c_count;
          const int32_t init = kKind == PoolKind::kAverage ? 0 : -128;
          for (int64_t c = 0; c < c_count; ++c) acc[c] = init;
          for (int64_t ih = rows.begin; ih < rows.end; ih += rows.step) {
            for (int64_t iw = cols.begin; iw < cols.end; iw += cols.step) {
              const int8_t* in = xn + (ih * in_w_ + iw) * c_count;
              for (int64_t c = 0; c < c_count; ++c) {
                if constexpr (kKind == PoolKind::kAverage) {
                  acc[c] += in[c];
                } else {
                  acc[c] = std::max<int32_t>(acc[c], in[c]);
                }
              }
            }
          }
          // prepare guarantees every window holds at least one element.
          const int32_t count = static_cast<int32_t>(rows.count * cols.count);
          for (int64_t c = 0; c < c_count; ++c) {
            int32_t v = acc[c];
            if constexpr (kKind == PoolKind::kAverage) v = rounded_divide(v, count);
            out[c] = static_cast<int8_t>(std::min(std::max(v, range_.min), range_.max));
          }
        }
      }
    }
  }

 private:
  int input_id_ = -1;
  int output_id_ = -1;
  int64_t batch_ = 0, in_h_ = 0, in_w_ = 0, channels_ = 0;
  int64_t out_h_ = 0, out_w_ = 0;
  std::vector<shapes::Span> rows_, cols_;
  Int8Range range_;
};

}  // namespace

std::unique_ptr<Kernel> make_average_pool2d_i8() {
  return std::make_unique<Pool2DI8<PoolKind::kAverage>>();
}
std::unique_ptr<Kernel> make_max_pool2d_i8() {
  return std::make_unique<Pool2DI8<PoolKind::kMax>>();
}

}  // namespace opscope::reference::int8
