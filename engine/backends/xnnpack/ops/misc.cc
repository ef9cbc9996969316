// RESIZE_BILINEAR, SOFTMAX, PAD, DEPTH_TO_SPACE and the reshape-like ops
// (RESHAPE, SQUEEZE, EXPAND_DIMS) on XNNPACK.
//
// RESIZE_BILINEAR (f32, NHWC): XNNPACK's default sampling is TFLite's
// half_pixel_centers; align_corners is XNN_FLAG_ALIGN_CORNERS and the legacy
// mode (neither flag) is XNN_FLAG_TENSORFLOW_LEGACY_MODE. XNNPACK clamps the
// source coordinate into the image where the reference kernel clamps the two
// sample indices: the same pixels and weights, so both agree to rounding.
//
// SOFTMAX (f32) runs over the last axis with beta = 1 only (XNNPACK has no
// beta). PAD pads with a constant known at compile time (zero, the zero
// point of a quantized input, or a constant scalar input) on elements of 1,
// 2 or 4 bytes. DEPTH_TO_SPACE is TFLite's DCR order on 4-byte elements.
//
// The reshape-like ops copy (copy_nc_x8/x16/x32 by element size): a real
// no-copy alias of input and output needs memory-planner support that does
// not exist yet. When the planner later gives both the same buffer, setup
// sees equal pointers and the node does nothing.
#include <array>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "engine/backends/xnnpack/ops/op_util.h"
#include "engine/backends/xnnpack/xnn_ops.h"

namespace opscope::xnnpack {
namespace {

// ---------------------------------------------------------------- resize

class ResizeBilinearOp final : public XnnOneInputOp {
 public:
  using XnnOneInputOp::XnnOneInputOp;

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    const Shape& in = input_shape(g);
    const Shape& out = g.tensors[g.nodes[node_].outputs[0]].shape;
    return setup_status(g, "xnn_setup_resize_bilinear2d_nhwc_f32",
                        xnn_setup_resize_bilinear2d_nhwc_f32(
                            op_, in[0], in[1], in[2], out[1], out[2], input<float>(g, buffers),
                            output<float>(g, buffers), pool));
  }
};

// ---------------------------------------------------------------- softmax

class SoftmaxOp final : public XnnOneInputOp {
 public:
  SoftmaxOp(int node, size_t batch) : XnnOneInputOp(node), batch_(batch) {}

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    return setup_status(g, "xnn_setup_softmax_nc_f32",
                        xnn_setup_softmax_nc_f32(op_, batch_, input<float>(g, buffers),
                                                 output<float>(g, buffers), pool));
  }

 private:
  size_t batch_;
};

// ---------------------------------------------------------------- pad

using PadSetupFn = xnn_status (*)(xnn_operator_t, size_t, const size_t*, const size_t*,
                                  const size_t*, const void*, void*, pthreadpool_t);

class PadOp final : public XnnOneInputOp {
 public:
  PadOp(int node, PadSetupFn fn, const char* name, std::vector<size_t> shape,
        std::vector<size_t> pre, std::vector<size_t> post)
      : XnnOneInputOp(node), fn_(fn), name_(name), shape_(std::move(shape)),
        pre_(std::move(pre)), post_(std::move(post)) {}

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    return setup_status(g, name_,
                        fn_(op_, shape_.size(), shape_.data(), pre_.data(), post_.data(),
                            input<void>(g, buffers), output<void>(g, buffers), pool));
  }

 private:
  PadSetupFn fn_;
  const char* name_;
  std::vector<size_t> shape_, pre_, post_;
};

// The paddings of a PAD node as [rank][before, after], or a reason.
bool pad_amounts(const Graph& g, const Node& n, std::vector<int64_t>* pads, std::string* why) {
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& p = g.tensors[n.inputs[1]];
  if (!constant_ints(p, "paddings", pads, why)) return false;
  const size_t rank = in.shape.size();
  if (pads->size() != 2 * rank) {
    if (why) *why = "paddings have " + std::to_string(pads->size()) + " values for rank " +
                    std::to_string(rank);
    return false;
  }
  for (int64_t v : *pads) {
    if (v < 0) {
      if (why) *why = "negative padding " + std::to_string(v);
      return false;
    }
  }
  return true;
}

