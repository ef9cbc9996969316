#include "engine/backends/xnnpack/ops/op_util.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>
#include <variant>

#include "engine/shapes/window.h"

namespace opscope::xnnpack {

bool expect_f32_io(const Graph& g, const Node& n, std::string* why) {
  for (int id : n.inputs) {
    if (id >= 0 && g.tensors[id].dtype != DType::kF32) {
      if (why) *why = "input '" + g.tensors[id].name + "' is " +
                      std::string(to_string(g.tensors[id].dtype)) + ", not f32";
      return false;
    }
  }
  for (int id : n.outputs) {
    if (g.tensors[id].dtype != DType::kF32) {
      if (why) *why = "output is not f32";
      return false;
    }
  }
  return true;
}

bool expect_constant_inputs(const Graph& g, const Node& n,
                            std::initializer_list<int> inputs, std::string* why) {
  for (int i : inputs) {
    if (i >= static_cast<int>(n.inputs.size()) || n.inputs[i] < 0) continue;
    if (!g.tensors[n.inputs[i]].is_constant()) {
      if (why) *why = "input " + std::to_string(i) + " ('" + g.tensors[n.inputs[i]].name +
                      "') is not a constant (XNNPACK packs it at prepare)";
      return false;
    }
  }
  return true;
}

bool expect_fused_clamp(Activation activation, std::string* why) {
  if (activation == Activation::kTanh) {
    if (why) *why = "fused TANH activation is not supported by XNNPACK";
    return false;
  }
  return true;
}

bool expect_rank(const Graph& g, const Node& n, int i, int rank, std::string* why) {
  if (i >= static_cast<int>(n.inputs.size()) || n.inputs[i] < 0 ||
      static_cast<int>(g.tensors[n.inputs[i]].shape.size()) != rank) {
    if (why) *why = "input " + std::to_string(i) + " is not of rank " + std::to_string(rank);
    return false;
  }
  return true;
}

Pads2D resolve_pads(Padding padding, const Pads2D& explicit_pads, int64_t in_h,
                    int64_t in_w, int64_t kh, int64_t kw, int stride_h, int stride_w,
                    int dilation_h, int dilation_w) {
  if (padding == Padding::kExplicit) return explicit_pads;
  Pads2D p;
  if (padding == Padding::kValid) return p;
  const auto h = shapes::window_dim(padding, in_h, kh, stride_h, dilation_h);
  const auto w = shapes::window_dim(padding, in_w, kw, stride_w, dilation_w);
  const int64_t total_h = std::max<int64_t>(0, (h.out - 1) * stride_h + (kh - 1) * dilation_h + 1 - in_h);
  const int64_t total_w = std::max<int64_t>(0, (w.out - 1) * stride_w + (kw - 1) * dilation_w + 1 - in_w);
  p.top = static_cast<int>(h.pad_before);
  p.bottom = static_cast<int>(total_h - h.pad_before);
  p.left = static_cast<int>(w.pad_before);
  p.right = static_cast<int>(total_w - w.pad_before);
  return p;
}

const float* optional_bias(const Graph& g, const Node& n, int i) {
  if (i >= static_cast<int>(n.inputs.size()) || n.inputs[i] < 0) return nullptr;
  return g.tensors[n.inputs[i]].constant_as<float>();
}

bool expect_dtype_io(const Graph& g, const Node& n, DType dtype, std::string* why) {
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const int id = n.inputs[i];
    if (id < 0) continue;
    if (g.tensors[id].dtype != dtype) {
      if (why) *why = "input " + std::to_string(i) + " ('" + g.tensors[id].name + "') is " +
                      std::string(to_string(g.tensors[id].dtype)) + ", not " +
                      std::string(to_string(dtype));
      return false;
    }
  }
  for (int id : n.outputs) {
    if (g.tensors[id].dtype != dtype) {
      if (why) *why = "output '" + g.tensors[id].name + "' is " +
                      std::string(to_string(g.tensors[id].dtype)) + ", not " +
                      std::string(to_string(dtype));
      return false;
    }
  }
  return true;
}

