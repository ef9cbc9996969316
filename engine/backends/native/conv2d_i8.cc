// CONV_2D, int8, on the native backend: the reference kernel's checks and
// output stage (ChannelOutput, conv_int8.cc), with the GEMM of qgemm.h.
// 1x1 stride-1 unpadded convolutions whose channel count is a multiple of
// 4 multiply the NHWC input directly (each pixel is a row of A); the rest
// copy patches (im2col, int8, padding = the input zero point, which
// contributes 0 as in the reference) into per-task scratch, a chunk of
// output pixels at a time, then run the GEMM on them. With undilated
// window rows, run() first copies the input into a zero-point-bordered
// buffer (flipped to the GEMM's unsigned bytes where the microkernels take
// them, QGemmBlock::a_flipped), where every window row lies whole:
// - a window row (k_w * C bytes) of at most 32 bytes, as in the 3-channel
//   stems, goes into the patch as one fixed 16- or 32-byte move with no
//   bounds checks (the moves overrun into bytes written next; the buffers
//   have 32 bytes of slack);
// - longer ones in whole groups of 4 bytes are not copied at all where the
//   microkernels read rows through pointers (QGemmBlock::ind): each patch
//   is k_h pointers into the bordered buffer.
#include <algorithm>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "engine/backends/native/native_kernel_table.h"
#include "engine/backends/native/qgemm.h"
#include "engine/backends/reference/kernels/conv2d_kernel.h"
#include "engine/backends/reference/kernels/int8/channel_output.h"
#include "engine/backends/reference/kernels/int8/quant_params.h"

namespace opscope::native {
namespace {

constexpr int64_t kRowGrain = 48;  // a multiple of every microkernel's MR
constexpr int64_t kMoveBytes = 32;  // the bordered im2col's widest window-row move

// memcpy for the rows of im2col, flipping every byte (x ^ 0x80, the
// GEMM's unsigned form: QGemmBlock::a_flipped) when FLIP. The short rows
// (a 3x3 window of 3 channels copies 9 bytes) take fixed-size moves that
// compile to a few loads and stores instead of a library call.
template <bool FLIP>
inline void move8(int8_t* dst, const int8_t* src) {
  uint64_t v;
  std::memcpy(&v, src, 8);
  if (FLIP) v ^= 0x8080808080808080u;
  std::memcpy(dst, &v, 8);
}

template <bool FLIP>
inline void move4(int8_t* dst, const int8_t* src) {
  uint32_t v;
  std::memcpy(&v, src, 4);
  if (FLIP) v ^= 0x80808080u;
  std::memcpy(dst, &v, 4);
}

template <bool FLIP>
inline void copy_bytes(int8_t* dst, const int8_t* src, size_t n) {
  if (!FLIP && n >= 16) {
    std::memcpy(dst, src, n);
#if defined(__SSE2__)
  } else if (n >= 16) {
    const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80));
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_xor_si128(v, flip));
    }
    if (i < n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + n - 16));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + n - 16), _mm_xor_si128(v, flip));
    }
