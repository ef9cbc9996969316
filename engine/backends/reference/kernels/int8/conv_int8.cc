// CONV_2D, int8: im2col of (x - input zero point) as int16 into scratch,
// the exact int32 GEMM against the OHWI filter packed at prepare, then
// TFLite's per-channel requantization. Padding contributes 0 (an input
// equal to the zero point), as in TFLite.
#include <algorithm>
#include <vector>

#include "engine/backends/reference/kernels/conv2d_kernel.h"
#include "engine/backends/reference/kernels/int8/channel_output.h"
#include "engine/backends/reference/kernels/int8/gemm_s16.h"
#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/backends/reference/kernels/linear_ops.h"

namespace opscope::reference::int8 {
namespace {

// Bytes of a scratch region rounded up to 64.
size_t aligned(size_t bytes) { return (bytes + 63) / 64 * 64; }

class Conv2DI8 final : public Conv2DKernel {
 public:
  Status prepare(PrepareContext& ctx) override;
  void run(const RunContext& ctx) override;

 private:
  // Writes the patches of output pixels [first, first + rows) of one image
  // into col (rows x patch_ int16, (ky, kx, c) order like the filter).
  void im2col(const int8_t* image, int64_t first, int64_t rows, int16_t* col) const;

  ChannelOutput output_stage_;
  int32_t in_zp_ = 0;
  int64_t patch_ = 0;       // K of the GEMM: k_h_ * k_w_ * in_c_
  int64_t chunk_rows_ = 0;  // output pixels per im2col chunk
  std::vector<int16_t> packed_filter_;
  size_t acc_offset_ = 0;   // scratch: col first, then the int32 sums
};

Status Conv2DI8::prepare(PrepareContext& ctx) {
  OPSCOPE_ASSIGN_OR_RETURN(const shapes::ConvGeometry g, shapes::conv2d_geometry(ctx));
  const auto& attrs = ctx.node().attr<Conv2DAttrs>();
  OPSCOPE_RETURN_IF_ERROR(
      output_stage_.prepare(ctx, /*weight_axis=*/0, g.out_c, attrs.activation));
  bind(ctx, g, attrs.activation);
  in_zp_ = output_stage_.input_zero_point();

  patch_ = k_h_ * k_w_ * in_c_;
  OPSCOPE_RETURN_IF_ERROR(expect_accumulator_fits(ctx, patch_));
  // B[p, o] = filter[o, p]: the OHWI filter is B transposed.
  packed_filter_.assign(gemm_s16_packed_b_elements(patch_, out_c_), 0);
  gemm_s16_pack_b(patch_, out_c_, ctx.input(1).constant_as<int8_t>(), 1, patch_,
                  packed_filter_.data());
  // About 256 KiB of int16 patches per chunk, at least 64 rows.
  const int64_t pixels = out_h_ * out_w_;
  chunk_rows_ = std::min(pixels, std::max<int64_t>(64, (128 * 1024) / std::max<int64_t>(1, patch_)));
  acc_offset_ = aligned(static_cast<size_t>(chunk_rows_ * patch_) * sizeof(int16_t));
  ctx.set_scratch_bytes(acc_offset_ + aligned(static_cast<size_t>(chunk_rows_ * out_c_) * sizeof(int32_t)));
  return Status::ok();
}

void Conv2DI8::im2col(const int8_t* image, int64_t first, int64_t rows, int16_t* col) const {
  const int16_t zp = static_cast<int16_t>(in_zp_);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t oy = (first + r) / out_w_;
    const int64_t ox = (first + r) % out_w_;
    int16_t* dst = col + r * patch_;
    for (int64_t ky = 0; ky < k_h_; ++ky) {
      const int64_t iy = oy * stride_h_ - pad_top_ + ky * dilation_h_;
      if (iy < 0 || iy >= in_h_) {
        std::fill(dst, dst + k_w_ * in_c_, int16_t{0});
        dst += k_w_ * in_c_;
        continue;
      }
      for (int64_t kx = 0; kx < k_w_; ++kx) {
        const int64_t ix = ox * stride_w_ - pad_left_ + kx * dilation_w_;
        if (ix < 0 || ix >= in_w_) {
          std::fill(dst, dst + in_c_, int16_t{0});
        } else {
          const int8_t* src = image + (iy * in_w_ + ix) * in_c_;
          for (int64_t c = 0; c < in_c_; ++c) dst[c] = static_cast<int16_t>(src[c] - zp);
        }
        dst += in_c_;
      }
    }
  }
}

void Conv2DI8::run(const RunContext& ctx) {
  const int8_t* input = ctx.data<const int8_t>(input_id_);
  int8_t* output = ctx.data<int8_t>(output_id_);
  auto* col = static_cast<int16_t*>(ctx.scratch);
  auto* acc = reinterpret_cast<int32_t*>(static_cast<char*>(ctx.scratch) + acc_offset_);
  const int64_t pixels = out_h_ * out_w_;
  for (int64_t n = 0; n < batch_; ++n) {
    const int8_t* image = input + n * in_h_ * in_w_ * in_c_;
    int8_t* out_image = output + n * pixels * out_c_;
    for (int64_t first = 0; first < pixels; first += chunk_rows_) {
      const int64_t rows = std::min(chunk_rows_, pixels - first);
      im2col(image, first, rows, col);
      gemm_s16(rows, out_c_, patch_, col, patch_, packed_filter_.data(), acc, out_c_);
      for (int64_t r = 0; r < rows; ++r) {
        output_stage_.store_row(acc + r * out_c_, out_image + (first + r) * out_c_);
      }
    }
  }
}

}  // namespace

std::unique_ptr<Kernel> make_conv2d_i8() { return std::make_unique<Conv2DI8>(); }

}  // namespace opscope::reference::int8
