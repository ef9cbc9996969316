// RESIZE_BILINEAR, f32, NHWC: (input, size i32[2] const) with ResizeAttrs,
// computed as TFLite's reference kernel does, in float:
//   scale = in / out, or (in - 1) / (out - 1) with align_corners (out > 1)
//   src   = (dst + 0.5) * scale - 0.5 with half_pixel_centers, else dst*scale
//   lo    = max(floor(src), 0), hi = min(ceil(src), in - 1), frac = src - lo
//   out   = v(lo)*(1-frac) + v(hi)*frac, separably in y then x.
// The (lo, hi, frac) tables are built once in prepare.
#include <algorithm>
#include <cmath>
#include <string>
#include <variant>
#include <vector>

#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"
#include "engine/backends/reference/kernels/kernels.h"

namespace opscope::reference {
namespace {

// Where one output row (or column) samples the input.
struct Sample {
  int64_t lo = 0;  // lower input index
  int64_t hi = 0;  // upper input index
  float frac = 0;  // weight of `hi`; `lo` gets 1 - frac
};

std::vector<Sample> sample_table(int64_t in, int64_t out, bool align_corners,
                                 bool half_pixel_centers) {
  float scale = static_cast<float>(in) / static_cast<float>(out);
  if (align_corners && out > 1) {
    scale = static_cast<float>(in - 1) / static_cast<float>(out - 1);
  }
  std::vector<Sample> table(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    const float v = static_cast<float>(o);
    const float src = half_pixel_centers ? (v + 0.5f) * scale - 0.5f
                                         : v * scale;
    Sample& s = table[o];
    s.lo = std::max<int64_t>(static_cast<int64_t>(std::floor(src)), 0);
    s.hi = std::min<int64_t>(static_cast<int64_t>(std::ceil(src)), in - 1);
    // Below 0 (half-pixel at the first rows) frac is negative, but lo == hi
    // there, so the weights still sum to one on the same pixel.
    s.frac = src - static_cast<float>(s.lo);
  }
  return table;
}

class ResizeBilinear final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, DType::kF32));
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
    rows_ = sample_table(in_h_, out_h_, attrs.align_corners,
                         attrs.half_pixel_centers);
    cols_ = sample_table(in_w_, out_w_, attrs.align_corners,
                         attrs.half_pixel_centers);
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const float* x = ctx.data<const float>(input_id_);
    float* y = ctx.data<float>(output_id_);
    const int64_t c_count = channels_;
    const int64_t row_elems = in_w_ * c_count;
    for (int64_t n = 0; n < batch_; ++n) {
      const float* image = x + n * in_h_ * row_elems;
      for (int64_t oy = 0; oy < out_h_; ++oy) {
        const Sample r = rows_[oy];
        const float* top = image + r.lo * row_elems;
        const float* bottom = image + r.hi * row_elems;
        const float wy = r.frac;
        for (int64_t ox = 0; ox < out_w_; ++ox) {
          const Sample col = cols_[ox];
          const float wx = col.frac;
          const float* tl = top + col.lo * c_count;
          const float* tr = top + col.hi * c_count;
          const float* bl = bottom + col.lo * c_count;
          const float* br = bottom + col.hi * c_count;
          float* out = y + ((n * out_h_ + oy) * out_w_ + ox) * c_count;
          // Same terms, in the same order, as TFLite's reference kernel.
          for (int64_t c = 0; c < c_count; ++c) {
            out[c] = tl[c] * (1 - wy) * (1 - wx) + bl[c] * wy * (1 - wx) +
                     tr[c] * (1 - wy) * wx + br[c] * wy * wx;
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
  std::vector<Sample> rows_, cols_;  // per output row / column
};

}  // namespace

std::unique_ptr<Kernel> make_resize_bilinear_f32() {
  return std::make_unique<ResizeBilinear>();
}

}  // namespace opscope::reference
