#include "engine/transforms/qdq/qdq_weights.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace opscope::qdq {

namespace {

int add_constant(Graph& graph, const std::string& name, DType dtype, const Shape& shape,
                 std::vector<uint8_t> bytes, Quantization quant) {
  Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = shape;
  t.role = TensorRole::kConstant;
  t.quantization = std::move(quant);
  t.set_owned_data(std::move(bytes));
  return graph.add_tensor(std::move(t));
}

}  // namespace

ConstantResult int8_weights(Graph& graph, int w, int channel_axis, int64_t channels,
                            std::vector<float>* scales) {
  ConstantResult r;
  const Tensor& wt = graph.tensors[w];
  const Quantization& grid = wt.quantization;
  if (!wt.is_constant() || wt.dtype != DType::kF32) {
    r.why = "weights '" + wt.name + "' are not a f32 constant";
    return r;
  }
  if (grid.empty()) {
    r.why = "weights '" + wt.name + "' come from no integer dequantization";
    return r;
  }
  for (int64_t zp : grid.zero_points) {
    if (zp != 0) {
      r.why = "weights '" + wt.name + "' are asymmetric (zero point " + std::to_string(zp) +
              "); int8 kernels take symmetric weights";
      return r;
    }
  }
  const bool per_channel = grid.scales.size() > 1;
  if (per_channel && (grid.axis != channel_axis ||
                      static_cast<int64_t>(grid.scales.size()) != channels)) {
    r.why = "weights '" + wt.name + "' have " + std::to_string(grid.scales.size()) +
            " scales along axis " + std::to_string(grid.axis) + "; the op needs one per output "
            "channel along axis " + std::to_string(channel_axis);
    return r;
  }
  int64_t inner = 1;
  for (size_t d = channel_axis + 1; d < wt.shape.size(); ++d) inner *= wt.shape[d];
  const int64_t n = wt.elements();
  const float* v = wt.constant_as<float>();
  std::vector<uint8_t> bytes(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const float s = grid.scales[per_channel ? (i / inner) % channels : 0];
    const float q = std::nearbyint(v[i] / s);
    if (q < -128.0f || q > 127.0f || s * q != v[i]) {
      r.why = "weights '" + wt.name + "' are not on their int8 grid (value " +
              std::to_string(v[i]) + ", scale " + std::to_string(s) + ")";
      return r;
    }
    const int8_t q8 = static_cast<int8_t>(q);
    std::memcpy(&bytes[i], &q8, 1);
  }
  if (per_channel) {
    *scales = grid.scales;
  } else {
    scales->assign(static_cast<size_t>(channels), grid.scales[0]);
  }
  Quantization quant;
  quant.scales = grid.scales;
  quant.zero_points.assign(grid.scales.size(), 0);
  quant.axis = per_channel ? channel_axis : -1;
  const std::string name = wt.name + "/int8";
  const Shape shape = wt.shape;  // copies: add_tensor may move `wt`
  r.tensor = add_constant(graph, name, DType::kI8, shape, std::move(bytes), std::move(quant));
  return r;
}

ConstantResult int32_bias(Graph& graph, int b, float input_scale,
                          const std::vector<float>& weight_scales) {
  ConstantResult r;
  if (b < 0) return r;
  const Tensor& bt = graph.tensors[b];
  const int64_t channels = static_cast<int64_t>(weight_scales.size());
  if (!bt.is_constant() || bt.dtype != DType::kF32 || bt.elements() != channels) {
    r.why = "bias '" + bt.name + "' is not a f32 constant of " + std::to_string(channels) +
            " values";
    return r;
  }
  std::vector<int32_t> q(static_cast<size_t>(channels));
  Quantization quant;
  for (int64_t c = 0; c < channels; ++c) {
    // As ONNX Runtime quantizes a float bias (its QDQ weight/bias pass):
    // the scale product, the division and the round half to even in float.
    const float scale = input_scale * weight_scales[c];
    const double v = std::nearbyint(bt.constant_as<float>()[c] / scale);
    if (std::fabs(v) > std::numeric_limits<int32_t>::max()) {
      r.why = "bias '" + bt.name + "' overflows int32 at scale " + std::to_string(scale);
      return r;
    }
    q[c] = static_cast<int32_t>(v);
    quant.scales.push_back(static_cast<float>(scale));
    quant.zero_points.push_back(0);
  }
  quant.axis = 0;
  std::vector<uint8_t> bytes(q.size() * sizeof(int32_t));
  std::memcpy(bytes.data(), q.data(), bytes.size());
  const std::string name = bt.name + "/int32";
  const Shape shape = bt.shape;
  r.tensor = add_constant(graph, name, DType::kI32, shape, std::move(bytes), std::move(quant));
  return r;
}

}  // namespace opscope::qdq
