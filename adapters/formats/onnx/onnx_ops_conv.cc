// Layout-sensitive ops, run channels-last: Conv, MaxPool, AveragePool,
// GlobalAveragePool, GlobalMaxPool, BatchNormalization.
#include <cmath>
#include <cstring>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

namespace {

// A 2D window of an ONNX conv or pool node, resolved against the input.
struct Window2D {
  int64_t k_h = 1, k_w = 1;
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  Pads2D pads;
};

// Reads kernel_shape (or the given kernel dims), strides, dilations, pads
// and auto_pad for an NCHW input of spatial size in_h x in_w.
Result<Window2D> read_window(Importer& im, int64_t in_h, int64_t in_w,
                             int64_t k_h, int64_t k_w) {
  Window2D w;
  const std::vector<int64_t> ks = im.attr_ints("kernel_shape");
  if (!ks.empty()) {
    if (ks.size() != 2) {
      return im.error(ErrorCode::kUnsupportedOp,
                      "kernel_shape has " + std::to_string(ks.size()) +
                          " dims; only 2D windows are supported");
    }
    if ((k_h > 0 && ks[0] != k_h) || (k_w > 0 && ks[1] != k_w)) {
      return im.error(ErrorCode::kShapeMismatch,
                      "kernel_shape disagrees with the weights' spatial dims");
    }
    k_h = ks[0];
    k_w = ks[1];
  }
  if (k_h <= 0 || k_w <= 0) {
    return im.error(ErrorCode::kInvalidGraph, "has no kernel_shape");
  }
  w.k_h = k_h;
  w.k_w = k_w;
  const auto two = [&](const char* name, int* a, int* b) -> Status {
    const std::vector<int64_t> v = im.attr_ints(name);
    if (v.empty()) return Status::ok();
    if (v.size() != 2 || v[0] < 1 || v[1] < 1 || v[0] > 65536 || v[1] > 65536) {
      return im.error(ErrorCode::kInvalidGraph,
                      std::string(name) + " must be 2 values >= 1");
    }
    *a = static_cast<int>(v[0]);
    *b = static_cast<int>(v[1]);
    return Status::ok();
  };
  OPSCOPE_RETURN_IF_ERROR(two("strides", &w.stride_h, &w.stride_w));
  OPSCOPE_RETURN_IF_ERROR(two("dilations", &w.dilation_h, &w.dilation_w));
  const std::string auto_pad = im.attr_string("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    const std::vector<int64_t> p = im.attr_ints("pads");
    if (!p.empty()) {
      if (p.size() != 4) {
        return im.error(ErrorCode::kInvalidGraph, "pads must have 4 values");
      }
      for (int64_t v : p) {
        if (v < 0 || v > 65536) {
          return im.error(ErrorCode::kInvalidGraph, "pads must be in [0, 65536]");
        }
      }
      w.pads = {static_cast<int>(p[0]), static_cast<int>(p[1]),
                static_cast<int>(p[2]), static_cast<int>(p[3])};
    }
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    const auto same = [&](int64_t in, int64_t k, int s, int d, int* begin, int* end) {
      const int64_t out = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (out - 1) * s + (k - 1) * d + 1 - in);
      const int64_t small = total / 2;
      *begin = static_cast<int>(auto_pad == "SAME_UPPER" ? small : total - small);
      *end = static_cast<int>(total - *begin);
    };
    same(in_h, k_h, w.stride_h, w.dilation_h, &w.pads.top, &w.pads.bottom);
    same(in_w, k_w, w.stride_w, w.dilation_w, &w.pads.left, &w.pads.right);
  } else if (auto_pad != "VALID") {
    return im.error(ErrorCode::kInvalidGraph, "unknown auto_pad '" + auto_pad + "'");
  }
  return w;
}

// Input 0 as a channels-last rank-4 tensor; rank-3 (1D) inputs are not
// supported yet.
Result<Value> image_input(Importer& im) {
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  if (im.rank(x) != 4) {
    return im.error(ErrorCode::kUnsupportedOp,
                    "input '" + im.tensor(x).name + "' is " +
                        shape_to_string(im.onnx_shape(x)) +
                        "; only 2D (rank-4 NCHW) inputs are supported");
  }
  if (im.tensor(x).dtype != DType::kF32) {
    return im.error(ErrorCode::kTypeMismatch, "input must be float");
  }
  OPSCOPE_ASSIGN_OR_RETURN(int id, im.as_channels_last(x));
  return Value{id, Layout::kChannelsLast};
}

