// TRANSPOSE_CONV (and MediaPipe's Convolution2DTransposeBias), f32, for
// windows that do not overlap (kernel = stride, the 2x upsampling heads of
// segmentation models). There every output pixel takes exactly one tap of
// one input pixel:
//
//   out[oy, ox, o] = bias[o] + dot(x[iy, ix, :], w[o, ky, kx, :]),
//   iy * s_h + ky = oy + pad_top,  ix * s_w + kx = ox + pad_left,
//
// so an input row gives k_h whole output rows: each input pixel's
// k_h * k_w * O dot products of length I (rows ordered ky, kx, o) go to a
// per-task buffer, pixel after pixel; tap row ky of every pixel is then
// copied to output row iy * s_h + ky - pad_top (cropped by the pads).
// XNNPACK's deconvolution and the reference's GEMM + col2im are built for
// many output channels; with O = 1 (a mask head) they spend their time on
// one-column tiles and the scatter. This kernel is the one float kernel of
// the native backend; it agrees with the reference within float rounding
// (sums in another order), not bit for bit.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "engine/backends/native/aligned_vector.h"
#include "engine/backends/native/kernels/native_kernels.h"
#include "engine/backends/native/kernels/native_support.h"
#include "engine/backends/native/kernels/native_ukernels.h"
#include "engine/backends/native/qgemm.h"
#include "engine/backends/reference/kernels/activation.h"
#include "engine/backends/reference/kernels/conv2d_kernel.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::native {
namespace {

void rows_portable(const ukernels::TConvRows& r) {
  for (int64_t p = 0; p < r.pixels; ++p) {
    const float* x = r.x + p * r.in_c;
    float* out = r.out + p * r.pixel_step;
    for (int64_t row = 0; row < r.n; ++row) {
      const float* w = r.w + row * r.in_cp;
      float acc = 0.0f;
      for (int64_t c = 0; c < r.in_c; ++c) acc += x[c] * w[c];
      out[row] = acc + r.bias[row];
    }
  }
}

// dst[i * kWidth + j] = src[i * stride + j] for i < count, j < kWidth.
template <int kWidth>
void copy_strided(const float* src, int64_t stride, float* dst, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    float v[kWidth];
    std::memcpy(v, src + i * stride, sizeof(v));
    std::memcpy(dst + i * kWidth, v, sizeof(v));
  }
}

class TransposeConvF32 final : public reference::Conv2DKernel {
 public:
  explicit TransposeConvF32(const NativeEnv& env) : env_(env) {}

  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(expect_conv2d_inputs(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(const shapes::ConvGeometry g, shapes::transpose_conv_geometry(ctx));
    bind(ctx, g, ctx.node().attr<TransposeConvAttrs>().activation);
    if (k_h_ != stride_h_ || k_w_ != stride_w_) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "the native TRANSPOSE_CONV takes non-overlapping windows only (kernel = stride)");
    }
    if (!ctx.input(1).is_constant() || (bias_id_ >= 0 && !ctx.input(2).is_constant())) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "the native TRANSPOSE_CONV packs a constant filter and bias at prepare");
    }
    rows_ = k_h_ * k_w_ * out_c_;
    in_cp_ = round_up(std::max<int64_t>(in_c_, 1), 16);
    const int64_t rows4 = round_up(rows_, 4);
    tap_row_ = k_w_ * out_c_;
    w_.assign(static_cast<size_t>(rows4 * in_cp_), 0.0f);
    bias_.assign(static_cast<size_t>(rows4), 0.0f);
    channel_bias_.assign(static_cast<size_t>(out_c_), 0.0f);
    const float* filter = ctx.input(1).constant_as<float>();  // OHWI
    const float* bias = bias_id_ >= 0 ? ctx.input(2).constant_as<float>() : nullptr;
    if (bias) std::copy(bias, bias + out_c_, channel_bias_.begin());
    for (int64_t ky = 0; ky < k_h_; ++ky) {
      for (int64_t kx = 0; kx < k_w_; ++kx) {
        for (int64_t o = 0; o < out_c_; ++o) {
          const int64_t r = (ky * k_w_ + kx) * out_c_ + o;
          const float* src = filter + ((o * k_h_ + ky) * k_w_ + kx) * in_c_;
          std::copy(src, src + in_c_, w_.begin() + r * in_cp_);
          bias_[r] = channel_bias_[o];
        }
      }
    }
    // Output columns past the input's reach (an output shape wider than
    // in_w * s_w - pad_left) keep the bias.
    covered_w_ = std::clamp<int64_t>(in_w_ * k_w_ - pad_left_, 0, out_w_);
    rows_fn_ = rows_portable;
#if defined(__x86_64__)
    if (env_.isa == Isa::kAvx512Vnni) {
      rows_fn_ = ukernels::transpose_conv_f32_rows_avx512;
    } else if (env_.isa == Isa::kAvx2 || env_.isa == Isa::kAvxVnni) {
      rows_fn_ = ukernels::transpose_conv_f32_rows_avx2;
    }
