// AVERAGE_POOL_2D, MAX_POOL_2D and MEAN on XNNPACK, NHWC.
//
// Pools: f32 average and max, int8 max (s8: max needs no requantization, so
// input and output must share their quantization, as TFLite requires).
// Max pools may be dilated (XNNPACK takes dilation); XNNPACK's average
// pooling has no dilation, so a dilated average pool is refused. SAME
// and VALID become explicit pads. XNNPACK's average pooling divides by the
// number of in-bounds elements when there is padding (its "pixelwise"
// kernel), which is TFLite's rule; the tests check it. A window that covers
// the whole unpadded input is a global average pooling (also the int8
// average pool's only route: XNNPACK has no qs8 windowed average pooling).
//
// MEAN: when the reduced axes, ignoring dims of size 1, are adjacent, the
// input is [outer, reduced, inner] and the mean is XNNPACK's global average
// pooling (NWC: batch = outer, width = reduced, channels = inner). That
// covers MEAN over {1, 2} of NHWC with or without keep_dims (the layout of
// the output is the same). f32, and int8 with TFLite semantics (qs8).
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "engine/backends/reference/kernels/activation.h"
#include "engine/shapes/window.h"
#include "engine/backends/xnnpack/ops/op_util.h"
#include "engine/backends/xnnpack/xnn_ops.h"

namespace opscope::xnnpack {
namespace {

enum class PoolImpl { kAverageF32, kMaxF32, kMaxS8, kGlobalF32, kGlobalQs8 };

// A windowed pool (batch, H, W bound at setup) or a global average pool
// (batch, width = H*W of the input).
class PoolOp final : public XnnOneInputOp {
 public:
  PoolOp(int node, PoolImpl impl, size_t batch, size_t height, size_t width)
      : XnnOneInputOp(node), impl_(impl), batch_(batch), height_(height), width_(width) {}

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    const void* x = input<void>(g, buffers);
    void* y = output<void>(g, buffers);
    xnn_status st = xnn_status_success;
    const char* call = "";
    switch (impl_) {
      case PoolImpl::kAverageF32:
        call = "xnn_setup_average_pooling2d_nhwc_f32";
        st = xnn_setup_average_pooling2d_nhwc_f32(op_, batch_, height_, width_,
                                                  static_cast<const float*>(x),
                                                  static_cast<float*>(y), pool);
        break;
      case PoolImpl::kMaxF32:
        call = "xnn_setup_max_pooling2d_nhwc_f32";
        st = xnn_setup_max_pooling2d_nhwc_f32(op_, batch_, height_, width_,
                                              static_cast<const float*>(x),
                                              static_cast<float*>(y), pool);
        break;
      case PoolImpl::kMaxS8:
        call = "xnn_setup_max_pooling2d_nhwc_s8";
        st = xnn_setup_max_pooling2d_nhwc_s8(op_, batch_, height_, width_,
                                             static_cast<const int8_t*>(x),
                                             static_cast<int8_t*>(y), pool);
        break;
      case PoolImpl::kGlobalF32:
        call = "xnn_setup_global_average_pooling_nwc_f32";
        st = xnn_setup_global_average_pooling_nwc_f32(op_, batch_, height_ * width_,
                                                      static_cast<const float*>(x),
                                                      static_cast<float*>(y), pool);
        break;
      case PoolImpl::kGlobalQs8:
        call = "xnn_setup_global_average_pooling_nwc_qs8";
        st = xnn_setup_global_average_pooling_nwc_qs8(op_, batch_, height_ * width_,
                                                      static_cast<const int8_t*>(x),
                                                      static_cast<int8_t*>(y), pool);
        break;
    }
    return setup_status(g, call, st);
  }

