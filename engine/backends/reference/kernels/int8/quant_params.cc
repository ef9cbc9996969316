#include "engine/backends/reference/kernels/int8/quant_params.h"

#include <cmath>

#include "engine/backends/reference/kernels/int8/gemm_s16.h"

namespace opscope::reference::int8 {
namespace {

std::string tensor_label(std::string_view what, const Tensor& t) {
  return std::string(what) + " '" + t.name + "'";
}

bool valid_scale(float s) { return std::isfinite(s) && s > 0.0f; }

}  // namespace

Result<QParams> int8_params(const PrepareContext& ctx, const Tensor& t,
                            std::string_view what) {
  const std::string label = tensor_label(what, t);
  if (t.dtype != DType::kI8) {
    return ctx.error(ErrorCode::kTypeMismatch, label + " has dtype " +
                                                   std::string(to_string(t.dtype)) +
                                                   ", expected i8");
  }
  const Quantization& q = t.quantization;
  if (q.empty()) {
    return ctx.error(ErrorCode::kTypeMismatch, label + " has no quantization parameters");
  }
  if (q.scales.size() != 1 || q.zero_points.size() > 1) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     label + " is quantized per channel (" + std::to_string(q.scales.size()) +
                         " scales); int8 activations need one scale and zero point");
  }
  QParams p;
  p.scale = q.scales[0];
  if (!valid_scale(p.scale)) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     label + " has invalid scale " + std::to_string(p.scale) +
                         " (must be finite and > 0)");
  }
  const int64_t zp = q.zero_points.empty() ? 0 : q.zero_points[0];
  if (zp < -128 || zp > 127) {
    return ctx.error(ErrorCode::kTypeMismatch, label + " has zero point " +
                                                   std::to_string(zp) +
                                                   " outside [-128, 127]");
  }
  p.zero_point = static_cast<int32_t>(zp);
  return p;
}

Result<QParams> int8_input_params(PrepareContext& ctx, int i) {
  if (!ctx.has_input(i)) {
    return ctx.error(ErrorCode::kInvalidGraph, "input " + std::to_string(i) + " is missing");
  }
  return int8_params(ctx, ctx.input(i), "input " + std::to_string(i));
}

Result<QParams> int8_output_params(PrepareContext& ctx) {
  if (ctx.num_outputs() != 1 || ctx.output_id(0) < 0) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "expects 1 output, has " + std::to_string(ctx.num_outputs()));
  }
  return int8_params(ctx, ctx.output(0), "output");
}

Result<std::vector<float>> int8_weight_scales(PrepareContext& ctx, int i, int channel_axis,
                                              int64_t channels) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_constant_input(i));
  const Tensor& w = ctx.input(i);
  const std::string label = tensor_label("weights", w);
  if (w.dtype != DType::kI8) {
    return ctx.error(ErrorCode::kTypeMismatch, label + " have dtype " +
                                                   std::string(to_string(w.dtype)) +
                                                   ", expected i8");
  }
  if (w.data == nullptr || w.data_bytes < w.bytes()) {
    return ctx.error(ErrorCode::kInvalidGraph, label + " carry fewer bytes than their shape");
  }
  const Quantization& q = w.quantization;
  if (q.empty()) {
    return ctx.error(ErrorCode::kTypeMismatch, label + " have no quantization parameters");
  }
  const int64_t n = static_cast<int64_t>(q.scales.size());
  if (n != 1) {
    if (q.axis != channel_axis) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       label + " are quantized along axis " + std::to_string(q.axis) +
                           ", expected the output-channel axis " +
                           std::to_string(channel_axis));
    }
    if (n != channels) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       label + " have " + std::to_string(n) + " scales for " +
                           std::to_string(channels) + " output channels");
    }
  }
  if (!q.zero_points.empty() && static_cast<int64_t>(q.zero_points.size()) != 1 &&
      static_cast<int64_t>(q.zero_points.size()) != n) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     label + " have " + std::to_string(q.zero_points.size()) +
                         " zero points for " + std::to_string(n) + " scales");
  }
  for (int64_t zp : q.zero_points) {
    if (zp != 0) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       label + " have zero point " + std::to_string(zp) +
                           "; int8 weights must be symmetric (zero point 0)");
    }
  }
  std::vector<float> scales(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) {
    const float s = q.scales[n == 1 ? 0 : c];
    if (!valid_scale(s)) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       label + " have invalid scale " + std::to_string(s) + " for channel " +
                           std::to_string(c) + " (must be finite and > 0)");
    }
    scales[c] = s;
  }
  return scales;
}

