// ConvTranspose (2D, group 1, no dilation) as the engine's TRANSPOSE_CONV,
// channels-last, with the output size and padding resolved here as the
// ONNX spec states them:
//   total = stride * (in - 1) + output_padding + k - out
//   out   = output_shape when given, in * stride for SAME_*, else
//           stride * (in - 1) + output_padding + k - pad_begin - pad_end
//   SAME_UPPER (and output_shape without auto_pad SAME_LOWER) puts the
//   smaller half of `total` first.
#include <cstring>
#include <vector>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

namespace {

// One spatial dim: its output size and the pad before it.
struct Dim {
  int64_t out = 0;
  int pad_begin = 0;
};

Result<Dim> resolve_dim(Importer& im, int64_t in, int64_t k, int64_t stride, int64_t out_pad,
                        int64_t pad_begin, int64_t pad_end, int64_t given_out,
                        const std::string& auto_pad) {
  Dim d;
  if (given_out > 0 || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    d.out = given_out > 0 ? given_out : in * stride;
    // A negative total (an output larger than the windows reach) leaves
    // rows of bias only at the end; halves round down, as in the spec.
    const int64_t total = stride * (in - 1) + out_pad + k - d.out;
    const int64_t half = total >= 0 ? total / 2 : -((1 - total) / 2);
    const int64_t begin = auto_pad == "SAME_UPPER" ? half : total - half;
    if (begin < 0 || begin > 65536) {
      return im.error(ErrorCode::kUnsupportedOp,
                      "an output of " + std::to_string(d.out) +
                          " needs padding before the first row, which is not supported");
    }
    d.pad_begin = static_cast<int>(begin);
  } else {
    d.out = stride * (in - 1) + out_pad + k - pad_begin - pad_end;
    d.pad_begin = static_cast<int>(pad_begin);
  }
  if (d.out < 1) return im.error(ErrorCode::kShapeMismatch, "the pads leave no output");
  return d;
}

// The [C, M, kH, kW] f32 filter with dilation - 1 zero taps between taps.
std::vector<uint8_t> dilate_filter(const uint8_t* data, const Shape& s, int64_t dh, int64_t dw) {
  const int64_t kh = (s[2] - 1) * dh + 1, kw = (s[3] - 1) * dw + 1;
  std::vector<float> out(static_cast<size_t>(s[0] * s[1] * kh * kw), 0.0f);
  const auto* in = reinterpret_cast<const float*>(data);
  for (int64_t cm = 0; cm < s[0] * s[1]; ++cm) {
    for (int64_t y = 0; y < s[2]; ++y) {
      for (int64_t x = 0; x < s[3]; ++x) {
        out[(cm * kh + y * dh) * kw + x * dw] = in[(cm * s[2] + y) * s[3] + x];
      }
    }
  }
  std::vector<uint8_t> bytes(out.size() * 4);
  std::memcpy(bytes.data(), out.data(), bytes.size());
  return bytes;
}

}  // namespace

