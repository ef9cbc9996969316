// DEQUANTIZE: f16 / i8 / u8 -> f32, and QUANTIZE: f32 -> i8 / u8.
//
// Affine quantization real = scale * (q - zero_point), per-tensor (one
// scale) or per-channel along Quantization::axis. QUANTIZE rounds as
// TFLite's reference: q = round_half_away_from_zero(x / scale) + zero_point,
// saturated to the dtype's range; with QuantizeAttrs::round_half_to_even
// (ONNX QuantizeLinear) ties go to the even integer instead.
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "engine/backends/reference/kernels/elementwise_util.h"
#include "engine/backends/reference/kernels/half.h"
#include "engine/backends/reference/kernels/kernels.h"

namespace opscope::reference {
namespace {

// The tensor viewed as [outer, channels, inner] with one (scale, zero point)
// per channel; per-tensor quantization is channels == 1.
struct AffineParams {
  std::vector<float> scales;
  std::vector<int32_t> zero_points;
  int64_t outer = 1, channels = 1, inner = 0;
};

struct QRange {
  int32_t min, max;
};

QRange quantized_range(DType dtype) {
  return dtype == DType::kI8 ? QRange{-128, 127} : QRange{0, 255};
}

std::string quantization_error_prefix(const Tensor& t) {
  return "tensor '" + t.name + "' (" + std::string(to_string(t.dtype)) +
         ", " + shape_to_string(t.shape) + "): ";
}

// Reads and checks `t`'s quantization (t is i8 or u8). A quantization with
// one scale is per-tensor whatever its axis says. Zero points may be absent
// (0), one shared, or one per channel. QUANTIZE divides by the scale, so it
// needs positive scales; DEQUANTIZE accepts any finite scale (a per-channel
// weight whose channel is all zero may carry scale 0).
Status affine_params(const PrepareContext& ctx, const Tensor& t,
                     bool positive_scales, AffineParams* p) {
  const Quantization& q = t.quantization;
  const std::string prefix = quantization_error_prefix(t);
  if (q.empty()) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     prefix + "has no quantization parameters");
  }
  const int64_t n = static_cast<int64_t>(q.scales.size());
  const int rank = static_cast<int>(t.shape.size());
  if (n == 1) {
    p->outer = 1;
    p->channels = 1;
    p->inner = t.elements();
  } else {
    if (q.axis < 0 || q.axis >= rank) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       prefix + "has " + std::to_string(n) +
                           " scales but quantization axis " +
                           std::to_string(q.axis) + " is not a dim");
    }
    if (t.shape[q.axis] != n) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       prefix + "has " + std::to_string(n) +
                           " scales for axis " + std::to_string(q.axis) +
                           " of size " + std::to_string(t.shape[q.axis]));
    }
    p->outer = 1;
    for (int d = 0; d < q.axis; ++d) p->outer *= t.shape[d];
    p->channels = n;
    p->inner = 1;
    for (int d = q.axis + 1; d < rank; ++d) p->inner *= t.shape[d];
  }
  const int64_t zps = static_cast<int64_t>(q.zero_points.size());
  if (zps != 0 && zps != 1 && zps != n) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     prefix + "has " + std::to_string(zps) +
                         " zero points for " + std::to_string(n) + " scales");
  }
  const QRange range = quantized_range(t.dtype);
  p->scales.assign(q.scales.begin(), q.scales.end());
  p->zero_points.assign(n, 0);
  for (int64_t c = 0; c < n; ++c) {
    const float scale = q.scales[c];
    if (!std::isfinite(scale) || (positive_scales && !(scale > 0.0f))) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       prefix + "has invalid scale " + std::to_string(scale));
    }
    const int64_t zp = zps == 0 ? 0 : q.zero_points[zps == 1 ? 0 : c];
    if (zp < range.min || zp > range.max) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       prefix + "has zero point " + std::to_string(zp) +
                           " outside the dtype's range");
    }
    p->zero_points[c] = static_cast<int32_t>(zp);
  }
  return Status::ok();
}

template <typename T>
void dequantize(const T* in, float* out, const AffineParams& p) {
  if (p.inner == 1) {  // channels innermost (e.g. per-channel on the last dim)
    for (int64_t o = 0; o < p.outer; ++o) {
      const T* x = in + o * p.channels;
      float* y = out + o * p.channels;
      for (int64_t c = 0; c < p.channels; ++c) {
        y[c] = p.scales[c] *
               static_cast<float>(static_cast<int32_t>(x[c]) - p.zero_points[c]);
      }
    }
    return;
  }
  for (int64_t o = 0; o < p.outer; ++o) {
    for (int64_t c = 0; c < p.channels; ++c) {
      const int64_t base = (o * p.channels + c) * p.inner;
      const float scale = p.scales[c];
      const int32_t zp = p.zero_points[c];
      // q - zp is exact in f32 and the product is rounded once, which is
      // what TFLite's double-precision formula yields too.
      for (int64_t i = 0; i < p.inner; ++i) {
        out[base + i] =
            scale * static_cast<float>(static_cast<int32_t>(in[base + i]) - zp);
      }
    }
  }
}

class DequantizeKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
    OPSCOPE_RETURN_IF_ERROR(expect_single_output(ctx));
    if (!ctx.has_input(0)) {
      return ctx.error(ErrorCode::kInvalidGraph, "input 0 is missing");
    }
    const Tensor& in = ctx.input(0);
    dtype_ = in.dtype;
    if (dtype_ != DType::kF16 && dtype_ != DType::kI8 &&
        dtype_ != DType::kU8) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       "input 0 '" + in.name + "' has dtype " +
                           std::string(to_string(dtype_)) +
                           ", expected f16, i8 or u8");
    }
    if (dtype_ != DType::kF16) {
      OPSCOPE_RETURN_IF_ERROR(affine_params(ctx, in, false, &params_));
    }
    Tensor& out = ctx.output(0);
    out.shape = in.shape;
    out.dtype = DType::kF32;
    size_ = in.elements();
    in_id_ = ctx.input_id(0);
    out_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    float* out = ctx.data<float>(out_id_);
    switch (dtype_) {
      case DType::kF16: {
        const uint16_t* in = ctx.data<const uint16_t>(in_id_);
        for (int64_t i = 0; i < size_; ++i) out[i] = half_to_float(in[i]);
        break;
      }
      case DType::kI8:
        dequantize(ctx.data<const int8_t>(in_id_), out, params_);
        break;
      case DType::kU8:
        dequantize(ctx.data<const uint8_t>(in_id_), out, params_);
        break;
      default:
        break;  // rejected in prepare
    }
  }

 private:
  DType dtype_ = DType::kF16;
  AffineParams params_;
  int64_t size_ = 0;
  int in_id_ = -1, out_id_ = -1;
};

// round(x / scale) + zp saturated to [range.min, range.max]; NaN maps to the
// zero point (real 0). Written so that no out-of-range float is ever cast to
// an integer (undefined behaviour). std::nearbyint rounds half to even in
// the default floating-point environment, which nothing here changes.
inline int32_t quantize_one(float x, float scale, int32_t zp, QRange range,
                            bool half_to_even) {
  const float r = half_to_even ? std::nearbyint(x / scale) : std::round(x / scale);
  const float q = r + static_cast<float>(zp);
  if (q >= static_cast<float>(range.min) && q <= static_cast<float>(range.max)) {
    return static_cast<int32_t>(q);
  }
  if (q < static_cast<float>(range.min)) return range.min;
  if (q > static_cast<float>(range.max)) return range.max;
  return zp;  // NaN
}

template <typename T>
void quantize(const float* in, T* out, const AffineParams& p, QRange range,
              bool half_to_even) {
  for (int64_t o = 0; o < p.outer; ++o) {
    for (int64_t c = 0; c < p.channels; ++c) {
      const int64_t base = (o * p.channels + c) * p.inner;
      const float scale = p.scales[c];
      const int32_t zp = p.zero_points[c];
      for (int64_t i = 0; i < p.inner; ++i) {
        out[base + i] =
            static_cast<T>(quantize_one(in[base + i], scale, zp, range, half_to_even));
      }
    }
  }
}

class QuantizeKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, DType::kF32));
    OPSCOPE_RETURN_IF_ERROR(expect_single_output(ctx));
    Tensor& out = ctx.output(0);
    dtype_ = out.dtype;
    if (dtype_ != DType::kI8 && dtype_ != DType::kU8) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       "output '" + out.name + "' has dtype " +
                           std::string(to_string(dtype_)) +
                           ", expected i8 or u8");
    }
    // The output keeps the dtype and quantization the graph gave it.
    out.shape = ctx.input(0).shape;
    OPSCOPE_RETURN_IF_ERROR(affine_params(ctx, out, true, &params_));
    range_ = quantized_range(dtype_);
    const auto* attrs = std::get_if<QuantizeAttrs>(&ctx.node().attrs);
    half_to_even_ = attrs != nullptr && attrs->round_half_to_even;
    in_id_ = ctx.input_id(0);
    out_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const float* in = ctx.data<const float>(in_id_);
    if (dtype_ == DType::kI8) {
      quantize(in, ctx.data<int8_t>(out_id_), params_, range_, half_to_even_);
    } else {
      quantize(in, ctx.data<uint8_t>(out_id_), params_, range_, half_to_even_);
    }
  }

 private:
  DType dtype_ = DType::kI8;
  AffineParams params_;
  QRange range_{-128, 127};
  bool half_to_even_ = false;
  int in_id_ = -1, out_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_dequantize() {
  return std::make_unique<DequantizeKernel>();
}
std::unique_ptr<Kernel> make_quantize() {
  return std::make_unique<QuantizeKernel>();
}

}  // namespace opscope::reference
