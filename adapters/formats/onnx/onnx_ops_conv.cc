// Layout-sensitive ops, run channels-last: Conv (1D and 2D) and
// BatchNormalization. The pools are in onnx_ops_pool.cc, the windows and
// the 1D lifting in onnx_spatial.cc.
#include <cmath>
#include <cstring>

#include "adapters/formats/onnx/onnx_ops.h"
#include "adapters/formats/onnx/onnx_spatial.h"

namespace opscope::onnx {

namespace {

// Weights folded from a dequantization keep their integer grid
// (tensor.h): the permuted copy `to` of `from` keeps it too, its per-channel
// axis moved with the dims (`perm`: out dim i is in dim perm[i]).
void carry_grid(Importer& im, int from, int to, const std::vector<int>& perm) {
  Quantization q = im.tensor(from).quantization;
  if (q.empty()) return;
  if (q.per_channel()) {
    for (int i = 0; i < static_cast<int>(perm.size()); ++i) {
      if (perm[i] == q.axis) {
        q.axis = i;
        break;
      }
    }
  }
  im.tensor(to).quantization = std::move(q);
}


// The H and W axes of a conv window; a 1D window has H = one tap.
struct Window2D {
  WindowAxis h, w;
};

Conv2DAttrs conv_attrs(const Window2D& win) {
  Conv2DAttrs a;
  a.padding = Padding::kExplicit;
  a.explicit_pads = pads_2d(win.h, win.w);
  a.stride_h = win.h.stride;
  a.stride_w = win.w.stride;
  a.dilation_h = win.h.dilation;
  a.dilation_w = win.w.dilation;
  return a;
}

// A convolution with 1 < group < C: one CONV_2D per group on a channel
// slice of the input (the last dim, channels-last), joined by a
// CONCATENATION. Each group's filter, bias and node carry the group index.
// `x` is channels-last rank 4, `w` the [M, C/group, kH, kW] weights.
Status translate_grouped_conv(Importer& im, int x, int w, int bias, const Window2D& win,
                              int64_t group, int spatial_rank) {
  const Shape xs = im.tensor(x).shape;  // N, H, W, C (copies: tensors grow below)
  const Shape ws = im.tensor(w).shape;         // M, C/group, kH, kW
  const int64_t cg = xs[3] / group, mg = ws[0] / group;
  const std::string wname = im.tensor(w).name;
  if (bias >= 0 && (im.tensor(bias).dtype != DType::kF32 || im.tensor(bias).elements() != ws[0])) {
    return im.error(ErrorCode::kShapeMismatch, "bias must be f32 [" + std::to_string(ws[0]) + "]");
  }
  std::vector<int> parts;
  for (int64_t g = 0; g < group; ++g) {
    const std::string tag = "group" + std::to_string(g);
    const int b = im.new_i32_constant(im.node_name() + "/" + tag + "/begin",
                                      {0, 0, 0, static_cast<int32_t>(g * cg)});
    const int e = im.new_i32_constant(im.node_name() + "/" + tag + "/end",
                                      {static_cast<int32_t>(xs[0]), static_cast<int32_t>(xs[1]),
                                       static_cast<int32_t>(xs[2]),
                                       static_cast<int32_t>((g + 1) * cg)});
    const int s = im.new_i32_constant(im.node_name() + "/" + tag + "/strides", {1, 1, 1, 1});
    const int slice = im.new_tensor(im.node_name() + "/" + tag + "/input");
    OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kStridedSlice, StridedSliceAttrs{},
                                    {x, b, e, s}, {slice}, tag + "/slice")
                                .status());
    // This group's OIHW weights [mg, cg, kH, kW] are contiguous: OHWI them.
    const size_t group_bytes = static_cast<size_t>(mg * ws[1] * ws[2] * ws[3]) * 4;
    const Shape gshape = {mg, ws[1], ws[2], ws[3]};
    const uint8_t* gdata = im.tensor(w).data + g * group_bytes;
    const int filter = im.new_constant(wname + "/" + tag + "/ohwi", DType::kF32,
                                       permute_shape(gshape, {0, 2, 3, 1}),
                                       permute_bytes(gdata, gshape, 4, {0, 2, 3, 1}));
    std::vector<int> ins = {slice, filter};
    if (bias >= 0) {
      const float* bv = im.tensor(bias).constant_as<float>() + g * mg;
      ins.push_back(im.new_f32_constant(im.tensor(bias).name + "/" + tag, Shape{mg},
                                        std::vector<float>(bv, bv + mg)));
    }
    const int out = im.new_tensor(im.node_name() + "/" + tag + "/output");
    OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kConv2D, conv_attrs(win), ins, {out}, tag).status());
    parts.push_back(out);
  }
  ConcatenationAttrs c;
  c.axis = 3;
  return emit_spatial_output(im, OpKind::kConcatenation, c, parts, spatial_rank);
}

}  // namespace