// The pad value's bytes (one element of the input's dtype), or a reason.
bool pad_value(const Graph& g, const Node& n, std::array<uint8_t, 8>* value, std::string* why) {
  const Tensor& in = g.tensors[n.inputs[0]];
  value->fill(0);
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
    const Tensor& v = g.tensors[n.inputs[2]];
    if (!v.is_constant()) {
      if (why) *why = "pad value '" + v.name + "' is not a constant (XNNPACK takes it at create)";
      return false;
    }
    const size_t size = dtype_size(in.dtype);
    if (v.dtype != in.dtype || v.elements() != 1 || v.data_bytes < size) {
      if (why) *why = "pad value '" + v.name + "' is not one " +
                      std::string(to_string(in.dtype)) + " element";
      return false;
    }
    std::memcpy(value->data(), v.data, size);
    return true;
  }
  // Zero, or the quantized representation of 0.0.
  if (!in.quantization.zero_points.empty()) {
    const int64_t zp = in.quantization.zero_points[0];
    if (in.dtype == DType::kI8) {
      const auto q = static_cast<int8_t>(zp);
      std::memcpy(value->data(), &q, 1);
    } else if (in.dtype == DType::kU8) {
      const auto q = static_cast<uint8_t>(zp);
      std::memcpy(value->data(), &q, 1);
    }
  }
  return true;
}

// ---------------------------------------------------------------- depth to space

class DepthToSpaceOp final : public XnnOneInputOp {
 public:
  using XnnOneInputOp::XnnOneInputOp;

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    const Shape& in = input_shape(g);
    return setup_status(g, "xnn_setup_depth_to_space_nhwc_x32",
                        xnn_setup_depth_to_space_nhwc_x32(op_, in[0], in[1], in[2],
                                                          input<void>(g, buffers),
                                                          output<void>(g, buffers), pool));
  }
};

// ---------------------------------------------------------------- copy

using CopySetupFn = xnn_status (*)(xnn_operator_t, size_t, const void*, void*, pthreadpool_t);

// A flat copy of the input's bytes into the output (batch 1).
class CopyOp final : public XnnOneInputOp {
 public:
  CopyOp(int node, CopySetupFn fn, const char* name)
      : XnnOneInputOp(node), fn_(fn), name_(name) {}

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    const void* x = input<void>(g, buffers);
    void* y = output<void>(g, buffers);
    same_buffer_ = x == y;
    if (same_buffer_) return Status::ok();
    return setup_status(g, name_, fn_(op_, 1, x, y, pool));
  }
  xnn_status run(pthreadpool_t pool) override {
    return same_buffer_ ? xnn_status_success : xnn_run_operator(op_, pool);
  }

 private:
  CopySetupFn fn_;
  const char* name_;
  bool same_buffer_ = false;
};

bool expect_element_size(const Tensor& t, std::initializer_list<size_t> sizes,
                         std::string* why) {
  const size_t size = dtype_size(t.dtype);
  for (size_t s : sizes) {
    if (s == size) return true;
  }
  if (why) *why = "elements of " + std::string(to_string(t.dtype)) + " (" +
                  std::to_string(size) + " bytes) have no XNNPACK operator here";
  return false;
}

}  // namespace

// ---------------------------------------------------------------- resize