 private:
  PoolImpl impl_;
  size_t batch_, height_, width_;
};

// Whether a pool over `in` (NHWC) with these attributes is one window over
// the whole, unpadded input.
bool is_global_window(const Pool2DAttrs& a, const Shape& in) {
  if (in.size() != 4 || a.filter_h != in[1] || a.filter_w != in[2]) return false;
  if (a.dilation_h != 1 || a.dilation_w != 1) return false;
  const Pads2D p = resolve_pads(a.padding, a.explicit_pads, in[1], in[2], a.filter_h,
                                a.filter_w, a.stride_h, a.stride_w, 1, 1);
  return p.top == 0 && p.bottom == 0 && p.left == 0 && p.right == 0;
}

bool same_qs8(const Tensor& a, const Tensor& b) {
  const Qs8Params qa = qs8_params(a), qb = qs8_params(b);
  return qa.scale == qb.scale && qa.zero_point == qb.zero_point;
}

// XNNPACK's qs8 global average pooling requantizes with input/output scale
// ratios in [2^-8, 2^8) only.
bool expect_qs8_gavgpool_scales(const Tensor& in, const Tensor& out, std::string* why) {
  if (!expect_qs8_per_tensor(in, "input", why) || !expect_qs8_per_tensor(out, "output", why)) {
    return false;
  }
  const float ratio = qs8_params(in).scale / qs8_params(out).scale;
  if (ratio < 0x1.0p-8f || ratio >= 0x1.0p+8f) {
    if (why) *why = "int8 input/output scale ratio " + std::to_string(ratio) +
                    " outside XNNPACK's [2^-8, 2^8)";
    return false;
  }
  return true;
}

// The input of a MEAN seen as [outer, reduced, inner]; false when the
// reduced axes (ignoring size-1 dims) are not adjacent.
struct MeanLayout {
  size_t outer = 1, reduced = 1, inner = 1;
};

bool mean_layout(const Graph& g, const Node& n, MeanLayout* layout, std::string* why) {
  const Shape& in = g.tensors[n.inputs[0]].shape;
  const int rank = static_cast<int>(in.size());
  std::vector<int64_t> axes;
  if (!constant_ints(g.tensors[n.inputs[1]], "axes", &axes, why)) return false;
  std::vector<bool> reduced(rank, false);
  for (int64_t axis : axes) {
    if (axis < -rank || axis >= rank) {
      if (why) *why = "axis " + std::to_string(axis) + " out of range for rank " +
                      std::to_string(rank);
      return false;
    }
    reduced[axis < 0 ? axis + rank : axis] = true;
  }
  // 0: before the reduced run, 1: inside it, 2: after it.
  int phase = 0;
  MeanLayout l;
  for (int d = 0; d < rank; ++d) {
    if (in[d] == 1) continue;
    const auto size = static_cast<size_t>(in[d]);
    if (reduced[d]) {
      if (phase == 2) {
        if (why) *why = "reduced axes are not adjacent (XNNPACK's global average pooling "
                        "reduces one run of dims)";
        return false;
      }
      phase = 1;
      l.reduced *= size;
    } else if (phase == 0) {
      l.outer *= size;
    } else {
      phase = 2;
      l.inner *= size;
    }
  }
  *layout = l;
  return true;
}

}  // namespace

