#include "engine/transforms/quantize/quantize_weights.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "engine/transforms/quantize/range_choice.h"

namespace opscope {

namespace {

Tensor constant_like(const Tensor& src, DType dtype, std::string name) {
  Tensor t;
  t.name = std::move(name);
  t.dtype = dtype;
  t.shape = src.shape;
  t.role = TensorRole::kConstant;
  return t;
}

int8_t saturate_i8(double v, double lo, double hi) {
  return static_cast<int8_t>(std::clamp(std::round(v), lo, hi));
}

}  // namespace

Tensor quantize_symmetric_int8(const Tensor& w, int axis, std::string name,
                               const std::vector<float>& min_scales) {
  Tensor out = constant_like(w, DType::kI8, std::move(name));
  const float* x = w.constant_as<float>();
  const int64_t n = w.elements();
  int64_t channels = 1, inner = n;
  if (axis >= 0) {
    channels = w.shape[axis];
    inner = 1;
    for (size_t d = axis + 1; d < w.shape.size(); ++d) inner *= w.shape[d];
  }
  // Element k belongs to channel (k / inner) % channels.
  std::vector<float> max_abs(channels, 0.0f);
  for (int64_t k = 0; k < n; ++k) {
    const int64_t c = (k / inner) % channels;
    max_abs[c] = std::max(max_abs[c], std::fabs(x[k]));
  }
  // An all-zero channel quantizes to zeros whatever its scale; give it the
  // largest scale of the others (1 when all are zero) so that its
  // requantization multiplier stays in the range of the others.
  const float largest = *std::max_element(max_abs.begin(), max_abs.end());
  out.quantization.axis = axis;
  for (int64_t c = 0; c < channels; ++c) {
    const float m = max_abs[c] > 0 ? max_abs[c] : (largest > 0 ? largest : 127.0f);
    float scale = m / 127.0f;
    if (!min_scales.empty()) {
      scale = std::max(scale, min_scales[min_scales.size() == 1 ? 0 : c]);
    }
    out.quantization.scales.push_back(scale);
    out.quantization.zero_points.push_back(0);
  }
  std::vector<uint8_t> bytes(n);
  for (int64_t k = 0; k < n; ++k) {
    const float s = out.quantization.scales[(k / inner) % channels];
    const int8_t q = saturate_i8(x[k] / s, -127, 127);
    std::memcpy(&bytes[k], &q, 1);
  }
  out.set_owned_data(std::move(bytes));
  return out;
}

std::vector<float> min_weight_scales_for_bias(const Tensor& bias, float input_scale,
                                              bool per_tensor) {
  constexpr double kBiasLimit = 1 << 30;
  const float* x = bias.constant_as<float>();
  std::vector<float> out(bias.elements());
  for (int64_t k = 0; k < bias.elements(); ++k) {
    out[k] = static_cast<float>(std::fabs(static_cast<double>(x[k])) /
                                (static_cast<double>(input_scale) * kBiasLimit));
  }
  if (per_tensor && !out.empty()) out = {*std::max_element(out.begin(), out.end())};
  return out;
}

Tensor quantize_bias_int32(const Tensor& b, float input_scale,
                           const std::vector<float>& weight_scales, std::string name) {
  Tensor out = constant_like(b, DType::kI32, std::move(name));
  const float* x = b.constant_as<float>();
  const int64_t n = b.elements();
  const bool per_channel = weight_scales.size() > 1;
  out.quantization.axis = per_channel ? 0 : -1;
  for (size_t c = 0; c < weight_scales.size(); ++c) {
    out.quantization.scales.push_back(input_scale * weight_scales[c]);
    out.quantization.zero_points.push_back(0);
  }
  std::vector<int32_t> q(n);
  for (int64_t k = 0; k < n; ++k) {
    const double s = out.quantization.scales[per_channel ? k : 0];
    const double v = std::round(static_cast<double>(x[k]) / s);
    q[k] = static_cast<int32_t>(std::clamp(v, double{std::numeric_limits<int32_t>::min()},
                                           double{std::numeric_limits<int32_t>::max()}));
  }
  std::vector<uint8_t> bytes(n * sizeof(int32_t));
  std::memcpy(bytes.data(), q.data(), bytes.size());
  out.set_owned_data(std::move(bytes));
  return out;
}

Tensor quantize_asymmetric_int8(const Tensor& c, std::string name) {
  Tensor out = constant_like(c, DType::kI8, std::move(name));
  const float* x = c.constant_as<float>();
  const int64_t n = c.elements();
  FloatRange r{0, 0};
  for (int64_t k = 0; k < n; ++k) {
    r.lo = std::min<double>(r.lo, x[k]);
    r.hi = std::max<double>(r.hi, x[k]);
  }
  const AffineParams p = asymmetric_int8(r);
  out.quantization = Quantization{{p.scale}, {p.zero_point}, -1};
  std::vector<uint8_t> bytes(n);
  for (int64_t k = 0; k < n; ++k) {
    const int8_t q = saturate_i8(x[k] / p.scale + static_cast<double>(p.zero_point), -128, 127);
    std::memcpy(&bytes[k], &q, 1);
  }
  out.set_owned_data(std::move(bytes));
  return out;
}

}  // namespace opscope