bool supports_resize_bilinear(const Graph& g, const Node& n, std::string* why) {
  if (!expect_arity(g, n, 2, why)) return false;
  if (!expect_rank(g, n, 0, 4, why)) return false;
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  if (in.dtype != DType::kF32 || out.dtype != DType::kF32) {
    if (why) *why = "input is " + std::string(to_string(in.dtype)) + "; XNNPACK resize here is f32";
    return false;
  }
  const auto* a = std::get_if<ResizeAttrs>(&n.attrs);
  if (!a) {
    if (why) *why = "node carries no ResizeAttrs";
    return false;
  }
  if (a->align_corners && a->half_pixel_centers) {
    if (why) *why = "align_corners and half_pixel_centers together";
    return false;
  }
  if (in.elements() == 0) {
    if (why) *why = "input has no elements";
    return false;
  }
  std::vector<int64_t> size;
  return constant_ints(g.tensors[n.inputs[1]], "size", &size, why);
}

Result<std::unique_ptr<XnnNodeOp>> create_resize_bilinear(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const auto& a = n.attr<ResizeAttrs>();
  const size_t c = static_cast<size_t>(g.tensors[n.inputs[0]].shape[3]);
  uint32_t flags = 0;  // half_pixel_centers
  if (a.align_corners) {
    flags = XNN_FLAG_ALIGN_CORNERS;
  } else if (!a.half_pixel_centers) {
    flags = XNN_FLAG_TENSORFLOW_LEGACY_MODE;
  }
  auto op = std::make_unique<ResizeBilinearOp>(node);
  const xnn_status st = xnn_create_resize_bilinear2d_nhwc_f32(c, c, c, flags, op->op_slot());
  return xnn_created(g, node, "xnn_create_resize_bilinear2d_nhwc_f32", st, std::move(op));
}

// ---------------------------------------------------------------- softmax

bool supports_softmax(const Graph& g, const Node& n, std::string* why) {
  if (!expect_arity(g, n, 1, why)) return false;
  if (!expect_f32_io(g, n, why)) return false;
  const auto* a = std::get_if<SoftmaxAttrs>(&n.attrs);
  const float beta = a ? a->beta : 1.0f;
  if (beta != 1.0f) {
    if (why) *why = "SOFTMAX beta " + std::to_string(beta) + " (XNNPACK's softmax has beta 1)";
    return false;
  }
  return true;
}

Result<std::unique_ptr<XnnNodeOp>> create_softmax(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const Tensor& x = g.tensors[n.inputs[0]];
  if (x.elements() == 0) return std::unique_ptr<XnnNodeOp>(new XnnNoOp(node));
  const BatchChannels bc = batch_channels(x.shape);
  auto op = std::make_unique<SoftmaxOp>(node, bc.batch);
  const size_t c = bc.channels;
  const xnn_status st = xnn_create_softmax_nc_f32(c, c, c, 0, op->op_slot());
  return xnn_created(g, node, "xnn_create_softmax_nc_f32", st, std::move(op));
}

// ---------------------------------------------------------------- pad

// XNNPACK's constant pad is the only mode it has; reflect, symmetric and
// edge PADs stay on the reference backend.
namespace {
bool constant_pad_mode(const Node& n, std::string* why) {
  const auto* a = std::get_if<PadAttrs>(&n.attrs);
  if (a == nullptr || a->mode == PadMode::kConstant) return true;
  if (why) *why = "PAD in reflect, symmetric or edge mode (XNNPACK pads with a constant only)";
  return false;
}
}  // namespace

bool supports_pad(const Graph& g, const Node& n, std::string* why) {
  if (!constant_pad_mode(n, why)) return false;
  if (n.inputs.size() < 2 || n.inputs.size() > 3 || n.outputs.size() != 1 || n.inputs[0] < 0 ||
      n.inputs[1] < 0) {
    if (why) *why = "expects (input, paddings, value?) and 1 output";
    return false;
  }
  const Tensor& in = g.tensors[n.inputs[0]];
  if (!expect_max_rank(g, n, 0, XNN_MAX_TENSOR_DIMS, why)) return false;
  if (!expect_element_size(in, {1, 2, 4}, why)) return false;
  if (g.tensors[n.outputs[0]].dtype != in.dtype) {
    if (why) *why = "output dtype differs from the input's";
    return false;
  }
  if (in.elements() == 0) {
    if (why) *why = "input has no elements (XNNPACK rejects zero-sized dims)";
    return false;
  }
  std::vector<int64_t> pads;
  std::array<uint8_t, 8> value;
  return pad_amounts(g, n, &pads, why) && pad_value(g, n, &value, why);
}