Status translate_conv(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs(
      {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}));
  OPSCOPE_ASSIGN_OR_RETURN(SpatialInput in, spatial_input(im, {1, 2}));
  if (im.tensor(in.tensor).dtype != DType::kF32) {
    return im.error(ErrorCode::kTypeMismatch, "input must be float");
  }
  OPSCOPE_ASSIGN_OR_RETURN(Value w0, im.constant_input(1));
  const Shape xs = in.onnx_shape;  // N, C, spatial...
  const Shape ws0 = im.tensor(w0).shape;
  if (im.tensor(w0).dtype != DType::kF32 || ws0.size() != xs.size()) {
    return im.error(ErrorCode::kShapeMismatch,
                    "weights must be f32 [M, C/group, k...] of rank " +
                        std::to_string(xs.size()) + ", are " +
                        std::string(to_string(im.tensor(w0).dtype)) + " " +
                        shape_to_string(ws0));
  }
  const int64_t group = im.attr_int("group", 1);
  const int64_t m = ws0[0], c = xs[1];
  if (group < 1 || c % group != 0 || ws0[1] * group != c || m % group != 0) {
    return im.error(ErrorCode::kShapeMismatch,
                    "weights " + shape_to_string(ws0) + " and group " +
                        std::to_string(group) + " do not fit input " +
                        shape_to_string(xs));
  }
  const std::vector<int64_t> spatial(xs.begin() + 2, xs.end());
  const std::vector<int64_t> taps(ws0.begin() + 2, ws0.end());
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<WindowAxis> axes, read_window(im, spatial, taps));
  const Window2D win = axes.size() == 1 ? Window2D{WindowAxis{}, axes[0]}
                                        : Window2D{axes[0], axes[1]};
  OPSCOPE_ASSIGN_OR_RETURN(const int w, weights_as_2d(im, w0.tensor));  // M, C/g, kH, kW
  int bias = -1;
  if (im.has_input(2)) {
    OPSCOPE_ASSIGN_OR_RETURN(Value b, im.constant_input(2));
    bias = b.tensor;
  }
  const Shape ws = im.tensor(w).shape;
  const std::string wname = im.tensor(w0).name;
  if (group == 1) {
    // OIHW -> OHWI.
    const int filter = im.new_constant(
        wname + "/ohwi", DType::kF32, permute_shape(ws, {0, 2, 3, 1}),
        permute_bytes(im.tensor(w).data, ws, 4, {0, 2, 3, 1}));
    carry_grid(im, w, filter, {0, 2, 3, 1});
    std::vector<int> ins = {in.tensor, filter};
    if (bias >= 0) ins.push_back(bias);
    return emit_spatial_output(im, OpKind::kConv2D, conv_attrs(win), ins, in.spatial_rank);
  }
  if (group == c) {
    // Depthwise: [C*M, 1, kH, kW] -> [1, kH, kW, C*M].
    const int filter = im.new_constant(
        wname + "/1hwc", DType::kF32, permute_shape(ws, {1, 2, 3, 0}),
        permute_bytes(im.tensor(w).data, ws, 4, {1, 2, 3, 0}));
    carry_grid(im, w, filter, {1, 2, 3, 0});
    const Conv2DAttrs ca = conv_attrs(win);
    DepthwiseConv2DAttrs a;
    a.padding = Padding::kExplicit;
    a.explicit_pads = ca.explicit_pads;
    a.stride_h = ca.stride_h;
    a.stride_w = ca.stride_w;
    a.dilation_h = ca.dilation_h;
    a.dilation_w = ca.dilation_w;
    a.depth_multiplier = static_cast<int>(m / c);
    std::vector<int> ins = {in.tensor, filter};
    if (bias >= 0) ins.push_back(bias);
    return emit_spatial_output(im, OpKind::kDepthwiseConv2D, a, ins, in.spatial_rank);
  }
  return translate_grouped_conv(im, in.tensor, w, bias, win, group, in.spatial_rank);
}