bool supports_pool2d(const Graph& g, const Node& n, std::string* why) {
  if (!expect_arity(g, n, 1, why)) return false;
  const auto* a = std::get_if<Pool2DAttrs>(&n.attrs);
  if (!a) {
    if (why) *why = "node carries no Pool2DAttrs";
    return false;
  }
  if (!expect_rank(g, n, 0, 4, why)) return false;
  if (!expect_fused_clamp(a->activation, why)) return false;
  if ((a->dilation_h != 1 || a->dilation_w != 1) && n.op != OpKind::kMaxPool2D) {
    if (why) *why = "dilated average pooling (XNNPACK's average pooling has no dilation)";
    return false;
  }
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  if (in.elements() == 0) {
    if (why) *why = "input has no elements";
    return false;
  }
  const bool global = n.op == OpKind::kAveragePool2D && is_global_window(*a, in.shape);
  if (a->filter_h * a->filter_w == 1 && !global) {
    if (why) *why = "1x1 pooling window (XNNPACK rejects it as meaningless)";
    return false;
  }
  if (in.dtype == DType::kF32) return expect_dtype_io(g, n, DType::kF32, why);
  if (in.dtype != DType::kI8) {
    if (why) *why = "input is " + std::string(to_string(in.dtype)) + "; XNNPACK takes f32 or int8";
    return false;
  }
  if (!expect_dtype_io(g, n, DType::kI8, why)) return false;
  if (n.op == OpKind::kAveragePool2D) {
    if (!global) {
      if (why) *why = "XNNPACK has no int8 (qs8) windowed average pooling";
      return false;
    }
    if (!expect_qs8_gavgpool_scales(in, out, why)) return false;
  } else {
    if (!expect_qs8_per_tensor(in, "input", why) || !expect_qs8_per_tensor(out, "output", why)) {
      return false;
    }
    if (!same_qs8(in, out)) {
      if (why) *why = "int8 MAX_POOL_2D with different input and output quantization";
      return false;
    }
  }
  const Qs8Range r = qs8_activation_range(a->activation, qs8_params(out));
  if (r.min >= r.max) {
    if (why) *why = "fused activation leaves an empty int8 output range";
    return false;
  }
  return true;
}

Result<std::unique_ptr<XnnNodeOp>> create_pool2d(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const auto& a = n.attr<Pool2DAttrs>();
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  const Shape& s = in.shape;
  const size_t c = static_cast<size_t>(s[3]);
  const bool qs8 = in.dtype == DType::kI8;
  const reference::ActivationRange fr = reference::activation_range(a.activation);
  const Qs8Range qr = qs8 ? qs8_activation_range(a.activation, qs8_params(out)) : Qs8Range{};
  xnn_status st = xnn_status_success;
  const char* call = "";

  if (n.op == OpKind::kAveragePool2D && is_global_window(a, s)) {
    auto op = std::make_unique<PoolOp>(node, qs8 ? PoolImpl::kGlobalQs8 : PoolImpl::kGlobalF32,
                                       s[0], s[1], s[2]);
    if (qs8) {
      const Qs8Params qi = qs8_params(in), qo = qs8_params(out);
      call = "xnn_create_global_average_pooling_nwc_qs8";
      st = xnn_create_global_average_pooling_nwc_qs8(c, c, c, qi.zero_point, qi.scale,
                                                     qo.zero_point, qo.scale, qr.min, qr.max, 0,
                                                     op->op_slot());
    } else {
      call = "xnn_create_global_average_pooling_nwc_f32";
      st = xnn_create_global_average_pooling_nwc_f32(c, c, c, fr.min, fr.max, 0, op->op_slot());
    }
    return xnn_created(g, node, call, st, std::move(op));
  }

  if (n.op != OpKind::kMaxPool2D && (a.dilation_h != 1 || a.dilation_w != 1)) {
    return xnn_unsupported(g, node, "dilated average pooling");
  }
  const Pads2D p = resolve_pads(a.padding, a.explicit_pads, s[1], s[2], a.filter_h, a.filter_w,
                                a.stride_h, a.stride_w, a.dilation_h, a.dilation_w);
  // XNNPACK derives the output size from the explicit pads; it must be the
  // one the reference kernel's prepare resolved.
  const int64_t ext_h = int64_t{a.filter_h - 1} * a.dilation_h + 1;
  const int64_t ext_w = int64_t{a.filter_w - 1} * a.dilation_w + 1;
  const int64_t xnn_out_h = (s[1] + p.top + p.bottom - ext_h) / a.stride_h + 1;
  const int64_t xnn_out_w = (s[2] + p.left + p.right - ext_w) / a.stride_w + 1;
  if (out.shape.size() != 4 || out.shape[1] != xnn_out_h || out.shape[2] != xnn_out_w) {
    return xnn_unsupported(g, node, "XNNPACK's pooling output " + std::to_string(xnn_out_h) +
                                        "x" + std::to_string(xnn_out_w) + " differs from " +
                                        shape_to_string(out.shape));
  }
  std::unique_ptr<PoolOp> op;
  if (n.op == OpKind::kAveragePool2D) {
    op = std::make_unique<PoolOp>(node, PoolImpl::kAverageF32, s[0], s[1], s[2]);
    call = "xnn_create_average_pooling2d_nhwc_f32";
    st = xnn_create_average_pooling2d_nhwc_f32(p.top, p.right, p.bottom, p.left, a.filter_h,
                                               a.filter_w, a.stride_h, a.stride_w, c, c, c,
                                               fr.min, fr.max, 0, op->op_slot());
  } else if (qs8) {
    op = std::make_unique<PoolOp>(node, PoolImpl::kMaxS8, s[0], s[1], s[2]);
    call = "xnn_create_max_pooling2d_nhwc_s8";
    st = xnn_create_max_pooling2d_nhwc_s8(p.top, p.right, p.bottom, p.left, a.filter_h,
                                          a.filter_w, a.stride_h, a.stride_w, a.dilation_h,
                                          a.dilation_w, c, c, c, qr.min, qr.max, 0,
                                          op->op_slot());
  } else {
    op = std::make_unique<PoolOp>(node, PoolImpl::kMaxF32, s[0], s[1], s[2]);
    call = "xnn_create_max_pooling2d_nhwc_f32";
    st = xnn_create_max_pooling2d_nhwc_f32(p.top, p.right, p.bottom, p.left, a.filter_h,
                                           a.filter_w, a.stride_h, a.stride_w, a.dilation_h,
                                           a.dilation_w, c, c, c, fr.min, fr.max, 0,
                                           op->op_slot());
  }
  return xnn_created(g, node, call, st, std::move(op));
}