Result<std::unique_ptr<XnnNodeOp>> create_pad(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const Tensor& in = g.tensors[n.inputs[0]];
  std::vector<int64_t> pads;
  std::array<uint8_t, 8> value;
  std::string why;
  if (!constant_pad_mode(n, &why) || !pad_amounts(g, n, &pads, &why) ||
      !pad_value(g, n, &value, &why)) {
    return xnn_unsupported(g, node, why);
  }
  if (in.elements() == 0) return xnn_unsupported(g, node, "input has no elements");
  // Simplified shape: size-1 dims without padding dropped, and every dim
  // without padding merged into its outer neighbour (whose pads then count
  // whole blocks of it). XNNPACK pads row by row of the innermost dim, so
  // [1,76,32,1] padded in W runs as 76 rows of 32 instead of 2584 rows of 1
  // (13x faster on embedding_model's PAD).
  std::vector<size_t> shape, pre, post;
  for (size_t d = 0; d < in.shape.size(); ++d) {
    const auto size = static_cast<size_t>(in.shape[d]);
    const auto before = static_cast<size_t>(pads[2 * d]);
    const auto after = static_cast<size_t>(pads[2 * d + 1]);
    const bool padded = before != 0 || after != 0;
    if (size == 1 && !padded) continue;
    if (!shape.empty() && !padded) {
      shape.back() *= size;
      pre.back() *= size;
      post.back() *= size;
      continue;
    }
    shape.push_back(size);
    pre.push_back(before);
    post.push_back(after);
  }
  if (shape.empty()) {  // one element, no padding
    shape.push_back(1);
    pre.push_back(0);
    post.push_back(0);
  }
  std::unique_ptr<PadOp> op;
  xnn_status st;
  const char* call;
  switch (dtype_size(in.dtype)) {
    case 1:
      op = std::make_unique<PadOp>(node, xnn_setup_constant_pad_nd_x8,
                                   "xnn_setup_constant_pad_nd_x8", shape, pre, post);
      call = "xnn_create_constant_pad_nd_x8";
      st = xnn_create_constant_pad_nd_x8(value.data(), 0, op->op_slot());
      break;
    case 2:
      op = std::make_unique<PadOp>(node, xnn_setup_constant_pad_nd_x16,
                                   "xnn_setup_constant_pad_nd_x16", shape, pre,
                                   post);
      call = "xnn_create_constant_pad_nd_x16";
      st = xnn_create_constant_pad_nd_x16(value.data(), 0, op->op_slot());
      break;
    case 4:
      op = std::make_unique<PadOp>(node, xnn_setup_constant_pad_nd_x32,
                                   "xnn_setup_constant_pad_nd_x32", shape, pre,
                                   post);
      call = "xnn_create_constant_pad_nd_x32";
      st = xnn_create_constant_pad_nd_x32(value.data(), 0, op->op_slot());
      break;
    default:
      return xnn_unsupported(g, node, "no XNNPACK pad for " + std::string(to_string(in.dtype)));
  }
  return xnn_created(g, node, call, st, std::move(op));
}

// ---------------------------------------------------------------- depth to space

