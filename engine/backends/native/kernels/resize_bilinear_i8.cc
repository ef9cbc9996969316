// RESIZE_BILINEAR, int8, NHWC, bit-exact with the reference kernel
// (reference/kernels/int8/resize_bilinear_int8.cc, TFLite's
// ResizeBilinearInteger): the reference's own sample tables
// (resize_samples.h: source index and weight in 1/1024 per output row and
// column), built once at prepare with the columns' element offsets; run() walks output rows and hands each to a
// microkernel that vectorizes over channels.
//
// The reference sums in int64. With every weight w_hi in [-512, 1024] (so
// it is for every table TFLite's formulas give: w_hi is in (-512, 1024))
// the four terms' weights sum to at most 2560^2 in magnitude and the sum
// stays below 128 * 2560^2 < 2^30, so the SIMD paths sum in int32 exactly;
// a table outside that bound (never seen) runs the portable path, which
// sums in int64 like the reference.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "engine/backends/native/kernels/native_kernels.h"
#include "engine/backends/native/kernels/native_support.h"
#include "engine/backends/native/kernels/native_ukernels.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"
#include "engine/backends/reference/kernels/int8/resize_samples.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::native {
namespace {

using reference::int8::expect_same_params;
using reference::int8::int8_input_params;
using reference::int8::int8_output_params;
using reference::int8::QParams;

using reference::int8::resize_sample_table;
using Sample = reference::int8::ResizeSample;

bool fits_int32_sums(const std::vector<Sample>& t) {
  for (const Sample& s : t) {
    if (s.w_hi < -512 || s.w_hi > 1024) return false;
  }
  return true;
}

bool in_bounds(const std::vector<Sample>& t, int64_t in) {
  for (const Sample& s : t) {
    if (s.lo < 0 || s.lo >= in || s.hi < 0 || s.hi >= in) return false;
  }
  return true;
}

class ResizeBilinearI8 final : public Kernel {
 public:
  explicit ResizeBilinearI8(const NativeEnv& env) : isa_(env.isa) {}

  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qin, int8_input_params(ctx, 0));
    OPSCOPE_ASSIGN_OR_RETURN(const QParams qout, int8_output_params(ctx));
    OPSCOPE_RETURN_IF_ERROR(expect_same_params(ctx, qin, qout));
    OPSCOPE_RETURN_IF_ERROR(shapes::resize_bilinear(ctx));
    const ResizeAttrs& attrs = std::get<ResizeAttrs>(ctx.node().attrs);
    const Shape& in = ctx.input(0).shape;
    const Shape& out = ctx.output(0).shape;
    batch_ = in[0];
    in_h_ = in[1];
    in_w_ = in[2];
    channels_ = in[3];
    out_h_ = out[1];
    out_w_ = out[2];
    rows_ = resize_sample_table(in_h_, out_h_, attrs.align_corners, attrs.half_pixel_centers);
    const std::vector<Sample> cols =
        resize_sample_table(in_w_, out_w_, attrs.align_corners, attrs.half_pixel_centers);
    if (!in_bounds(rows_, in_h_) || !in_bounds(cols, in_w_)) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "RESIZE_BILINEAR's sample tables fall outside the input");
    }
    if (in_w_ * channels_ > INT32_MAX) {
      return ctx.error(ErrorCode::kInvalidArgument, "input row too long for the native kernel");
    }
    col_lo_.resize(cols.size());
    col_hi_.resize(cols.size());
    col_w_.resize(cols.size());
    for (size_t i = 0; i < cols.size(); ++i) {
      col_lo_[i] = static_cast<int32_t>(cols[i].lo * channels_);
      col_hi_[i] = static_cast<int32_t>(cols[i].hi * channels_);
      col_w_[i] = static_cast<int32_t>(cols[i].w_hi);
    }
    simd_ok_ = fits_int32_sums(rows_) && fits_int32_sums(cols);
    plan_int16(cols);
    ctx.set_scratch_bytes(static_cast<size_t>(in_w_ * channels_) * sizeof(int32_t) + 64);
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const int8_t* x = ctx.data<const int8_t>(input_id_);
    int8_t* y = ctx.data<int8_t>(output_id_);
    const int64_t row_elems = in_w_ * channels_;
    ukernels::ResizeRow r;
    r.col_lo = col_lo_.data();
    r.col_hi = col_hi_.data();
    r.col_w = col_w_.data();
    r.out_w = out_w_;
    r.channels = channels_;
    r.in_row = row_elems;
    r.vsum = static_cast<int32_t*>(ctx.scratch);
#if defined(__x86_64__)
    if (int16_) {
      run_int16(x, y, ctx);
      return;
    }
#endif
    void (*row_fn)(const ukernels::ResizeRow&) = simd_ok_ ? portable_row : portable_row_i64;