bool supports_mean(const Graph& g, const Node& n, std::string* why) {
  if (!expect_arity(g, n, 2, why)) return false;
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  if (in.elements() == 0) {
    if (why) *why = "input has no elements";
    return false;
  }
  MeanLayout layout;
  if (!mean_layout(g, n, &layout, why)) return false;
  if (in.dtype == DType::kF32) {
    if (out.dtype != DType::kF32) {
      if (why) *why = "output is " + std::string(to_string(out.dtype)) + ", not f32";
      return false;
    }
    return true;
  }
  if (in.dtype != DType::kI8 || out.dtype != DType::kI8) {
    if (why) *why = "input is " + std::string(to_string(in.dtype)) + ", output " +
                    std::string(to_string(out.dtype)) + "; XNNPACK takes f32 or int8";
    return false;
  }
  return expect_qs8_gavgpool_scales(in, out, why);
}

Result<std::unique_ptr<XnnNodeOp>> create_mean(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  MeanLayout l;
  std::string why;
  if (!mean_layout(g, n, &l, &why)) return xnn_unsupported(g, node, why);
  if (in.elements() == 0) return xnn_unsupported(g, node, "input has no elements");
  const size_t c = l.inner;
  // PoolOp's global setup takes width as height * width: height 1.
  auto op = std::make_unique<PoolOp>(
      node, in.dtype == DType::kI8 ? PoolImpl::kGlobalQs8 : PoolImpl::kGlobalF32, l.outer, 1,
      l.reduced);
  xnn_status st;
  const char* call;
  if (in.dtype == DType::kI8) {
    const Qs8Params qi = qs8_params(in), qo = qs8_params(out);
    call = "xnn_create_global_average_pooling_nwc_qs8";
    st = xnn_create_global_average_pooling_nwc_qs8(c, c, c, qi.zero_point, qi.scale,
                                                   qo.zero_point, qo.scale, -128, 127, 0,
                                                   op->op_slot());
  } else {
    call = "xnn_create_global_average_pooling_nwc_f32";
    st = xnn_create_global_average_pooling_nwc_f32(
        c, c, c, -std::numeric_limits<float>::infinity(),
        std::numeric_limits<float>::infinity(), 0, op->op_slot());
  }
  return xnn_created(g, node, call, st, std::move(op));
}

}  // namespace opscope::xnnpack