bool supports_depth_to_space(const Graph& g, const Node& n, std::string* why) {
  if (!expect_arity(g, n, 1, why)) return false;
  if (!expect_rank(g, n, 0, 4, why)) return false;
  const Tensor& in = g.tensors[n.inputs[0]];
  if (!expect_element_size(in, {4}, why)) return false;
  if (g.tensors[n.outputs[0]].dtype != in.dtype) {
    if (why) *why = "output dtype differs from the input's";
    return false;
  }
  const auto* a = std::get_if<DepthToSpaceAttrs>(&n.attrs);
  if (!a) {
    if (why) *why = "node carries no DepthToSpaceAttrs";
    return false;
  }
  if (a->block_size < 2) {
    if (why) *why = "block size " + std::to_string(a->block_size) + " (XNNPACK needs >= 2)";
    return false;
  }
  const int64_t b2 = static_cast<int64_t>(a->block_size) * a->block_size;
  if (in.shape[3] % b2 != 0 || in.elements() == 0) {
    if (why) *why = "input " + shape_to_string(in.shape) + " does not split into " +
                    std::to_string(a->block_size) + "x" + std::to_string(a->block_size) +
                    " blocks";
    return false;
  }
  return true;
}

Result<std::unique_ptr<XnnNodeOp>> create_depth_to_space(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const auto& a = n.attr<DepthToSpaceAttrs>();
  const Shape& in = g.tensors[n.inputs[0]].shape;
  const auto b = static_cast<size_t>(a.block_size);
  const size_t c = static_cast<size_t>(in[3]);
  const size_t oc = c / (b * b);
  auto op = std::make_unique<DepthToSpaceOp>(node);
  const xnn_status st =
      xnn_create_depth_to_space_nhwc_x32(oc, c, oc, a.block_size, 0, op->op_slot());
  return xnn_created(g, node, "xnn_create_depth_to_space_nhwc_x32", st, std::move(op));
}

// ---------------------------------------------------------------- reshape-like

bool supports_reshape_like(const Graph& g, const Node& n, std::string* why) {
  if (n.inputs.empty() || n.inputs[0] < 0 || n.outputs.size() != 1) {
    if (why) *why = "expects a data input and 1 output";
    return false;
  }
  const Tensor& in = g.tensors[n.inputs[0]];
  if (!expect_element_size(in, {1, 2, 4, 8}, why)) return false;
  if (g.tensors[n.outputs[0]].dtype != in.dtype) {
    if (why) *why = "output dtype differs from the input's";
    return false;
  }
  return true;
}

Result<std::unique_ptr<XnnNodeOp>> create_reshape_like(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const Tensor& in = g.tensors[n.inputs[0]];
  const size_t elements = static_cast<size_t>(in.elements());
  if (elements == 0) return std::unique_ptr<XnnNodeOp>(new XnnNoOp(node));
  std::unique_ptr<CopyOp> op;
  xnn_status st;
  const char* call;
  switch (dtype_size(in.dtype)) {
    case 1:
      op = std::make_unique<CopyOp>(node, xnn_setup_copy_nc_x8, "xnn_setup_copy_nc_x8");
      call = "xnn_create_copy_nc_x8";
      st = xnn_create_copy_nc_x8(elements, elements, elements, 0, op->op_slot());
      break;
    case 2:
      op = std::make_unique<CopyOp>(node, xnn_setup_copy_nc_x16, "xnn_setup_copy_nc_x16");
      call = "xnn_create_copy_nc_x16";
      st = xnn_create_copy_nc_x16(elements, elements, elements, 0, op->op_slot());
      break;
    case 4:
    case 8: {
      // 8-byte elements copy as pairs of 32-bit words.
      const size_t words = elements * (dtype_size(in.dtype) / 4);
      op = std::make_unique<CopyOp>(node, xnn_setup_copy_nc_x32, "xnn_setup_copy_nc_x32");
      call = "xnn_create_copy_nc_x32";
      st = xnn_create_copy_nc_x32(words, words, words, 0, op->op_slot());
      break;
    }
    default:
      return xnn_unsupported(g, node, "no XNNPACK copy for " + std::string(to_string(in.dtype)));
  }
  return xnn_created(g, node, call, st, std::move(op));
}

}  // namespace opscope::xnnpack