bool expect_arity(const Graph& g, const Node& n, int inputs, std::string* why) {
  (void)g;
  if (static_cast<int>(n.inputs.size()) != inputs || n.outputs.size() != 1) {
    if (why) *why = "expects " + std::to_string(inputs) + " input(s) and 1 output, has " +
                    std::to_string(n.inputs.size()) + " and " +
                    std::to_string(n.outputs.size());
    return false;
  }
  for (int i = 0; i < inputs; ++i) {
    if (n.inputs[i] < 0) {
      if (why) *why = "input " + std::to_string(i) + " is absent";
      return false;
    }
  }
  return true;
}

bool expect_max_rank(const Graph& g, const Node& n, int i, int max_rank,
                     std::string* why) {
  if (i >= static_cast<int>(n.inputs.size()) || n.inputs[i] < 0) {
    if (why) *why = "input " + std::to_string(i) + " is absent";
    return false;
  }
  const Shape& shape = g.tensors[n.inputs[i]].shape;
  if (static_cast<int>(shape.size()) > max_rank) {
    if (why) *why = "input " + std::to_string(i) + " has rank " + std::to_string(shape.size()) +
                    "; XNNPACK takes at most " + std::to_string(max_rank);
    return false;
  }
  return true;
}

bool expect_qs8_per_tensor(const Tensor& t, const std::string& what, std::string* why) {
  const Quantization& q = t.quantization;
  if (q.scales.size() != 1 || q.zero_points.size() > 1) {
    if (why) *why = what + " ('" + t.name + "') is not quantized per tensor (" +
                    std::to_string(q.scales.size()) + " scales)";
    return false;
  }
  const float scale = q.scales[0];
  if (!std::isnormal(scale) || scale <= 0.0f) {
    if (why) *why = what + " ('" + t.name + "') has scale " + std::to_string(scale) +
                    "; XNNPACK needs a finite, positive, normal scale";
    return false;
  }
  const int64_t zp = q.zero_points.empty() ? 0 : q.zero_points[0];
  if (zp < -128 || zp > 127) {
    if (why) *why = what + " ('" + t.name + "') has zero point " + std::to_string(zp) +
                    " outside int8";
    return false;
  }
  return true;
}

Activation node_activation(const Node& n) {
  if (const auto* a = std::get_if<ActivationAttrs>(&n.attrs)) return a->activation;
  return Activation::kNone;
}

std::vector<size_t> xnn_shape(const Shape& shape) {
  std::vector<size_t> out(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) out[i] = static_cast<size_t>(shape[i]);
  return out;
}

BatchChannels batch_channels(const Shape& shape) {
  BatchChannels bc;
  if (shape.empty()) return bc;
  bc.channels = static_cast<size_t>(shape.back());
  for (size_t i = 0; i + 1 < shape.size(); ++i) bc.batch *= static_cast<size_t>(shape[i]);
  return bc;
}

Qs8Params qs8_params(const Tensor& t) {
  Qs8Params p;
  if (!t.quantization.scales.empty()) p.scale = t.quantization.scales[0];
  if (!t.quantization.zero_points.empty()) {
    p.zero_point = static_cast<int8_t>(t.quantization.zero_points[0]);
  }
  return p;
}

Qs8Range qs8_activation_range(Activation a, const Qs8Params& out) {
  // As TFLite's CalculateActivationRangeQuantized: round half away from zero.
  auto quantize = [&out](float v) {
    return static_cast<int64_t>(out.zero_point) +
           static_cast<int64_t>(std::round(v / out.scale));
  };
  int64_t lo = -128, hi = 127;
  switch (a) {
    case Activation::kRelu:
      lo = std::max<int64_t>(lo, quantize(0.0f));
      break;
    case Activation::kRelu6:
      lo = std::max<int64_t>(lo, quantize(0.0f));
      hi = std::min<int64_t>(hi, quantize(6.0f));
      break;
    case Activation::kReluN1To1:
      lo = std::max<int64_t>(lo, quantize(-1.0f));
      hi = std::min<int64_t>(hi, quantize(1.0f));
      break;
    case Activation::kNone:
    case Activation::kTanh:
      break;
  }
  Qs8Range r;
  r.min = static_cast<int8_t>(std::clamp<int64_t>(lo, -128, 127));
  r.max = static_cast<int8_t>(std::clamp<int64_t>(hi, -128, 127));
  return r;
}

OwnedConstant::OwnedConstant(const Tensor& t)
    : bytes_(new uint8_t[t.data_bytes + kOwnedSlackBytes]()) {
  if (t.data_bytes > 0) std::memcpy(bytes_.get(), t.data, t.data_bytes);
}