#if defined(__x86_64__)
    if (simd_ok_ && isa_ == Isa::kAvx512Vnni) {
      row_fn = ukernels::resize_bilinear_i8_row_avx512;
    } else if (simd_ok_ && (isa_ == Isa::kAvx2 || isa_ == Isa::kAvxVnni)) {
      row_fn = ukernels::resize_bilinear_i8_row_avx2;
    }
#endif
    for (int64_t n = 0; n < batch_; ++n) {
      const int8_t* image = x + n * in_h_ * row_elems;
      for (int64_t oy = 0; oy < out_h_; ++oy) {
        const Sample& s = rows_[oy];
        r.top = image + s.lo * row_elems;
        r.bottom = image + s.hi * row_elems;
        r.w_row = static_cast<int32_t>(s.w_hi);
        r.out = y + (n * out_h_ + oy) * out_w_ * channels_;
        row_fn(r);
      }
    }
  }

 private:
  // The reference's arithmetic (int64 sums), with the tables precomputed:
  // for tables outside the int32 bound only.
  static void portable_row_i64(const ukernels::ResizeRow& r) {
    constexpr int64_t kOne = 1 << 10;
    const int64_t c_count = r.channels;
    const int64_t wr = r.w_row;
    for (int64_t ox = 0; ox < r.out_w; ++ox) {
      const int64_t wc = r.col_w[ox];
      const int64_t w_tl = (kOne - wr) * (kOne - wc);
      const int64_t w_bl = wr * (kOne - wc);
      const int64_t w_tr = (kOne - wr) * wc;
      const int64_t w_br = wr * wc;
      const int8_t* tl = r.top + r.col_lo[ox];
      const int8_t* tr = r.top + r.col_hi[ox];
      const int8_t* bl = r.bottom + r.col_lo[ox];
      const int8_t* br = r.bottom + r.col_hi[ox];
      int8_t* out = r.out + ox * c_count;
      for (int64_t c = 0; c < c_count; ++c) {
        const int64_t v20 = tl[c] * w_tl + bl[c] * w_bl + tr[c] * w_tr + br[c] * w_br;
        const int64_t round = v20 > 0 ? (1 << 19) : -(1 << 19);
        const int64_t q = (v20 + round) / (1 << 20);
        out[c] = static_cast<int8_t>(std::min<int64_t>(std::max<int64_t>(q, -128), 127));
      }
    }
  }

  // The same in int32 (exact within the bound): (v + 2^19 - 1 + [v > 0])
  // >> 20 is the reference's rounding. Each output pixel's channels go
  // through a local block, so GCC -O2 can vectorize without alias checks.
  static void portable_row(const ukernels::ResizeRow& r) {
    constexpr int32_t kOne = 1 << 10;
    constexpr int64_t kBlock = 16;
    const int64_t c_count = r.channels;
    const int32_t wr = r.w_row;
    for (int64_t ox = 0; ox < r.out_w; ++ox) {
      const int32_t wc = r.col_w[ox];
      const int32_t w_tl = (kOne - wr) * (kOne - wc), w_bl = wr * (kOne - wc);
      const int32_t w_tr = (kOne - wr) * wc, w_br = wr * wc;
      const int8_t* tl = r.top + r.col_lo[ox];
      const int8_t* tr = r.top + r.col_hi[ox];
      const int8_t* bl = r.bottom + r.col_lo[ox];
      const int8_t* br = r.bottom + r.col_hi[ox];
      int8_t* out = r.out + ox * c_count;
      const auto one = [&](int64_t c) {
        const int32_t v = tl[c] * w_tl + bl[c] * w_bl + tr[c] * w_tr + br[c] * w_br;
        const int32_t q = (v + (1 << 19) - 1 + (v > 0 ? 1 : 0)) >> 20;
        return static_cast<int8_t>(q < -128 ? -128 : (q > 127 ? 127 : q));
      };
      int64_t c = 0;
      for (; c + kBlock <= c_count; c += kBlock) {
        int8_t block[kBlock];
        for (int64_t j = 0; j < kBlock; ++j) block[j] = one(c + j);
        std::memcpy(out + c, block, sizeof(block));
      }
      for (; c < c_count; ++c) out[c] = one(c);
    }
  }

  // ukernels::ResizeRow16: the largest power-of-two factors of the row and
  // the column weights (with 1024), and whether the divided sums fit int16.
  void plan_int16(const std::vector<Sample>& cols) {
    int16_ = false;
    if (isa_ != Isa::kAvx512Vnni || !simd_ok_) return;
    const auto factor_bits = [](const std::vector<Sample>& t) {
      int64_t bits = 1024;
      for (const Sample& s : t) bits |= s.w_hi;
      int tz = 0;
      while (tz < 10 && ((bits >> tz) & 1) == 0) ++tz;
      return tz;
    };
    const int tr = factor_bits(rows_), tc = factor_bits(cols);
    shift16_ = 20 - tr - tc;
    if (shift16_ < 1) return;
    one_r_ = 1024 >> tr;
    one_c_ = 1024 >> tc;
    // The largest |term| and |sum| of each step, for int8 inputs (|x| <= 128).
    const auto spans = [](const std::vector<Sample>& t, int bits, int64_t one, int64_t* term,
                          int64_t* sum) {
      *term = 0;
      *sum = 0;
      for (const Sample& s : t) {
        const int64_t w = s.w_hi >> bits;
        *term = std::max<int64_t>({*term, std::llabs(one - w), std::llabs(w)});
        *sum = std::max<int64_t>(*sum, std::llabs(one - w) + std::llabs(w));
      }
    };
    int64_t r_term, r_sum, c_term, c_sum;
    spans(rows_, tr, one_r_, &r_term, &r_sum);
    spans(cols, tc, one_c_, &c_term, &c_sum);
    const int64_t u = 128 * r_sum;
    if (128 * r_term > INT16_MAX || u > INT16_MAX || u * c_term > INT16_MAX ||
        u * c_sum + (int64_t{1} << (shift16_ - 1)) > INT16_MAX) {
      return;
    }
    int16_ = true;
    row_w16_.resize(rows_.size());
    for (size_t i = 0; i < rows_.size(); ++i) {
      row_w16_[i] = static_cast<int16_t>(rows_[i].w_hi >> tr);
    }
    col_w16_.resize(cols.size());
    for (size_t i = 0; i < cols.size(); ++i) col_w16_[i] = static_cast<int16_t>(cols[i].w_hi >> tc);
  }