#endif
  } else if (n >= 8) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) move8<FLIP>(dst + i, src + i);
    if (i < n) move8<FLIP>(dst + n - 8, src + n - 8);
  } else if (n >= 4) {
    move4<FLIP>(dst, src);
    move4<FLIP>(dst + n - 4, src + n - 4);
  } else {
    for (size_t i = 0; i < n; ++i) dst[i] = FLIP ? static_cast<int8_t>(src[i] ^ 0x80) : src[i];
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
  template <bool FLIP>
  void im2col(const int8_t* input, int64_t first, int64_t rows, int8_t* col) const;
  // The window rows of output pixels [first, first + rows) for an
  // indirect GEMM (indirect_): k_h pointers per pixel into the bordered
  // buffer.
  void indirection(const int8_t* padded, int64_t first, int64_t rows, const int8_t** ind) const;
  // The same from the bordered buffer (bordered_, already flipped where
  // flip_), W = 16 or 32 >= k_w * C.
  template <int W>
  void im2col_bordered(const int8_t* padded, int64_t first, int64_t rows, int8_t* col) const;
  // The input, every image bordered by the zero point: pad_h_ x pad_w_
  // pixels, the first input pixel at (pad_top_, pad_left_).
  void border(const int8_t* input, int8_t* padded) const;

  // Per-task scratch: im2col rows (chunk_rows_ x kp, 32 bytes of slack),
  // or, when indirect_, chunk_rows_ x k_h pointers.
  size_t task_bytes() const {
    if (indirect_) return static_cast<size_t>(chunk_rows_ * k_h_) * sizeof(const int8_t*);
    return static_cast<size_t>(round_up(chunk_rows_ * gemm_.kp() + kMoveBytes, 64));
  }

  NativeEnv env_;
  reference::int8::ChannelOutput output_stage_;
  QGemm gemm_;
  int8_t in_zp_ = 0;
  int8_t fill_ = 0;     // padding: the input zero point, flipped where flip_
  bool flip_ = false;   // im2col writes x ^ 0x80 (QGemmBlock::a_flipped)
  bool direct_ = false;
  bool bordered_ = false;   // run() first builds the bordered buffer
  bool indirect_ = false;   // the GEMM reads its window rows (QGemmBlock::ind)
  int64_t pad_h_ = 0, pad_w_ = 0;  // the bordered image's extent (pixels)
  size_t pad_bytes_ = 0;          // the bordered buffer, slack included
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
  // Short window rows: copied from the bordered buffer in fixed moves.
  const bool short_rows = dilation_h_ == 1 && dilation_w_ == 1 && k_w_ * in_c_ <= kMoveBytes;
  // Longer ones in whole groups of 4 bytes: read in the bordered buffer by
  // the microkernels that can, with no copy.
  indirect_ = !short_rows && QGemm::reads_indirect(env_.isa) && dilation_w_ == 1 &&
              (k_w_ * in_c_) % 4 == 0;
  bordered_ = short_rows || indirect_;
  flip_ = QGemm::reads_flipped(env_.isa);
  fill_ = static_cast<int8_t>(flip_ ? in_zp_ ^ 0x80 : in_zp_);
  pad_bytes_ = 0;
  if (bordered_) {
    pad_h_ = (out_h_ - 1) * stride_h_ + (k_h_ - 1) * dilation_h_ + 1;
    pad_w_ = (out_w_ - 1) * stride_w_ + k_w_;
    pad_bytes_ = static_cast<size_t>(round_up(batch_ * pad_h_ * pad_w_ * in_c_ + kMoveBytes, 64));
  }
  ctx.set_scratch_bytes(pad_bytes_ +
                        static_cast<size_t>(std::max(1, env_.threads)) * task_bytes());
  return Status::ok();
}

void NativeConv2DI8::border(const int8_t* input, int8_t* padded) const {
  const size_t c = static_cast<size_t>(in_c_);
  const int64_t copy_w = std::min(in_w_, pad_w_ - pad_left_);
  const size_t left = static_cast<size_t>(pad_left_) * c;
  const size_t middle = static_cast<size_t>(std::max<int64_t>(copy_w, 0)) * c;
  const size_t row = static_cast<size_t>(pad_w_) * c;
  for (int64_t n = 0; n < batch_; ++n) {
    const int8_t* image = input + n * in_h_ * in_w_ * in_c_;
    for (int64_t py = 0; py < pad_h_; ++py, padded += row) {
      const int64_t iy = py - pad_top_;
      if (iy < 0 || iy >= in_h_ || middle == 0) {
        std::memset(padded, fill_, row);
        continue;
      }
      std::memset(padded, fill_, left);
      if (flip_) {
        copy_bytes<true>(padded + left, image + iy * in_w_ * in_c_, middle);
      } else {
        std::memcpy(padded + left, image + iy * in_w_ * in_c_, middle);
      }
      std::memset(padded + left + middle, fill_, row - left - middle);
    }
  }
  std::memset(padded, fill_, kMoveBytes);  // the slack that the last moves read
}