bool constant_ints(const Tensor& t, const std::string& what, std::vector<int64_t>* out,
                   std::string* why) {
  if (!t.is_constant()) {
    if (why) *why = what + " ('" + t.name + "') is not a constant";
    return false;
  }
  if (t.dtype != DType::kI32 && t.dtype != DType::kI64) {
    if (why) *why = what + " ('" + t.name + "') is " + std::string(to_string(t.dtype)) +
                    ", not i32 or i64";
    return false;
  }
  const int64_t n = t.elements();
  if (n < 0 || t.data_bytes < static_cast<size_t>(n) * dtype_size(t.dtype) ||
      (n > 0 && t.data == nullptr)) {
    if (why) *why = what + " ('" + t.name + "') lacks data";
    return false;
  }
  out->resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    if (t.dtype == DType::kI32) {
      int32_t v;
      std::memcpy(&v, t.data + i * 4, 4);
      (*out)[i] = v;
    } else {
      int64_t v;
      std::memcpy(&v, t.data + i * 8, 8);
      (*out)[i] = v;
    }
  }
  return true;
}

Status xnn_unsupported(const Graph& g, int node, const std::string& reason) {
  return Status(ErrorCode::kBackendError, describe_node(g, node) + ": " + reason);
}

bool expect_qs8_filter(const Tensor& t, int output_axis, bool allow_per_channel,
                       const std::string& what, std::string* why) {
  const std::string name = what + " ('" + t.name + "')";
  if (t.dtype != DType::kI8) {
    if (why) *why = name + " is " + std::string(to_string(t.dtype)) + ", not i8";
    return false;
  }
  if (!t.is_constant()) {
    if (why) *why = name + " is not a constant (XNNPACK packs it at prepare)";
    return false;
  }
  const Quantization& q = t.quantization;
  if (q.scales.empty()) {
    if (why) *why = name + " has no quantization parameters";
    return false;
  }
  if (q.scales.size() > 1) {
    if (!allow_per_channel) {
      if (why) *why = name + " is quantized per channel; this XNNPACK (2022) takes only "
                             "per-tensor weights for this op";
      return false;
    }
    const int rank = static_cast<int>(t.shape.size());
    if (q.axis != output_axis || output_axis >= rank ||
        t.shape[output_axis] != static_cast<int64_t>(q.scales.size())) {
      if (why) *why = name + " is quantized per channel along axis " + std::to_string(q.axis) +
                      " with " + std::to_string(q.scales.size()) +
                      " scales; XNNPACK takes one scale per output channel (axis " +
                      std::to_string(output_axis) + ")";
      return false;
    }
  }
  for (int64_t zp : q.zero_points) {
    if (zp != 0) {
      if (why) *why = name + " has zero point " + std::to_string(zp) +
                      "; XNNPACK takes only symmetric (zero point 0) int8 weights";
      return false;
    }
  }
  for (float scale : q.scales) {
    if (!std::isnormal(scale) || scale <= 0.0f) {
      if (why) *why = name + " has scale " + std::to_string(scale) +
                      "; XNNPACK needs finite, positive, normal scales";
      return false;
    }
  }
  return true;
}

Qs8FilterParams qs8_filter_params(const Tensor& t) {
  Qs8FilterParams p;
  p.per_channel = t.quantization.scales.size() > 1;
  p.scales = t.quantization.scales;
  return p;
}

bool expect_requantization_scale(float input_scale, const std::vector<float>& filter_scales,
                                 float output_scale, std::string* why) {
  // As XNNPACK computes it, in float.
  for (float filter_scale : filter_scales) {
    const float r = input_scale * filter_scale / output_scale;
    if (!(r >= 0x1.0p-32f && r < 256.0f)) {
      if (why) *why = "requantization scale input*filter/output = " + std::to_string(r) +
                      " is outside XNNPACK's range [2^-32, 256)";
      return false;
    }
  }
  return true;
}

bool expect_qs8_activation(Activation a, const Qs8Params& out, std::string* why) {
  if (!expect_fused_clamp(a, why)) return false;
  const Qs8Range r = qs8_activation_range(a, out);
  if (r.min >= r.max) {
    if (why) *why = "the fused activation leaves the int8 output the single value " +
                    std::to_string(r.min) + "; XNNPACK needs output_min < output_max";
    return false;
  }
  return true;
}