Status expect_int32_bias(PrepareContext& ctx, int i, int64_t channels, float input_scale,
                         const std::vector<float>& weight_scales) {
  if (!ctx.has_input(i)) return Status::ok();
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_constant_input(i));
  const Tensor& b = ctx.input(i);
  const std::string label = tensor_label("bias", b);
  if (b.dtype != DType::kI32) {
    return ctx.error(ErrorCode::kTypeMismatch, label + " has dtype " +
                                                   std::string(to_string(b.dtype)) +
                                                   ", expected i32 for int8 ops");
  }
  if (b.elements() != channels || b.shape.size() != 1) {
    return ctx.error(ErrorCode::kShapeMismatch, label + " has shape " +
                                                    shape_to_string(b.shape) + ", expected [" +
                                                    std::to_string(channels) + "]");
  }
  if (b.data == nullptr || b.data_bytes < b.bytes()) {
    return ctx.error(ErrorCode::kInvalidGraph, label + " carries fewer bytes than its shape");
  }
  const std::vector<float>& bs = b.quantization.scales;
  if (bs.empty()) return Status::ok();
  if (bs.size() != 1 && static_cast<int64_t>(bs.size()) != channels) {
    return ctx.error(ErrorCode::kTypeMismatch, label + " has " + std::to_string(bs.size()) +
                                                   " scales for " + std::to_string(channels) +
                                                   " channels");
  }
  for (int64_t c = 0; c < channels; ++c) {
    const double want = static_cast<double>(input_scale) * weight_scales[c];
    const double got = bs[bs.size() == 1 ? 0 : c];
    if (!(std::fabs(got - want) <= 1e-3 * want)) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       label + " has scale " + std::to_string(got) + " for channel " +
                           std::to_string(c) + ", expected input scale * weight scale = " +
                           std::to_string(want));
    }
  }
  return Status::ok();
}

Result<Int8Range> int8_activation_range(const PrepareContext& ctx, Activation activation,
                                        QParams out) {
  auto q = [&out](float x) {
    return out.zero_point + static_cast<int32_t>(std::round(x / out.scale));
  };
  Int8Range r;
  switch (activation) {
    case Activation::kNone:
      break;
    case Activation::kRelu:
      r.min = std::max(r.min, q(0.0f));
      break;
    case Activation::kRelu6:
      r.min = std::max(r.min, q(0.0f));
      r.max = std::min(r.max, q(6.0f));
      break;
    case Activation::kReluN1To1:
      r.min = std::max(r.min, q(-1.0f));
      r.max = std::min(r.max, q(1.0f));
      break;
    case Activation::kTanh:
      return ctx.error(ErrorCode::kUnsupportedOp,
                       "a fused TANH activation is not supported on int8");
    default:
      return ctx.error(ErrorCode::kInvalidGraph,
                       "has an unknown fused activation (" +
                           std::to_string(static_cast<int>(activation)) + ")");
  }
  if (r.min > r.max) {
    return ctx.error(ErrorCode::kInvalidArgument,
                     "the fused activation leaves an empty int8 output range [" +
                         std::to_string(r.min) + ", " + std::to_string(r.max) + "]");
  }
  return r;
}

std::vector<QuantizedMultiplier> conv_multipliers(float input_scale,
                                                  const std::vector<float>& weight_scales,
                                                  float output_scale) {
  std::vector<QuantizedMultiplier> m(weight_scales.size());
  for (size_t c = 0; c < weight_scales.size(); ++c) {
    m[c] = quantize_multiplier(static_cast<double>(input_scale) *
                               static_cast<double>(weight_scales[c]) /
                               static_cast<double>(output_scale));
  }
  return m;
}

Status expect_accumulator_fits(const PrepareContext& ctx, int64_t k) {
  if (k > kGemmS16MaxK) {
    return ctx.error(ErrorCode::kUnsupportedOp,
                     "a dot product of " + std::to_string(k) +
                         " int8 terms could overflow the int32 accumulator (limit " +
                         std::to_string(kGemmS16MaxK) + ")");
  }
  return Status::ok();
}

Status expect_same_params(const PrepareContext& ctx, QParams in, QParams out) {
  if (std::fabs(in.scale - out.scale) > 1e-6 * in.scale || in.zero_point != out.zero_point) {
    return ctx.error(ErrorCode::kTypeMismatch,
                     "output quantization (scale " + std::to_string(out.scale) +
                         ", zero point " + std::to_string(out.zero_point) +
                         ") must equal the input's (scale " + std::to_string(in.scale) +
                         ", zero point " + std::to_string(in.zero_point) + ") for int8 " +
                         std::string(to_string(ctx.node().op)));
  }
  return Status::ok();
}

}  // namespace opscope::reference::int8
