// ADD, SUB, MUL, MAXIMUM, MINIMUM on XNNPACK: f32 (all five) and int8 with
// per-tensor quantization (ADD, SUB, MUL), numpy broadcasting.
//
// XNNPACK's *_nd operators take both shapes (up to XNN_MAX_TENSOR_DIMS dims,
// ranks may differ: it right-aligns them like numpy) and broadcast
// themselves. They reject a zero-sized dim, so a node with an empty output
// becomes a no-op. The f32 ADD/SUB/MUL fuse the clamp activations; MAXIMUM
// and MINIMUM take no clamp, so a fused activation on them falls back.
//
// int8 follows TFLite: real = scale * (q - zero_point) per tensor, result
// rounded to the output's quantization and clamped to the fused activation's
// quantized range. XNNPACK requantizes in fixed point; it accepts only some
// scale ratios (checked in supports_binary, as the quantization is static).
#include <string>
#include <variant>
#include <vector>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/backends/xnnpack/ops/op_util.h"
#include "engine/backends/xnnpack/xnn_ops.h"

namespace opscope::xnnpack {
namespace {

using SetupF32Fn = xnn_status (*)(xnn_operator_t, size_t, const size_t*, size_t, const size_t*,
                                  const float*, const float*, float*, pthreadpool_t);
using SetupQs8Fn = xnn_status (*)(xnn_operator_t, size_t, const size_t*, size_t, const size_t*,
                                  const int8_t*, const int8_t*, int8_t*, pthreadpool_t);

const char* setup_name(OpKind op, bool qs8) {
  switch (op) {
    case OpKind::kAdd: return qs8 ? "xnn_setup_add_nd_qs8" : "xnn_setup_add_nd_f32";
    case OpKind::kSub: return qs8 ? "xnn_setup_subtract_nd_qs8" : "xnn_setup_subtract_nd_f32";
    case OpKind::kMul: return qs8 ? "xnn_setup_multiply_nd_qs8" : "xnn_setup_multiply_nd_f32";
    case OpKind::kMaximum: return "xnn_setup_maximum_nd_f32";
    case OpKind::kMinimum: return "xnn_setup_minimum_nd_f32";
    default: return "xnn_setup_binary";
  }
}

SetupF32Fn setup_f32_fn(OpKind op) {
  switch (op) {
    case OpKind::kAdd: return xnn_setup_add_nd_f32;
    case OpKind::kSub: return xnn_setup_subtract_nd_f32;
    case OpKind::kMul: return xnn_setup_multiply_nd_f32;
    case OpKind::kMaximum: return xnn_setup_maximum_nd_f32;
    case OpKind::kMinimum: return xnn_setup_minimum_nd_f32;
    default: return nullptr;
  }
}

SetupQs8Fn setup_qs8_fn(OpKind op) {
  switch (op) {
    case OpKind::kAdd: return xnn_setup_add_nd_qs8;
    case OpKind::kSub: return xnn_setup_subtract_nd_qs8;
    case OpKind::kMul: return xnn_setup_multiply_nd_qs8;
    default: return nullptr;
  }
}

// One binary operator. Constant operands are read at run time, so they are
// copied into owned memory with slack (XNNPACK may read past their end).
class BinaryOp final : public XnnNodeOp {
 public:
  BinaryOp(const Graph& g, int node, bool qs8) : XnnNodeOp(node), qs8_(qs8) {
    const Node& n = g.nodes[node];
    for (int i = 0; i < 2; ++i) {
      const Tensor& t = g.tensors[n.inputs[i]];
      shapes_[i] = xnn_shape(t.shape);
      if (t.is_constant()) constants_[i] = OwnedConstant(t);
    }
  }
  xnn_operator_t* op_slot() { return &op_; }

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    const Node& n = g.nodes[node_];
    const void* in[2];
    for (int i = 0; i < 2; ++i) {
      in[i] = constants_[i].empty() ? buffers[n.inputs[i]] : constants_[i].data();
    }
    void* out = buffers[n.outputs[0]];
    xnn_status st;
    if (qs8_) {
      st = setup_qs8_fn(n.op)(op_, shapes_[0].size(), shapes_[0].data(), shapes_[1].size(),
                              shapes_[1].data(), static_cast<const int8_t*>(in[0]),
                              static_cast<const int8_t*>(in[1]), static_cast<int8_t*>(out),
                              pool);
    } else {
      st = setup_f32_fn(n.op)(op_, shapes_[0].size(), shapes_[0].data(), shapes_[1].size(),
                              shapes_[1].data(), static_cast<const float*>(in[0]),
                              static_cast<const float*>(in[1]), static_cast<float*>(out),
                              pool);
    }
    if (st != xnn_status_success) return xnn_error(g, node_, setup_name(n.op, qs8_), st);
    return Status::ok();
  }

