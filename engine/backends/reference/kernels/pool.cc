// AVERAGE_POOL_2D and MAX_POOL_2D, f32, NHWC, TFLite semantics: a window is
// clipped to the input, and the average divides by the number of in-bounds
// elements (padding never counts). Windows may be dilated (ONNX MaxPool's
// dilations): taps `dilation` apart, and only in-bounds taps count.
// MAX_POOL_2D also takes u8 with no quantization (ONNX MaxPool on uint8):
// max is order-preserving, so it is the same loop on raw values.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/backends/reference/kernels/int_params.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/window.h"

namespace opscope::reference {
namespace {

enum class PoolKind { kAverage, kMax };

// T is the element type: float, or uint8_t (max only).
template <PoolKind kKind, typename T>
class Pool2D final : public Kernel {
  static constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  static_assert(!kU8 || kKind == PoolKind::kMax, "u8 pools are max only");

 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
    OPSCOPE_RETURN_IF_ERROR(expect_one_output(ctx));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, kU8 ? DType::kU8 : DType::kF32));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_rank(0, 4));
    OPSCOPE_ASSIGN_OR_RETURN(const Pool2DAttrs a, node_attrs<Pool2DAttrs>(ctx));
    if (a.filter_h < 1 || a.filter_w < 1 || a.stride_h < 1 ||
        a.stride_w < 1 || a.dilation_h < 1 || a.dilation_w < 1) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "filter " + std::to_string(a.filter_h) + "x" +
                           std::to_string(a.filter_w) + ", stride " +
                           std::to_string(a.stride_h) + "x" +
                           std::to_string(a.stride_w) + " and dilation " +
                           std::to_string(a.dilation_h) + "x" +
                           std::to_string(a.dilation_w) + " must be positive");
    }
    if constexpr (kU8) {
      // Raw values, or one affine quantization with a positive scale (then
      // max commutes with dequantization and the output shares it).
      const Quantization& q = ctx.input(0).quantization;
      const Quantization& oq = ctx.output(0).quantization;
      const bool positive = q.scales.size() <= 1 &&
                            std::all_of(q.scales.begin(), q.scales.end(),
                                        [](float v) { return v > 0.0f; });
      const bool same = oq.empty() || (oq.scales == q.scales && oq.zero_points == q.zero_points);
      if (a.activation != Activation::kNone || !positive || !same) {
        return ctx.error(ErrorCode::kUnsupportedOp,
                         "u8 MAX_POOL_2D takes raw values or one per-tensor quantization "
                         "with a positive scale, shared by its output; no fused activation");
      }
      quantization_ = q;
    }
    if (a.padding == Padding::kExplicit) {
      const Pads2D& p = a.explicit_pads;
      // A pad as large as the filter would make windows with no input
      // element; ONNX forbids it too.
      const int64_t ext_h = int64_t{a.filter_h - 1} * a.dilation_h + 1;
      const int64_t ext_w = int64_t{a.filter_w - 1} * a.dilation_w + 1;
      if (p.top < 0 || p.bottom < 0 || p.left < 0 || p.right < 0 ||
          p.top >= ext_h || p.bottom >= ext_h || p.left >= ext_w || p.right >= ext_w) {
        return ctx.error(ErrorCode::kInvalidArgument,
                         "explicit pads must be in [0, dilated filter size)");
      }
    }
    const Shape& in = ctx.input(0).shape;
    const WindowDim h = window_dim(a.padding, in[1], a.filter_h, a.stride_h,
                                   a.dilation_h, a.explicit_pads.top,
                                   a.explicit_pads.bottom);
    const WindowDim w = window_dim(a.padding, in[2], a.filter_w, a.stride_w,
                                   a.dilation_w, a.explicit_pads.left,
                                   a.explicit_pads.right);
    if (h.out <= 0 || w.out <= 0) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "filter " + std::to_string(a.filter_h) + "x" +
                           std::to_string(a.filter_w) +
                           " does not fit input " + shape_to_string(in));
    }
    batch_ = in[0];
    in_h_ = in[1];
    in_w_ = in[2];
    channels_ = in[3];
    out_h_ = h.out;
    out_w_ = w.out;
    rows_ = window_spans(h, in_h_, a.filter_h, a.stride_h, a.dilation_h);
    cols_ = window_spans(w, in_w_, a.filter_w, a.stride_w, a.dilation_w);
    if (!every_span_nonempty(rows_) || !every_span_nonempty(cols_)) {
      return ctx.error(ErrorCode::kInvalidArgument,
                       "a dilated window lies wholly in the padding of input " +
                           shape_to_string(in));
    }
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    activation_ = a.activation;
    range_ = activation_range(a.activation);
    Tensor& out = ctx.output(0);
    out.dtype = kU8 ? DType::kU8 : DType::kF32;
    if constexpr (kU8) out.quantization = quantization_;
    out.shape = {batch_, out_h_, out_w_, channels_};
    // Averages accumulate in double: global pools over thousands of pixels
    // (MobileNet-style squeeze-excite) lose ~1e-5 relative in a float sum.
    if constexpr (kKind == PoolKind::kAverage) {
      ctx.set_scratch_bytes(static_cast<size_t>(channels_) * sizeof(double));
    }
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const T* x = ctx.data<const T>(input_id_);
    T* y = ctx.data<T>(output_id_);
    const int64_t c_count = channels_;
    for (int64_t n = 0; n < batch_; ++n) {
      const T* xn = x + n * in_h_ * in_w_ * c_count;
      for (int64_t oh = 0; oh < out_h_; ++oh) {
        const Span rows = rows_[oh];
        for (int64_t ow = 0; ow < out_w_; ++ow) {
          const Span cols = cols_[ow];
          T* out = y + ((n * out_h_ + oh) * out_w_ + ow) * c_count;
          if constexpr (kKind == PoolKind::kAverage) {
            double* acc = static_cast<double*>(ctx.scratch);
            for (int64_t c = 0; c < c_count; ++c) acc[c] = 0.0;
            for (int64_t ih = rows.begin; ih < rows.end; ih += rows.step) {
              for (int64_t iw = cols.begin; iw < cols.end; iw += cols.step) {
                const T* in = xn + (ih * in_w_ + iw) * c_count;
                for (int64_t c = 0; c < c_count; ++c) acc[c] += in[c];
              }
            }
            // prepare guarantees every window holds at least one element.
            const double count = static_cast<double>(rows.count * cols.count);
            for (int64_t c = 0; c < c_count; ++c) {
              out[c] = static_cast<float>(acc[c] / count);
            }
          } else {
            T lowest{0};
            if constexpr (!kU8) lowest = -std::numeric_limits<float>::infinity();
            for (int64_t c = 0; c < c_count; ++c) out[c] = lowest;
            for (int64_t ih = rows.begin; ih < rows.end; ih += rows.step) {
              for (int64_t iw = cols.begin; iw < cols.end; iw += cols.step) {
                const T* in = xn + (ih * in_w_ + iw) * c_count;
                for (int64_t c = 0; c < c_count; ++c) {
                  out[c] = in[c] > out[c] ? in[c] : out[c];
                }
              }
            }
          }
          if constexpr (!kU8) finish(out, c_count);
        }
      }
    }
  }

 private:
  void finish(float* out, int64_t n) const {
    if (activation_ == Activation::kTanh) {
      for (int64_t i = 0; i < n; ++i) out[i] = std::tanh(out[i]);
    } else if (activation_ != Activation::kNone) {
      for (int64_t i = 0; i < n; ++i) out[i] = apply_activation(out[i], range_);
    }
  }

  int input_id_ = -1;
  int output_id_ = -1;
  int64_t batch_ = 0, in_h_ = 0, in_w_ = 0, channels_ = 0;
  int64_t out_h_ = 0, out_w_ = 0;
  std::vector<Span> rows_, cols_;  // window of each output row / column
  Activation activation_ = Activation::kNone;
  ActivationRange range_;
  Quantization quantization_;  // u8: the input's, given to the output
};

}  // namespace

std::unique_ptr<Kernel> make_average_pool2d_f32() {
  return std::make_unique<Pool2D<PoolKind::kAverage, float>>();
}

std::unique_ptr<Kernel> make_max_pool2d_f32() {
  return std::make_unique<Pool2D<PoolKind::kMax, float>>();
}

std::unique_ptr<Kernel> make_max_pool2d_u8() {
  return std::make_unique<Pool2D<PoolKind::kMax, uint8_t>>();
}

}  // namespace opscope::reference
