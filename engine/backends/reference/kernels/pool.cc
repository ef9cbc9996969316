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
#include <utility>
#include <variant>
#include <vector>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"
#include "engine/backends/reference/kernels/kernels.h"

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
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, kU8 ? DType::kU8 : DType::kF32));
    if constexpr (kU8) {
      // Raw values, or one affine quantization with a positive scale (then
      // max commutes with dequantization and the output shares it).
      const Quantization& q = ctx.input(0).quantization;
      const Quantization& oq = ctx.output(0).quantization;
      const bool positive = q.scales.size() <= 1 &&
                            std::all_of(q.scales.begin(), q.scales.end(),
                                        [](float v) { return v > 0.0f; });
      const bool same = oq.empty() || (oq.scales == q.scales && oq.zero_points == q.zero_points);
      const auto* a = std::get_if<Pool2DAttrs>(&ctx.node().attrs);
      if ((a != nullptr && a->activation != Activation::kNone) || !positive || !same) {
        return ctx.error(ErrorCode::kUnsupportedOp,
                         "u8 MAX_POOL_2D takes raw values or one per-tensor quantization "
                         "with a positive scale, shared by its output; no fused activation");
      }
    }
    // The output's shape (and, for u8, its dtype and quantization) and the
    // window of every output row and column.
    OPSCOPE_ASSIGN_OR_RETURN(shapes::PoolWindow window, shapes::pool2d_window(ctx));
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
    activation_ = std::get<Pool2DAttrs>(ctx.node().attrs).activation;
    range_ = activation_range(activation_);
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
        const shapes::Span rows = rows_[oh];
        for (int64_t ow = 0; ow < out_w_; ++ow) {
          const shapes::Span cols = cols_[ow];
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
  std::vector<shapes::Span> rows_, cols_;  // window of each output row / column
  Activation activation_ = Activation::kNone;
  ActivationRange range_;
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
