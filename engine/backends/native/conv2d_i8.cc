// CONV_2D, int8, on the native backend: the reference kernel's checks and
// output stage (ChannelOutput, conv_int8.cc), with the GEMM of qgemm.h.
// 1x1 stride-1 unpadded convolutions whose channel count is a multiple of
// 4 multiply the NHWC input directly (each pixel is a row of A); the rest
// copy patches (im2col, int8, padding = the input zero point, which
// contributes 0 as in the reference) into per-task scratch, a chunk of
// output pixels at a time, then run the GEMM on them.
#include <algorithm>
#include <cstring>

#include "engine/backends/native/native_kernel_table.h"
#include "engine/backends/native/qgemm.h"
#include "engine/backends/reference/kernels/conv2d_kernel.h"
#include "engine/backends/reference/kernels/int8/channel_output.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"

namespace opscope::native {
namespace {

constexpr int64_t kRowGrain = 48;  // a multiple of every microkernel's MR

// memcpy for the short rows of im2col (a 3x3 window of 3 channels copies 9
// bytes): fixed-size moves that compile to a few loads and stores instead
// of a library call.
inline void copy_bytes(int8_t* dst, const int8_t* src, size_t n) {
  if (n >= 16) {
    std::memcpy(dst, src, n);
  } else if (n >= 8) {
    std::memcpy(dst, src, 8);
    std::memcpy(dst + n - 8, src + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(dst, src, 4);
    std::memcpy(dst + n - 4, src + n - 4, 4);
  } else {
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
  }
}

class NativeConv2DI8 final : public reference::Conv2DKernel {
 public:
  explicit NativeConv2DI8(const NativeEnv& env) : env_(env) {}
  Status prepare(PrepareContext& ctx) override;
  void run(const RunContext& ctx) override;

 private:
  struct RunArgs {
    const NativeConv2DI8* self;
    const int8_t* input;
    int8_t* output;
    int8_t* scratch;
  };
  static void run_rows(void* context, int64_t task, int64_t begin, int64_t end);
  static void run_panels(void* context, int64_t task, int64_t begin, int64_t end);
  // Patches of output pixels [first, first + rows) (over the whole batch)
  // into col, kp bytes per row.
  void im2col(const int8_t* input, int64_t first, int64_t rows, int8_t* col) const;

  NativeEnv env_;
  reference::int8::ChannelOutput output_stage_;
  QGemm gemm_;
  int8_t in_zp_ = 0;
  bool direct_ = false;
  int64_t rows_total_ = 0;  // batch * out_h * out_w
  int64_t chunk_rows_ = 0;  // im2col rows per chunk
};

Status NativeConv2DI8::prepare(PrepareContext& ctx) {
  OPSCOPE_ASSIGN_OR_RETURN(const shapes::ConvGeometry g, shapes::conv2d_geometry(ctx));
  const auto& attrs = ctx.node().attr<Conv2DAttrs>();
  OPSCOPE_RETURN_IF_ERROR(
      output_stage_.prepare(ctx, /*weight_axis=*/0, g.out_c, attrs.activation));
  bind(ctx, g, attrs.activation);
  in_zp_ = static_cast<int8_t>(output_stage_.input_zero_point());
  const int64_t patch = k_h_ * k_w_ * in_c_;
  OPSCOPE_RETURN_IF_ERROR(reference::int8::expect_accumulator_fits(ctx, patch));
  gemm_.pack(out_c_, patch, ctx.input(1).constant_as<int8_t>(), in_zp_, output_stage_);
  rows_total_ = batch_ * out_h_ * out_w_;
  direct_ = k_h_ == 1 && k_w_ == 1 && stride_h_ == 1 && stride_w_ == 1 && pad_top_ == 0 &&
            pad_left_ == 0 && out_h_ == in_h_ && out_w_ == in_w_ && in_c_ % 4 == 0;
  if (direct_) {
    ctx.set_scratch_bytes(0);
    return Status::ok();
  }
  // About 96 KiB of patches per chunk (they stay in L2 while every column
  // block of the weights passes over them).
  chunk_rows_ = std::max<int64_t>(kRowGrain, (96 * 1024) / gemm_.kp() / kRowGrain * kRowGrain);
  chunk_rows_ = std::min(chunk_rows_, round_up(rows_total_, 8));
  ctx.set_scratch_bytes(static_cast<size_t>(std::max(1, env_.threads) * chunk_rows_ * gemm_.kp()));
  return Status::ok();
}

void NativeConv2DI8::im2col(const int8_t* input, int64_t first, int64_t rows, int8_t* col) const {
  const int64_t kp = gemm_.kp();
  const int64_t pixels = out_h_ * out_w_;
  const size_t row_bytes = static_cast<size_t>(k_w_ * in_c_);
  const size_t c_bytes = static_cast<size_t>(in_c_);
  // The output pixel of row `first`, then stepped without divisions.
  int64_t n = first / pixels;
  int64_t oy = (first % pixels) / out_w_, ox = (first % pixels) % out_w_;
  for (int64_t r = 0; r < rows; ++r) {
    const int8_t* image = input + n * in_h_ * in_w_ * in_c_;
    int8_t* dst = col + r * kp;
    const int64_t ix0 = ox * stride_w_ - pad_left_;
    const bool x_inside = ix0 >= 0 && ix0 + (k_w_ - 1) * dilation_w_ < in_w_;
    for (int64_t ky = 0; ky < k_h_; ++ky) {
      const int64_t iy = oy * stride_h_ - pad_top_ + ky * dilation_h_;
      if (iy < 0 || iy >= in_h_) {
        std::memset(dst, in_zp_, row_bytes);
      } else if (x_inside && dilation_w_ == 1) {
        // The window's row is contiguous in NHWC.
        copy_bytes(dst, image + (iy * in_w_ + ix0) * in_c_, row_bytes);
      } else {
        for (int64_t kx = 0; kx < k_w_; ++kx) {
          const int64_t ix = ix0 + kx * dilation_w_;
          if (ix < 0 || ix >= in_w_) {
            std::memset(dst + kx * in_c_, in_zp_, c_bytes);
          } else {
            std::memcpy(dst + kx * in_c_, image + (iy * in_w_ + ix) * in_c_, c_bytes);
          }
        }
      }
      dst += row_bytes;
    }
    // K's padding to a multiple of 4 meets zero weights; keep it defined.
    for (int8_t* end = col + r * kp + kp; dst < end; ++dst) *dst = in_zp_;
    if (++ox == out_w_) {
      ox = 0;
      if (++oy == out_h_) {
        oy = 0;
        ++n;
      }
    }
  }
}

void NativeConv2DI8::run_rows(void* context, int64_t task, int64_t begin, int64_t end) {
  const auto* a = static_cast<const RunArgs*>(context);
  const NativeConv2DI8& k = *a->self;
  const int64_t n = k.out_c_;
  if (k.direct_) {
    QGemmBlock block{end - begin, 0, n, a->input + begin * k.in_c_, k.in_c_,
                     a->output + begin * n, n};
    k.gemm_.run(k.env_.isa, block);
    return;
  }
  int8_t* col = a->scratch + task * k.chunk_rows_ * k.gemm_.kp();
  for (int64_t first = begin; first < end; first += k.chunk_rows_) {
    const int64_t rows = std::min(k.chunk_rows_, end - first);
    k.im2col(a->input, first, rows, col);
    QGemmBlock block{rows, 0, n, col, k.gemm_.kp(), a->output + first * n, n};
    k.gemm_.run(k.env_.isa, block);
  }
}

// Few rows, several threads: each task takes every row and a range of
// 16-channel panels (direct convolutions only).
void NativeConv2DI8::run_panels(void* context, int64_t, int64_t begin, int64_t end) {
  const auto* a = static_cast<const RunArgs*>(context);
  const NativeConv2DI8& k = *a->self;
  QGemmBlock block{k.rows_total_, begin * kQGemmNr, std::min(end * kQGemmNr, k.out_c_),
                   a->input, k.in_c_, a->output, k.out_c_};
  k.gemm_.run(k.env_.isa, block);
}

void NativeConv2DI8::run(const RunContext& ctx) {
  RunArgs args{this, ctx.data<const int8_t>(input_id_), ctx.data<int8_t>(output_id_),
               static_cast<int8_t*>(ctx.scratch)};
  const int64_t panels = (out_c_ + kQGemmNr - 1) / kQGemmNr;
  if (direct_ && env_.threads > 1 && rows_total_ < env_.threads * kRowGrain && panels > 1) {
    parallel_ranges(env_.threadpool, env_.threads, panels, 1, run_panels, &args);
    return;
  }
  parallel_ranges(env_.threadpool, env_.threads, rows_total_, kRowGrain, run_rows, &args);
}

}  // namespace

bool native_supports_conv2d_i8(const Graph& graph, const Node& node, std::string* why_not) {
  if (!native_expect_i8_io(graph, node, why_not)) return false;
  if (!native_expect_constant_i8_weights(graph, node, 1, why_not)) return false;
  if (node.attr<Conv2DAttrs>().activation == Activation::kTanh) {
    if (why_not) *why_not = "fused TANH has no int8 form";
    return false;
  }
  return true;
}

std::unique_ptr<Kernel> make_native_conv2d_i8(const NativeEnv& env) {
  return std::make_unique<NativeConv2DI8>(env);
}

}  // namespace opscope::native