template <int W>
void NativeConv2DI8::im2col_bordered(const int8_t* padded, int64_t first, int64_t rows,
                                     int8_t* col) const {
  const int64_t kp = gemm_.kp();
  const int64_t pixels = out_h_ * out_w_;
  const int64_t row_bytes = k_w_ * in_c_;
  const int64_t patch = k_h_ * row_bytes;
  const int64_t line = pad_w_ * in_c_;
  const int64_t x_step = stride_w_ * in_c_;
  int64_t n = first / pixels;
  int64_t oy = (first % pixels) / out_w_, ox = (first % pixels) % out_w_;
  const int8_t* src = padded + ((n * pad_h_ + oy * stride_h_) * pad_w_ + ox * stride_w_) * in_c_;
  for (int64_t r = 0; r < rows; ++r) {
    int8_t* dst = col + r * kp;
    const int8_t* s = src;
    for (int64_t ky = 0; ky < k_h_; ++ky, s += line, dst += row_bytes) std::memcpy(dst, s, W);
    // K's padding to a multiple of 4 meets zero weights; keep it defined.
    for (int64_t p = patch; p < kp; ++p) col[r * kp + p] = fill_;
    src += x_step;
    if (++ox == out_w_) {
      ox = 0;
      if (++oy == out_h_) {
        oy = 0;
        ++n;
      }
      if (r + 1 < rows) src = padded + ((n * pad_h_ + oy * stride_h_) * pad_w_) * in_c_;
    }
  }
}

template <bool FLIP>
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
        std::memset(dst, fill_, row_bytes);
      } else if (x_inside && dilation_w_ == 1) {
        // The window's row is contiguous in NHWC.
        copy_bytes<FLIP>(dst, image + (iy * in_w_ + ix0) * in_c_, row_bytes);
      } else {
        for (int64_t kx = 0; kx < k_w_; ++kx) {
          const int64_t ix = ix0 + kx * dilation_w_;
          if (ix < 0 || ix >= in_w_) {
            std::memset(dst + kx * in_c_, fill_, c_bytes);
          } else {
            copy_bytes<FLIP>(dst + kx * in_c_, image + (iy * in_w_ + ix) * in_c_, c_bytes);
          }
        }
      }
      dst += row_bytes;
    }
    // K's padding to a multiple of 4 meets zero weights; keep it defined.
    for (int8_t* end = col + r * kp + kp; dst < end; ++dst) *dst = fill_;
    if (++ox == out_w_) {
      ox = 0;
      if (++oy == out_h_) {
        oy = 0;
        ++n;
      }
    }
  }
}

void NativeConv2DI8::indirection(const int8_t* padded, int64_t first, int64_t rows,
                                 const int8_t** ind) const {
  const int64_t pixels = out_h_ * out_w_;
  const int64_t line = pad_w_ * in_c_;
  const int64_t y_step = dilation_h_ * line;
  const int64_t x_step = stride_w_ * in_c_;
  int64_t n = first / pixels;
  int64_t oy = (first % pixels) / out_w_, ox = (first % pixels) % out_w_;
  const int8_t* src = padded + ((n * pad_h_ + oy * stride_h_) * pad_w_ + ox * stride_w_) * in_c_;
  for (int64_t r = 0; r < rows; ++r, ind += k_h_) {
    for (int64_t ky = 0; ky < k_h_; ++ky) ind[ky] = src + ky * y_step;
    src += x_step;
    if (++ox == out_w_) {
      ox = 0;
      if (++oy == out_h_) {
        oy = 0;
        ++n;
      }
      if (r + 1 < rows) src = padded + ((n * pad_h_ + oy * stride_h_) * pad_w_) * in_c_;
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
  int8_t* col = a->scratch + k.pad_bytes_ + static_cast<size_t>(task) * k.task_bytes();
  const bool narrow = k.k_w_ * k.in_c_ <= 16;
  if (k.indirect_) {
    auto** ind = reinterpret_cast<const int8_t**>(col);
    for (int64_t first = begin; first < end; first += k.chunk_rows_) {
      const int64_t rows = std::min(k.chunk_rows_, end - first);
      k.indirection(a->scratch, first, rows, ind);
      QGemmBlock block{rows, 0, n, nullptr, 0, a->output + first * n, n, k.flip_, ind, k.k_h_};
      k.gemm_.run(k.env_.isa, block);
    }
    return;
  }
  for (int64_t first = begin; first < end; first += k.chunk_rows_) {
    const int64_t rows = std::min(k.chunk_rows_, end - first);
    if (!k.bordered_) {
      if (k.flip_) {
        k.im2col<true>(a->input, first, rows, col);
      } else {
        k.im2col<false>(a->input, first, rows, col);
      }
    } else if (narrow) {
      k.im2col_bordered<16>(a->scratch, first, rows, col);
    } else {
      k.im2col_bordered<32>(a->scratch, first, rows, col);
    }
    QGemmBlock block{rows, 0, n, col, k.gemm_.kp(), a->output + first * n, n, k.flip_};
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
  if (bordered_) border(args.input, args.scratch);
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