bool expect_i32_bias(const Graph& g, const Node& n, int i, std::string* why) {
  if (i >= static_cast<int>(n.inputs.size()) || n.inputs[i] < 0) return true;
  const Tensor& t = g.tensors[n.inputs[i]];
  if (t.dtype != DType::kI32) {
    if (why) *why = "bias ('" + t.name + "') is " + std::string(to_string(t.dtype)) +
                    ", not i32";
    return false;
  }
  if (!t.is_constant()) {
    if (why) *why = "bias ('" + t.name + "') is not a constant (XNNPACK packs it at prepare)";
    return false;
  }
  return true;
}

const int32_t* optional_i32_bias(const Graph& g, const Node& n, int i) {
  if (i >= static_cast<int>(n.inputs.size()) || n.inputs[i] < 0) return nullptr;
  return g.tensors[n.inputs[i]].constant_as<int32_t>();
}

const void* runtime_input(const Graph& g, int id, void* const* buffers,
                          OwnedConstant* copy) {
  const Tensor& t = g.tensors[id];
  if (!t.is_constant()) return buffers[id];
  if (copy->empty()) *copy = OwnedConstant(t);
  return copy->data();
}

bool expect_linear_operands(const Node& n, const char* filter_name, std::string* why) {
  if (n.inputs.size() < 2 || n.inputs[0] < 0 || n.inputs[1] < 0 || n.outputs.size() != 1) {
    if (why) *why = std::string("expects (input, ") + filter_name + ", bias?) and one output";
    return false;
  }
  return true;
}

bool expect_f32_linear(const Graph& g, const Node& n, Activation activation,
                       std::string* why) {
  if (!expect_f32_io(g, n, why)) return false;
  if (!expect_constant_inputs(g, n, {1, 2}, why)) return false;
  return expect_fused_clamp(activation, why);
}

bool expect_qs8_linear(const Graph& g, const Node& n, Activation activation,
                       int filter_output_axis, bool allow_per_channel,
                       const std::string& filter_name, std::string* why) {
  const Tensor& input = g.tensors[n.inputs[0]];
  const Tensor& output = g.tensors[n.outputs[0]];
  if (output.dtype != DType::kI8) {
    if (why) *why = "output '" + output.name + "' is " + std::string(to_string(output.dtype)) +
                    " for an i8 input";
    return false;
  }
  if (!expect_qs8_per_tensor(input, "input 0", why)) return false;
  if (!expect_qs8_per_tensor(output, "output", why)) return false;
  if (!expect_qs8_filter(g.tensors[n.inputs[1]], filter_output_axis, allow_per_channel,
                         filter_name, why)) {
    return false;
  }
  if (!expect_i32_bias(g, n, 2, why)) return false;
  const Qs8Params in = qs8_params(input), out = qs8_params(output);
  if (!expect_requantization_scale(in.scale, g.tensors[n.inputs[1]].quantization.scales,
                                   out.scale, why)) {
    return false;
  }
  return expect_qs8_activation(activation, out, why);
}

Qs8LinearParams qs8_linear_params(const Graph& g, const Node& n, Activation activation) {
  Qs8LinearParams p;
  p.input = qs8_params(g.tensors[n.inputs[0]]);
  p.output = qs8_params(g.tensors[n.outputs[0]]);
  p.filter = qs8_filter_params(g.tensors[n.inputs[1]]);
  p.range = qs8_activation_range(activation, p.output);
  p.kernel = g.tensors[n.inputs[1]].constant_as<int8_t>();
  p.bias = optional_i32_bias(g, n, 2);
  return p;
}

Status XnnOneInputOp::setup_status(const Graph& g, const char* call, xnn_status st) const {
  if (st != xnn_status_success) return xnn_error(g, node_, call, st);
  return Status::ok();
}

Result<std::unique_ptr<XnnNodeOp>> xnn_created(const Graph& g, int node, const char* call,
                                               xnn_status st, std::unique_ptr<XnnNodeOp> op) {
  if (st != xnn_status_success) return xnn_error(g, node, call, st);
  return std::unique_ptr<XnnNodeOp>(std::move(op));
}

}  // namespace opscope::xnnpack