#endif
    ctx.set_scratch_bytes(static_cast<size_t>(std::max(1, env_.threads) * task_floats()) *
                          sizeof(float));
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    Args a{this, ctx.data<const float>(input_id_), ctx.data<float>(output_id_),
           static_cast<float*>(ctx.scratch), 0};
    for (a.image = 0; a.image < batch_; ++a.image) {
      // Output rows no input row reaches keep the bias.
      for (int64_t oy = 0; oy < out_h_; ++oy) {
        const int64_t t = oy + pad_top_;
        if (t < 0 || t >= in_h_ * stride_h_) finish_row(output_row(a, oy), nullptr, 0);
      }
      parallel_ranges(env_.threadpool, env_.threads, in_h_, 1, run_rows, &a);
    }
  }

 private:
  struct Args {
    const TransposeConvF32* k;
    const float* input;
    float* output;
    float* scratch;
    int64_t image;
  };

  int64_t task_floats() const { return in_w_ * rows_; }

  float* output_row(const Args& a, int64_t oy) const {
    return a.output + ((a.image * out_h_ + oy) * out_w_) * out_c_;
  }

  // Fills output row `out` with tap row `ky` of the buffer's pixels (pixel
  // ix's k_w * O values land at output column ix * k_w - pad_left) where
  // they reach, the bias elsewhere, then applies the fused activation.
  void finish_row(float* out, const float* buffer, int64_t ky) const {
    const int64_t lo = pad_left_ * out_c_, hi = lo + covered_w_ * out_c_;
    if (buffer && hi > lo) {
      const int64_t first = lo / tap_row_, last = (hi - 1) / tap_row_;
      // The pixels cut by the pads, value by value.
      for (int64_t ix : {first, last}) {
        const float* src = buffer + ix * rows_ + ky * tap_row_;
        float* dst = out + ix * tap_row_ - lo;
        const int64_t j0 = std::max<int64_t>(0, lo - ix * tap_row_);
        const int64_t j1 = std::min(tap_row_, hi - ix * tap_row_);
        for (int64_t j = j0; j < j1; ++j) dst[j] = src[j];
      }
      // The whole ones between; a fixed-size copy for the common widths
      // (a variable one becomes a memcpy call per pixel).
      const float* src = buffer + (first + 1) * rows_ + ky * tap_row_;
      float* dst = out + (first + 1) * tap_row_ - lo;
      const int64_t count = last - first - 1;
      switch (tap_row_) {
        case 1: copy_strided<1>(src, rows_, dst, count); break;
        case 2: copy_strided<2>(src, rows_, dst, count); break;
        case 4: copy_strided<4>(src, rows_, dst, count); break;
        default:
          for (int64_t i = 0; i < count; ++i) {
            std::copy(src + i * rows_, src + i * rows_ + tap_row_, dst + i * tap_row_);
          }
      }
    }
    for (int64_t ox = buffer ? covered_w_ : 0; ox < out_w_; ++ox) {
      std::copy(channel_bias_.begin(), channel_bias_.end(), out + ox * out_c_);
    }
    reference::apply_activation(out, out_w_ * out_c_, activation_);
  }

  static void run_rows(void* context, int64_t task, int64_t begin, int64_t end) {
    const auto& a = *static_cast<const Args*>(context);
    const TransposeConvF32& k = *a.k;
    float* buffer = a.scratch + task * k.task_floats();
    ukernels::TConvRows r;
    r.pixels = k.in_w_;
    r.in_c = k.in_c_;
    r.in_cp = k.in_cp_;
    r.w = k.w_.data();
    r.bias = k.bias_.data();
    r.n = k.rows_;
    r.pixel_step = k.rows_;
    r.out = buffer;
    for (int64_t iy = begin; iy < end; ++iy) {
      r.x = a.input + ((a.image * k.in_h_ + iy) * k.in_w_) * k.in_c_;
      k.rows_fn_(r);
      for (int64_t ky = 0; ky < k.k_h_; ++ky) {
        const int64_t oy = iy * k.stride_h_ + ky - k.pad_top_;
        if (oy < 0 || oy >= k.out_h_) continue;
        k.finish_row(k.output_row(a, oy), buffer, ky);
      }
    }
  }

  NativeEnv env_;
  int64_t rows_ = 0, in_cp_ = 0, tap_row_ = 0, covered_w_ = 0;
  AlignedVector<float> w_, bias_, channel_bias_;
  void (*rows_fn_)(const ukernels::TConvRows&) = rows_portable;
};

bool is_f32(const Graph& graph, int id) { return id >= 0 && graph.tensors[id].dtype == DType::kF32; }

}  // namespace

bool native_supports_transpose_conv_f32(const Graph& graph, const Node& node,
                                        std::string* why_not) {
  if (node.op != OpKind::kTransposeConv) return decline(why_not, "not TRANSPOSE_CONV");
  if (node.inputs.size() < 2 || node.inputs.size() > 3 || node.outputs.size() != 1) {
    return decline(why_not, "TRANSPOSE_CONV needs (input, filter, bias?) and one output");
  }
  const bool has_bias = node.inputs.size() == 3 && node.inputs[2] >= 0;
  if (!is_f32(graph, node.inputs[0]) || !is_f32(graph, node.inputs[1]) ||
      (has_bias && !is_f32(graph, node.inputs[2])) || !is_f32(graph, node.outputs[0])) {
    return decline(why_not, "native runs TRANSPOSE_CONV in f32 only");
  }
  const Tensor& filter = graph.tensors[node.inputs[1]];
  if (!filter.is_constant() || (has_bias && !graph.tensors[node.inputs[2]].is_constant())) {
    return decline(why_not, "the filter or bias is not constant: they are packed at prepare");
  }
  if (filter.shape.size() != 4) return decline(why_not, "the filter is not OHWI");
  const auto& attrs = std::get<TransposeConvAttrs>(node.attrs);
  if (attrs.stride_h != filter.shape[1] || attrs.stride_w != filter.shape[2]) {
    return decline(why_not, "windows overlap (kernel " + std::to_string(filter.shape[1]) + "x" +
                                std::to_string(filter.shape[2]) + ", stride " +
                                std::to_string(attrs.stride_h) + "x" +
                                std::to_string(attrs.stride_w) +
                                "): native takes kernel = stride only");
  }
  return true;
}

std::unique_ptr<Kernel> make_native_transpose_conv_f32(const NativeEnv& env) {
  return std::make_unique<TransposeConvF32>(env);
}

}  // namespace opscope::native