 private:
  bool qs8_;
  std::vector<size_t> shapes_[2];
  OwnedConstant constants_[2];
};

bool is_qs8_op(OpKind op) {
  return op == OpKind::kAdd || op == OpKind::kSub || op == OpKind::kMul;
}

// XNNPACK's fixed-point requantization ranges (operators/binary-elementwise-nd.c
// of this snapshot): ADD/SUB need each input-to-output scale ratio in
// [2^-10, 2^8); MUL needs the product-to-output ratio in [2^-16, 2^8).
bool expect_qs8_scales(const Node& n, const Qs8Params& a, const Qs8Params& b,
                       const Qs8Params& out, std::string* why) {
  if (n.op == OpKind::kMul) {
    const float ratio = a.scale * b.scale / out.scale;
    if (ratio < 0x1.0p-16f || ratio >= 0x1.0p+8f) {
      if (why) *why = "int8 MUL with input1*input2/output scale ratio " + std::to_string(ratio) +
                      " outside XNNPACK's [2^-16, 2^8)";
      return false;
    }
    return true;
  }
  for (const Qs8Params* in : {&a, &b}) {
    const float ratio = in->scale / out.scale;
    if (ratio < 0x1.0p-10f || ratio >= 0x1.0p+8f) {
      if (why) *why = "int8 " + std::string(to_string(n.op)) + " with input/output scale ratio " +
                      std::to_string(ratio) + " outside XNNPACK's [2^-10, 2^8)";
      return false;
    }
  }
  return true;
}

}  // namespace

bool supports_binary(const Graph& g, const Node& n, std::string* why) {
  if (!expect_arity(g, n, 2, why)) return false;
  if (!std::holds_alternative<std::monostate>(n.attrs) &&
      !std::holds_alternative<ActivationAttrs>(n.attrs)) {
    if (why) *why = "node carries attributes of an unexpected kind";
    return false;
  }
  const Activation act = node_activation(n);
  if (!expect_fused_clamp(act, why)) return false;
  if ((n.op == OpKind::kMaximum || n.op == OpKind::kMinimum) && act != Activation::kNone) {
    if (why) *why = "XNNPACK's " + std::string(to_string(n.op)) +
                    " has no fused clamp (activation on MAXIMUM/MINIMUM)";
    return false;
  }
  for (int i = 0; i < 2; ++i) {
    if (!expect_max_rank(g, n, i, XNN_MAX_TENSOR_DIMS, why)) return false;
  }
  const DType dtype = g.tensors[n.inputs[0]].dtype;
  if (dtype == DType::kF32) return expect_dtype_io(g, n, DType::kF32, why);
  if (dtype != DType::kI8) {
    if (why) *why = "input 0 is " + std::string(to_string(dtype)) + "; XNNPACK takes f32 or int8";
    return false;
  }
  if (!is_qs8_op(n.op)) {
    if (why) *why = "XNNPACK has no int8 " + std::string(to_string(n.op));
    return false;
  }
  if (!expect_dtype_io(g, n, DType::kI8, why)) return false;
  const Tensor& a = g.tensors[n.inputs[0]];
  const Tensor& b = g.tensors[n.inputs[1]];
  const Tensor& out = g.tensors[n.outputs[0]];
  if (!expect_qs8_per_tensor(a, "input 0", why) || !expect_qs8_per_tensor(b, "input 1", why) ||
      !expect_qs8_per_tensor(out, "output", why)) {
    return false;
  }
  const Qs8Params qo = qs8_params(out);
  if (!expect_qs8_scales(n, qs8_params(a), qs8_params(b), qo, why)) return false;
  const Qs8Range r = qs8_activation_range(act, qo);
  if (r.min >= r.max) {
    if (why) *why = "fused activation leaves an empty int8 output range";
    return false;
  }
  return true;
}