Status translate_batch_norm(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(
      im.expect_attrs({"epsilon", "momentum", "spatial", "training_mode", "is_test"}));
  if (im.attr_int("training_mode", 0) != 0 || im.node().output_size() > 1) {
    return im.error(ErrorCode::kUnsupportedOp, "training mode is not supported");
  }
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  std::vector<const float*> p(4);
  const int64_t c = im.rank(x) >= 2 ? im.onnx_shape(x)[1] : -1;
  for (int i = 0; i < 4; ++i) {
    OPSCOPE_ASSIGN_OR_RETURN(Value v, im.constant_input(i + 1));
    const Tensor& t = im.tensor(v);
    if (t.dtype != DType::kF32 || t.elements() != c || t.shape.size() != 1) {
      return im.error(ErrorCode::kShapeMismatch,
                      "scale, B, mean and var must be f32 [C] with C = " +
                          std::to_string(c) + "; input " + std::to_string(i + 1) +
                          " is " + shape_to_string(t.shape));
    }
    p[i] = t.constant_as<float>();
  }
  const float eps = im.attr_float("epsilon", 1e-5f);
  std::vector<float> scale(c), shift(c);
  for (int64_t k = 0; k < c; ++k) {
    const double s = static_cast<double>(p[0][k]) / std::sqrt(static_cast<double>(p[3][k]) + eps);
    scale[k] = static_cast<float>(s);
    shift[k] = static_cast<float>(p[1][k] - p[2][k] * s);
  }

  // Fold into the convolution before it: w' = w * s (per output channel),
  // b' = b * s + shift.
  const int prod = im.producer(x.tensor);
  if (prod >= 0 && im.tensor_uses(x.tensor) == 1) {
    Node& conv = im.graph().nodes[prod];
    const bool is_conv = conv.op == OpKind::kConv2D || conv.op == OpKind::kDepthwiseConv2D;
    bool plain = false;
    if (const auto* a = std::get_if<Conv2DAttrs>(&conv.attrs)) plain = a->activation == Activation::kNone;
    if (const auto* a = std::get_if<DepthwiseConv2DAttrs>(&conv.attrs)) plain = a->activation == Activation::kNone;
    if (is_conv && plain && conv.outputs.size() == 1 && conv.outputs[0] == x.tensor) {
      const Tensor& f = im.graph().tensors[conv.inputs[1]];
      const int64_t out_c = conv.op == OpKind::kConv2D ? f.shape[0] : f.shape[3];
      const float* fw = f.constant_as<float>();
      std::vector<float> w(fw, fw + f.elements());
      const int64_t per = f.elements() / out_c;
      for (int64_t i = 0; i < f.elements(); ++i) {
        const int64_t oc = conv.op == OpKind::kConv2D ? i / per : i % out_c;
        w[i] *= scale[oc];
      }
      std::vector<float> b(out_c, 0.0f);
      if (conv.inputs.size() > 2 && conv.inputs[2] >= 0) {
        const float* cb = im.graph().tensors[conv.inputs[2]].constant_as<float>();
        for (int64_t k = 0; k < out_c; ++k) b[k] = cb[k];
      }
      for (int64_t k = 0; k < out_c; ++k) b[k] = b[k] * scale[k] + shift[k];
      const Shape fshape = f.shape;
      const std::string fname = f.name;
      const int nw = im.new_f32_constant(fname + "/bn", fshape, w);
      const int nb = im.new_f32_constant(fname + "/bn_bias", Shape{out_c}, b);
      Node& conv2 = im.graph().nodes[prod];  // new_* may move tensors, not nodes
      conv2.inputs = {conv2.inputs[0], nw, nb};
      im.fused_into(prod);
      im.define_output(0, x);
      return Status::ok();
    }
  }
  // Otherwise x * scale + shift, per channel.
  if (im.rank(x) < 2) return im.error(ErrorCode::kShapeMismatch, "input must have rank >= 2");
  int xin = x.tensor;
  Layout layout = Layout::kNatural;
  Shape pshape = {c};
  if (im.rank(x) >= 3) {
    OPSCOPE_ASSIGN_OR_RETURN(xin, im.as_channels_last(x));
    layout = Layout::kChannelsLast;
  } else {
    OPSCOPE_ASSIGN_OR_RETURN(xin, im.as_natural(x));
  }
  const int sc = im.new_f32_constant(im.node_name() + "/scale", pshape, scale);
  const int sh = im.new_f32_constant(im.node_name() + "/shift", pshape, shift);
  const int mid = im.new_tensor(im.node_name() + "/scaled");
  OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kMul, std::monostate{}, {xin, sc}, {mid}, "scale").status());
  return im.emit_output(OpKind::kAdd, std::monostate{}, {mid, sh}, layout).status();
}

}  // namespace opscope::onnx