#if defined(__x86_64__)
  void run_int16(const int8_t* x, int8_t* y, const RunContext& ctx) const {
    const int64_t row_elems = in_w_ * channels_;
    ukernels::ResizeRow16 r;
    r.one_r = static_cast<int16_t>(one_r_);
    r.one_c = static_cast<int16_t>(one_c_);
    r.shift = shift16_;
    r.col_lo = col_lo_.data();
    r.col_hi = col_hi_.data();
    r.col_w16 = col_w16_.data();
    r.out_w = out_w_;
    r.channels = channels_;
    r.in_row = row_elems;
    r.vsum16 = static_cast<int16_t*>(ctx.scratch);
    for (int64_t n = 0; n < batch_; ++n) {
      const int8_t* image = x + n * in_h_ * row_elems;
      for (int64_t oy = 0; oy < out_h_; ++oy) {
        const Sample& s = rows_[oy];
        r.top = image + s.lo * row_elems;
        r.bottom = image + s.hi * row_elems;
        r.w_row = row_w16_[static_cast<size_t>(oy)];
        r.out = y + (n * out_h_ + oy) * out_w_ * channels_;
        ukernels::resize_bilinear_i8_row16_avx512(r);
      }
    }
  }
#endif

  Isa isa_;
  bool simd_ok_ = false;
  bool int16_ = false;  // ukernels::ResizeRow16 (AVX-512)
  int shift16_ = 20;
  int64_t one_r_ = 1024, one_c_ = 1024;
  std::vector<int16_t> row_w16_, col_w16_;
  int input_id_ = -1, output_id_ = -1;
  int64_t batch_ = 0, in_h_ = 0, in_w_ = 0, channels_ = 0, out_h_ = 0, out_w_ = 0;
  std::vector<Sample> rows_;
  std::vector<int32_t> col_lo_, col_hi_, col_w_;
};

}  // namespace

bool native_supports_resize_bilinear(const Graph& graph, const Node& node, std::string* why_not) {
  if (node.op != OpKind::kResizeBilinear) return decline(why_not, "not RESIZE_BILINEAR");
  if (node.inputs.size() != 2 || node.outputs.size() != 1) {
    return decline(why_not, "RESIZE_BILINEAR needs (input, size) and one output");
  }
  if (!is_int8_per_tensor(graph, node.inputs[0], "input", why_not)) return false;
  if (!is_int8_per_tensor(graph, node.outputs[0], "output", why_not)) return false;
  if (graph.tensors[node.inputs[0]].shape.size() != 4) {
    return decline(why_not, "input is not rank 4 (NHWC)");
  }
  if (node.inputs[1] < 0 || !graph.tensors[node.inputs[1]].is_constant()) {
    return decline(why_not, "size is not a constant");
  }
  return true;
}

std::unique_ptr<Kernel> make_native_resize_bilinear_i8(const NativeEnv& env) {
  return std::make_unique<ResizeBilinearI8>(env);
}

}  // namespace opscope::native