Result<std::unique_ptr<XnnNodeOp>> create_binary(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const Tensor& out = g.tensors[n.outputs[0]];
  if (out.elements() == 0) return std::unique_ptr<XnnNodeOp>(new XnnNoOp(node));
  const bool qs8 = out.dtype == DType::kI8;
  const Activation act = node_activation(n);
  auto op = std::make_unique<BinaryOp>(g, node, qs8);
  xnn_status st = xnn_status_success;
  const char* call = "";
  if (!qs8) {
    const reference::ActivationRange r = reference::activation_range(act);
    switch (n.op) {
      case OpKind::kAdd:
        call = "xnn_create_add_nd_f32";
        st = xnn_create_add_nd_f32(r.min, r.max, 0, op->op_slot());
        break;
      case OpKind::kSub:
        call = "xnn_create_subtract_nd_f32";
        st = xnn_create_subtract_nd_f32(r.min, r.max, 0, op->op_slot());
        break;
      case OpKind::kMul:
        call = "xnn_create_multiply_nd_f32";
        st = xnn_create_multiply_nd_f32(r.min, r.max, 0, op->op_slot());
        break;
      case OpKind::kMaximum:
        call = "xnn_create_maximum_nd_f32";
        st = xnn_create_maximum_nd_f32(0, op->op_slot());
        break;
      case OpKind::kMinimum:
        call = "xnn_create_minimum_nd_f32";
        st = xnn_create_minimum_nd_f32(0, op->op_slot());
        break;
      default:
        return xnn_unsupported(g, node, "not a binary elementwise op");
    }
  } else {
    const Qs8Params a = qs8_params(g.tensors[n.inputs[0]]);
    const Qs8Params b = qs8_params(g.tensors[n.inputs[1]]);
    const Qs8Params o = qs8_params(out);
    const Qs8Range r = qs8_activation_range(act, o);
    switch (n.op) {
      case OpKind::kAdd:
        call = "xnn_create_add_nd_qs8";
        st = xnn_create_add_nd_qs8(a.zero_point, a.scale, b.zero_point, b.scale, o.zero_point,
                                   o.scale, r.min, r.max, 0, op->op_slot());
        break;
      case OpKind::kSub:
        call = "xnn_create_subtract_nd_qs8";
        st = xnn_create_subtract_nd_qs8(a.zero_point, a.scale, b.zero_point, b.scale,
                                        o.zero_point, o.scale, r.min, r.max, 0, op->op_slot());
        break;
      case OpKind::kMul:
        call = "xnn_create_multiply_nd_qs8";
        st = xnn_create_multiply_nd_qs8(a.zero_point, a.scale, b.zero_point, b.scale,
                                        o.zero_point, o.scale, r.min, r.max, 0, op->op_slot());
        break;
      default:
        return xnn_unsupported(g, node, "XNNPACK has no int8 " + std::string(to_string(n.op)));
    }
  }
  return xnn_created(g, node, call, st, std::move(op));
}

}  // namespace opscope::xnnpack
