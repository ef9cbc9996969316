#include "engine/backends/xnnpack/ops/op_util.h"

#include "engine/backends/reference/kernels/window.h"

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
  const auto h = reference::window_dim(padding, in_h, kh, stride_h, dilation_h);
  const auto w = reference::window_dim(padding, in_w, kw, stride_w, dilation_w);
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

}  // namespace opscope::xnnpack
