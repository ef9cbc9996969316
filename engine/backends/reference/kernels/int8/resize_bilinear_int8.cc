// RESIZE_BILINEAR, int8, NHWC: (input, size i32[2] const) with ResizeAttrs,
// in TFLite's integer arithmetic (ResizeBilinearInteger): each output row and
// column samples the input where resize_samples.h says; the four neighbours are
// weighted in 1/2^20 units and the sum rounded half away from zero. Input
// and output share one quantization (the op does not requantize).
#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"
#include "engine/backends/reference/kernels/int8/resize_samples.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference::int8 {
namespace {

class ResizeBilinearI8 final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qin, int8_input_params(ctx, 0));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qout, int8_output_params(ctx));
    OPSCOPE_RETURN_IF_ERROR(expect_same_params(ctx, qin, qout));
    // The size checks and the output's shape.
    OPSCOPE_RETURN_IF_ERROR(shapes::resize_bilinear(ctx));
    const ResizeAttrs& attrs = std::get<ResizeAttrs>(ctx.node().attrs);
    const Shape& in = ctx.input(0).shape;
    const Shape& out_shape = ctx.output(0).shape;
    batch_ = in[0];
    in_h_ = in[1];
    in_w_ = in[2];
    channels_ = in[3];
    out_h_ = out_shape[1];
    out_w_ = out_shape[2];
    rows_ = resize_sample_table(in_h_, out_h_, attrs.align_corners, attrs.half_pixel_centers);
    cols_ = resize_sample_table(in_w_, out_w_, attrs.align_corners, attrs.half_pixel_centers);
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const int8_t* x = ctx.data<const int8_t>(input_id_);
    int8_t* y = ctx.data<int8_t>(output_id_);
    const int64_t c_count = channels_;
    const int64_t row_elems = in_w_ * c_count;
    constexpr int64_t kOne = 1 << 10;
    for (int64_t n = 0; n < batch_; ++n) {
      const int8_t* image = x + n * in_h_ * row_elems;
      for (int64_t oy = 0; oy < out_h_; ++oy) {
        const ResizeSample r = rows_[oy];
        const int8_t* top = image + r.lo * row_elems;
        const int8_t* bottom = image + r.hi * row_elems;
        for (int64_t ox = 0; ox < out_w_; ++ox) {
          const ResizeSample col = cols_[ox];
          const int64_t w_tl = (kOne - r.w_hi) * (kOne - col.w_hi);
          const int64_t w_bl = r.w_hi * (kOne - col.w_hi);
          const int64_t w_tr = (kOne - r.w_hi) * col.w_hi;
          const int64_t w_br = r.w_hi * col.w_hi;
          const int8_t* tl = top + col.lo * c_count;
          const int8_t* tr = top + col.hi * c_count;
          const int8_t* bl = bottom + col.lo * c_count;
          const int8_t* br = bottom + col.hi * c_count;
          int8_t* out = y + ((n * out_h_ + oy) * out_w_ + ox) * c_count;
          for (int64_t c = 0; c < c_count; ++c) {
            const int64_t v20 = tl[c] * w_tl + bl[c] * w_bl + tr[c] * w_tr + br[c] * w_br;
            const int64_t round = v20 > 0 ? (1 << 19) : -(1 << 19);
            out[c] = saturate_int8(static_cast<int32_t>((v20 + round) / (1 << 20)));
          }
        }
      }
    }
  }

 private:
  int input_id_ = -1, output_id_ = -1;
  int64_t batch_ = 0, in_h_ = 0, in_w_ = 0, channels_ = 0;
  int64_t out_h_ = 0, out_w_ = 0;
  std::vector<ResizeSample> rows_, cols_;
};

}  // namespace

std::vector<ResizeSample> resize_sample_table(int64_t in, int64_t out, bool align_corners,
                                              bool half_pixel_centers) {
  int64_t scale_10 = ((int64_t{1} << 10) * in + out / 2) / out;
  if (align_corners && out > 1) {
    scale_10 = ((int64_t{1} << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
  }
  std::vector<ResizeSample> table(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    const int64_t src = half_pixel_centers ? o * scale_10 + scale_10 / 2 - (1 << 9)
                                           : o * scale_10;
    ResizeSample& s = table[o];
    // C++ division truncates toward zero, as in TFLite: a source slightly
    // below 0 gives lo = 0 and a negative weight that pairs 0 with 0.
    s.lo = std::max<int64_t>(src / (1 << 10), 0);
    s.hi = std::min<int64_t>((src + (1 << 10) - 1) / (1 << 10), in - 1);
    s.w_hi = src - (1 << 10) * s.lo;
  }
  return table;
}

std::unique_ptr<Kernel> make_resize_bilinear_i8() {
  return std::make_unique<ResizeBilinearI8>();
}

}  // namespace opscope::reference::int8