Conv2DAttrs conv_attrs(const Window2D& win) {
  Conv2DAttrs a;
  a.padding = Padding::kExplicit;
  a.explicit_pads = win.pads;
  a.stride_h = win.stride_h;
  a.stride_w = win.stride_w;
  a.dilation_h = win.dilation_h;
  a.dilation_w = win.dilation_w;
  return a;
}

// A convolution with 1 < group < C: one CONV_2D per group on a channel
// slice of the input (the last dim, channels-last), joined by a
// CONCATENATION. Each group's filter, bias and node carry the group index.
Status translate_grouped_conv(Importer& im, Value x, Value w, int bias, const Window2D& win,
                              int64_t group) {
  const Shape xs = im.tensor(x.tensor).shape;  // N, H, W, C (copies: tensors grow below)
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
                                    {x.tensor, b, e, s}, {slice}, tag + "/slice")
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
  return im.emit_output(OpKind::kConcatenation, c, parts, Layout::kChannelsLast).status();
}

}  // namespace

Status translate_conv(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs(
      {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, image_input(im));
  OPSCOPE_ASSIGN_OR_RETURN(Value w, im.constant_input(1));
  const Tensor& wt = im.tensor(w);
  const Shape xs = im.onnx_shape(x);  // N, C, H, W
  if (wt.dtype != DType::kF32 || wt.shape.size() != 4) {
    return im.error(ErrorCode::kShapeMismatch,
                    "weights must be f32 [M, C/group, kH, kW], are " +
                        std::string(to_string(wt.dtype)) + " " +
                        shape_to_string(wt.shape));
  }
  const int64_t group = im.attr_int("group", 1);
  const int64_t m = wt.shape[0], c = xs[1];
  if (group < 1 || c % group != 0 || wt.shape[1] * group != c || m % group != 0) {
    return im.error(ErrorCode::kShapeMismatch,
                    "weights " + shape_to_string(wt.shape) + " and group " +
                        std::to_string(group) + " do not fit input " +
                        shape_to_string(xs));
  }
  OPSCOPE_ASSIGN_OR_RETURN(Window2D win, read_window(im, xs[2], xs[3], wt.shape[2], wt.shape[3]));
  int bias = -1;
  if (im.has_input(2)) {
    OPSCOPE_ASSIGN_OR_RETURN(Value b, im.constant_input(2));
    bias = b.tensor;
  }
  const std::string wname = wt.name;
  if (group == 1) {
    // OIHW -> OHWI.
    const int filter = im.new_constant(
        wname + "/ohwi", DType::kF32, permute_shape(wt.shape, {0, 2, 3, 1}),
        permute_bytes(wt.data, wt.shape, 4, {0, 2, 3, 1}));
    std::vector<int> ins = {x.tensor, filter};
    if (bias >= 0) ins.push_back(bias);
    return im.emit_output(OpKind::kConv2D, conv_attrs(win), ins, Layout::kChannelsLast).status();
  }
  if (group == c) {
    // Depthwise: [C*M, 1, kH, kW] -> [1, kH, kW, C*M].
    const int filter = im.new_constant(
        wname + "/1hwc", DType::kF32, permute_shape(wt.shape, {1, 2, 3, 0}),
        permute_bytes(wt.data, wt.shape, 4, {1, 2, 3, 0}));
    DepthwiseConv2DAttrs a;
    a.padding = Padding::kExplicit;
    a.explicit_pads = win.pads;
    a.stride_h = win.stride_h;
    a.stride_w = win.stride_w;
    a.dilation_h = win.dilation_h;
    a.dilation_w = win.dilation_w;
    a.depth_multiplier = static_cast<int>(m / c);
    std::vector<int> ins = {x.tensor, filter};
    if (bias >= 0) ins.push_back(bias);
    return im.emit_output(OpKind::kDepthwiseConv2D, a, ins, Layout::kChannelsLast).status();
  }
  return translate_grouped_conv(im, x, w, bias, win, group);
}

namespace {

Status translate_pool(Importer& im, OpKind op) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"auto_pad", "ceil_mode", "count_include_pad",
                                           "dilations", "kernel_shape", "pads",
                                           "storage_order", "strides"}));
  if (im.node().output_size() > 1 && !im.node().output(1).empty()) {
    return im.error(ErrorCode::kUnsupportedOp, "the Indices output is not supported");
  }
  OPSCOPE_ASSIGN_OR_RETURN(Value x, image_input(im));
  const Shape xs = im.onnx_shape(x);
  OPSCOPE_ASSIGN_OR_RETURN(Window2D win, read_window(im, xs[2], xs[3], -1, -1));
  if (win.dilation_h != 1 || win.dilation_w != 1) {
    return im.error(ErrorCode::kUnsupportedOp, "dilated pooling is not supported");
  }
  if (im.attr_int("ceil_mode", 0) != 0) {
    // Extra end padding makes the floor formula give the ceil size; the
    // padded cells never count (max ignores them, average excludes them).
    const auto extra = [](int64_t in, int64_t k, int s, int begin, int end) {
      const int64_t span = in + begin + end - k;
      const int64_t floor_out = span / s + 1;
      const int64_t ceil_out = (span + s - 1) / s + 1;
      // The last window must start inside the input or the left padding.
      const int64_t out = (ceil_out - 1) * s >= in + begin ? ceil_out - 1 : ceil_out;
      return static_cast<int>((out - floor_out) * s);
    };
    win.pads.bottom += extra(xs[2], win.k_h, win.stride_h, win.pads.top, win.pads.bottom);
    win.pads.right += extra(xs[3], win.k_w, win.stride_w, win.pads.left, win.pads.right);
  }
  const bool padded = win.pads.top || win.pads.left || win.pads.bottom || win.pads.right;
  if (op == OpKind::kAveragePool2D && im.attr_int("count_include_pad", 0) != 0 && padded) {
    if (im.attr_int("ceil_mode", 0) != 0) {
      return im.error(ErrorCode::kUnsupportedOp,
                      "count_include_pad with ceil_mode is not supported");
    }
    // Zero padding first, then an unpadded average: pads count as zeros.
    std::vector<int64_t> pads = {0, 0, win.pads.top, win.pads.bottom,
                                 win.pads.left, win.pads.right, 0, 0};
    std::vector<uint8_t> bytes(pads.size() * 8);
    std::memcpy(bytes.data(), pads.data(), bytes.size());
    const int pad_const = im.new_constant(im.node_name() + "/pads", DType::kI64,
                                          Shape{4, 2}, std::move(bytes));
    const int padded_id = im.new_tensor(im.node_name() + "/padded");
    OPSCOPE_RETURN_IF_ERROR(
        im.emit(OpKind::kPad, std::monostate{}, {x.tensor, pad_const}, {padded_id}, "pad")
            .status());
    x.tensor = padded_id;
    win.pads = Pads2D{};
  }
  Pool2DAttrs a;
  a.padding = Padding::kExplicit;
  a.explicit_pads = win.pads;
  a.stride_h = win.stride_h;
  a.stride_w = win.stride_w;
  a.filter_h = static_cast<int>(win.k_h);
  a.filter_w = static_cast<int>(win.k_w);
  return im.emit_output(op, a, {x.tensor}, Layout::kChannelsLast).status();
}

Status translate_global_pool(Importer& im, OpKind op) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  if (im.rank(x) < 3) {
    return im.error(ErrorCode::kShapeMismatch, "input must have rank >= 3");
  }
  OPSCOPE_ASSIGN_OR_RETURN(int id, im.as_channels_last(x));
  std::vector<int32_t> axes;
  for (int i = 1; i + 1 < im.rank(x); ++i) axes.push_back(i);
  const int axes_id = im.new_i32_constant(im.node_name() + "/axes", axes);
  ReduceAttrs a;
  a.keep_dims = true;
  return im.emit_output(op, a, {id, axes_id}, Layout::kChannelsLast).status();
}

}  // namespace

Status translate_max_pool(Importer& im) { return translate_pool(im, OpKind::kMaxPool2D); }
Status translate_average_pool(Importer& im) {
  return translate_pool(im, OpKind::kAveragePool2D);
}
Status translate_global_average_pool(Importer& im) {
  return translate_global_pool(im, OpKind::kMean);
}
Status translate_global_max_pool(Importer& im) {
  return translate_global_pool(im, OpKind::kReduceMax);
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