Status translate_conv_transpose(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"auto_pad", "dilations", "group", "kernel_shape",
                                           "output_padding", "output_shape", "pads", "strides"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  if (im.rank(x) != 4 || im.tensor(x).dtype != DType::kF32) {
    return im.error(ErrorCode::kUnsupportedOp,
                    "input is " + std::string(to_string(im.tensor(x).dtype)) + " " +
                        shape_to_string(im.onnx_shape(x)) +
                        "; only f32 2D (rank-4 NCHW) inputs are supported");
  }
  OPSCOPE_ASSIGN_OR_RETURN(Value w, im.constant_input(1));
  const Shape xs = im.onnx_shape(x);  // N, C, H, W
  Shape ws = im.tensor(w).shape;  // C, M, kH, kW (group 1)
  if (im.tensor(w).dtype != DType::kF32 || ws.size() != 4 || ws[0] != xs[1]) {
    return im.error(ErrorCode::kShapeMismatch, "weights " + shape_to_string(ws) +
                                                   " do not fit input " + shape_to_string(xs));
  }
  const auto pair = [&](const char* name, int64_t fallback, int64_t lo,
                        std::vector<int64_t>* v) -> Status {
    *v = im.attr_ints(name);
    if (v->empty()) v->assign(2, fallback);
    if (v->size() != 2) return im.error(ErrorCode::kInvalidGraph, std::string(name) + " must have 2 values");
    for (int64_t e : *v) {
      if (e < lo || e > 65536) return im.error(ErrorCode::kInvalidGraph, std::string(name) + " out of range");
    }
    return Status::ok();
  };
  if (im.attr_int("group", 1) != 1) {
    return im.error(ErrorCode::kUnsupportedOp, "group other than 1 is not supported");
  }
  std::vector<int64_t> dilations;
  OPSCOPE_RETURN_IF_ERROR(pair("dilations", 1, 1, &dilations));
  const std::vector<int64_t> ks = im.attr_ints("kernel_shape");
  if (!ks.empty() && (ks.size() != 2 || ks[0] != ws[2] || ks[1] != ws[3])) {
    return im.error(ErrorCode::kShapeMismatch, "kernel_shape disagrees with the weights");
  }
  std::vector<int64_t> strides, out_pad, given;
  OPSCOPE_RETURN_IF_ERROR(pair("strides", 1, 1, &strides));
  OPSCOPE_RETURN_IF_ERROR(pair("output_padding", 0, 0, &out_pad));
  given = im.attr_ints("output_shape");
  if (given.size() == 4) given = {given[2], given[3]};  // N, C, H, W form
  if (given.empty()) given = {0, 0};
  if (given.size() != 2) return im.error(ErrorCode::kInvalidGraph, "output_shape must have 2 values");
  std::vector<int64_t> pads = im.attr_ints("pads");
  if (pads.empty()) pads.assign(4, 0);
  if (pads.size() != 4) return im.error(ErrorCode::kInvalidGraph, "pads must have 4 values");
  for (int64_t p : pads) {
    if (p < 0 || p > 65536) return im.error(ErrorCode::kInvalidGraph, "pads must be in [0, 65536]");
  }
  const std::string auto_pad = im.attr_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" &&
      auto_pad != "SAME_LOWER") {
    return im.error(ErrorCode::kInvalidGraph, "unknown auto_pad '" + auto_pad + "'");
  }
  const int64_t k_h = (ws[2] - 1) * dilations[0] + 1, k_w = (ws[3] - 1) * dilations[1] + 1;
  OPSCOPE_ASSIGN_OR_RETURN(Dim h, resolve_dim(im, xs[2], k_h, strides[0], out_pad[0], pads[0],
                                              pads[2], given[0], auto_pad));
  OPSCOPE_ASSIGN_OR_RETURN(Dim wd, resolve_dim(im, xs[3], k_w, strides[1], out_pad[1], pads[1],
                                               pads[3], given[1], auto_pad));

  int bias = -1;
  if (im.has_input(2)) {
    OPSCOPE_ASSIGN_OR_RETURN(Value b, im.constant_input(2));
    bias = b.tensor;
  }
  // [C, M, kH, kW] -> OHWI [M, kH', kW', C], dilated: the taps spread
  // apart with zeros between them, which is what a dilation means here.
  std::vector<uint8_t> dilated = dilate_filter(im.tensor(w).data, ws, dilations[0], dilations[1]);
  const Shape dws = {ws[0], ws[1], (ws[2] - 1) * dilations[0] + 1, (ws[3] - 1) * dilations[1] + 1};
  const int filter = im.new_constant(im.tensor(w).name + "/ohwi", DType::kF32,
                                     permute_shape(dws, {1, 2, 3, 0}),
                                     permute_bytes(dilated.data(), dws, 4, {1, 2, 3, 0}));
  OPSCOPE_ASSIGN_OR_RETURN(int in, im.as_channels_last(x));
  TransposeConvAttrs a;
  a.padding = Padding::kExplicit;
  a.explicit_pads.top = h.pad_begin;
  a.explicit_pads.left = wd.pad_begin;
  a.stride_h = static_cast<int>(strides[0]);
  a.stride_w = static_cast<int>(strides[1]);
  a.output_shape = {xs[0], h.out, wd.out, ws[1]};
  std::vector<int> ins = {in, filter};
  if (bias >= 0) ins.push_back(bias);
  return im.emit_output(OpKind::kTransposeConv, a, ins, Layout::kChannelsLast).status();
}

}  // namespace opscope::onnx
