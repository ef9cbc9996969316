// ConvTranspose (1D, 2D and 3D, group 1) as the engine's TRANSPOSE_CONV,
// channels-last, with the output size and padding resolved here as the
// ONNX spec states them, per spatial axis:
//   total = stride * (in - 1) + output_padding + k - out
//   out   = output_shape when given, in * stride for SAME_*, else
//           stride * (in - 1) + output_padding + k - pad_begin - pad_end
//   SAME_UPPER (and output_shape without auto_pad SAME_LOWER) puts the
//   smaller half of `total` first.
// Dilations spread the filter taps at load (zeros between them).
// 1D runs as 2D with H = 1 (onnx_spatial.h). 3D runs as two 2D transposed
// convolutions: the first over H, W of every depth plane ([N*D, H, W, C])
// with the Kd depth taps folded into its output channels (Kd*M), the second
// over D of [N, D, H'*W', Kd*M] with a 0/1 filter of Kd x 1 taps that adds
// depth tap kd of channel m into output channel m, at stride and padding
// along D; the bias comes last. The second stage multiplies Kd*M*M*Kd
// terms per output where Kd*M are nonzero: it trades MACs for no new
// engine op.
#include <cstring>
#include <vector>

#include "adapters/formats/onnx/onnx_ops.h"
#include "adapters/formats/onnx/onnx_spatial.h"

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

// The [C, M, kH, kW] f32 filter with dilation - 1 zero taps between taps,
// then OHWI [M, kH', kW', C]: the engine's TRANSPOSE_CONV filter.
std::vector<uint8_t> dilated_ohwi(const uint8_t* data, const Shape& s, int64_t dh, int64_t dw,
                                  Shape* out_shape) {
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
  const Shape dilated = {s[0], s[1], kh, kw};
  *out_shape = permute_shape(dilated, {1, 2, 3, 0});
  return permute_bytes(bytes.data(), dilated, 4, {1, 2, 3, 0});
}

// The window of every spatial axis, resolved.
struct Axes {
  std::vector<int64_t> strides, dilations;
  std::vector<Dim> dims;
};

// Reads strides, dilations, output_padding, output_shape, pads, auto_pad
// and kernel_shape for spatial input dims `in` and filter taps `taps`.
Result<Axes> read_axes(Importer& im, const std::vector<int64_t>& in,
                       const std::vector<int64_t>& taps) {
  const size_t n = in.size();
  const auto ints = [&](const char* name, size_t count, int64_t fallback, int64_t lo,
                        std::vector<int64_t>* v) -> Status {
    *v = im.attr_ints(name);
    if (v->empty()) v->assign(count, fallback);
    if (v->size() != count) {
      return im.error(ErrorCode::kInvalidGraph,
                      std::string(name) + " must have " + std::to_string(count) + " values");
    }
    for (int64_t e : *v) {
      if (e < lo || e > 65536) {
        return im.error(ErrorCode::kInvalidGraph, std::string(name) + " out of range");
      }
    }
    return Status::ok();
  };
  if (im.attr_int("group", 1) != 1) {
    return im.error(ErrorCode::kUnsupportedOp, "group other than 1 is not supported");
  }
  const std::vector<int64_t> ks = im.attr_ints("kernel_shape");
  if (!ks.empty() && ks != taps) {
    return im.error(ErrorCode::kShapeMismatch, "kernel_shape disagrees with the weights");
  }
  Axes a;
  std::vector<int64_t> out_pad, pads, given;
  OPSCOPE_RETURN_IF_ERROR(ints("dilations", n, 1, 1, &a.dilations));
  OPSCOPE_RETURN_IF_ERROR(ints("strides", n, 1, 1, &a.strides));
  OPSCOPE_RETURN_IF_ERROR(ints("output_padding", n, 0, 0, &out_pad));
  OPSCOPE_RETURN_IF_ERROR(ints("pads", 2 * n, 0, 0, &pads));
  given = im.attr_ints("output_shape");
  if (given.size() == n + 2) given.erase(given.begin(), given.begin() + 2);  // N, C, ... form
  if (given.empty()) given.assign(n, 0);
  if (given.size() != n) {
    return im.error(ErrorCode::kInvalidGraph,
                    "output_shape must have " + std::to_string(n) + " values");
  }
  const std::string auto_pad = im.attr_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" &&
      auto_pad != "SAME_LOWER") {
    return im.error(ErrorCode::kInvalidGraph, "unknown auto_pad '" + auto_pad + "'");
  }
  for (size_t i = 0; i < n; ++i) {
    const int64_t k = (taps[i] - 1) * a.dilations[i] + 1;
    OPSCOPE_ASSIGN_OR_RETURN(Dim d, resolve_dim(im, in[i], k, a.strides[i], out_pad[i], pads[i],
                                                pads[n + i], given[i], auto_pad));
    a.dims.push_back(d);
  }
  return a;
}

TransposeConvAttrs transpose_conv_attrs(int stride_h, int stride_w, int pad_top, int pad_left,
                                        Shape output_shape) {
  TransposeConvAttrs a;
  a.padding = Padding::kExplicit;
  a.explicit_pads.top = pad_top;
  a.explicit_pads.left = pad_left;
  a.stride_h = stride_h;
  a.stride_w = stride_w;
  a.output_shape = std::move(output_shape);
  return a;
}

// 3D: see the file comment. `x` is channels-last [N, D, H, W, C], `w` the
// [C, M, Kd, Kh, Kw] weights.
Status translate_3d(Importer& im, int x, int w, int bias, const Axes& a) {
  const Shape xs = im.tensor(x).shape;
  const Shape ws = im.tensor(w).shape;
  const int64_t n = xs[0], depth = xs[1], c = ws[0], m = ws[1], kd = ws[2];
  const Dim& d = a.dims[0];
  const Dim& h = a.dims[1];
  const Dim& wd = a.dims[2];
  // [C, M, Kd, Kh, Kw] -> [C, Kd, M, Kh, Kw] = [C, Kd*M, Kh, Kw].
  const Shape folded = {c, kd * m, ws[3], ws[4]};
  const int64_t kd_dilated = (kd - 1) * a.dilations[0] + 1;
  OPSCOPE_RETURN_IF_ERROR(im.check_made_constant(
      {c, kd * m, (ws[3] - 1) * a.dilations[1] + 1, (ws[4] - 1) * a.dilations[2] + 1},
      DType::kF32));
  OPSCOPE_RETURN_IF_ERROR(im.check_made_constant({m, kd_dilated, 1, kd * m}, DType::kF32));
  const std::vector<uint8_t> cdm =
      permute_bytes(im.tensor(w).data, ws, 4, {0, 2, 1, 3, 4});
  Shape f1_shape;
  std::vector<uint8_t> f1 =
      dilated_ohwi(cdm.data(), folded, a.dilations[1], a.dilations[2], &f1_shape);
  const std::string wname = im.tensor(w).name;
  const int filter1 = im.new_constant(wname + "/hw_ohwi", DType::kF32, f1_shape, std::move(f1));
  OPSCOPE_ASSIGN_OR_RETURN(int planes, im.reshape(x, {n * depth, xs[2], xs[3], xs[4]}, "planes"));
  const int hw = im.new_tensor(im.node_name() + "/hw");
  OPSCOPE_RETURN_IF_ERROR(
      im.emit(OpKind::kTransposeConv,
              transpose_conv_attrs(static_cast<int>(a.strides[1]), static_cast<int>(a.strides[2]),
                                   h.pad_begin, wd.pad_begin, {n * depth, h.out, wd.out, kd * m}),
              {planes, filter1}, {hw}, "hw")
          .status());
  OPSCOPE_ASSIGN_OR_RETURN(int depth_in,
                           im.reshape(hw, {n, depth, h.out * wd.out, kd * m}, "depth"));
  // OHWI [M, Kd', 1, Kd*M]: tap kd*dilation of output m reads channel kd*M + m.
  std::vector<float> f2(static_cast<size_t>(m * kd_dilated * kd * m), 0.0f);
  for (int64_t o = 0; o < m; ++o) {
    for (int64_t t = 0; t < kd; ++t) {
      f2[(o * kd_dilated + t * a.dilations[0]) * kd * m + t * m + o] = 1.0f;
    }
  }
  const int filter2 = im.new_f32_constant(wname + "/d_ohwi", {m, kd_dilated, 1, kd * m}, f2);
  std::vector<int> ins = {depth_in, filter2};
  if (bias >= 0) ins.push_back(bias);
  const int dout = im.new_tensor(im.node_name() + "/d");
  OPSCOPE_RETURN_IF_ERROR(
      im.emit(OpKind::kTransposeConv,
              transpose_conv_attrs(static_cast<int>(a.strides[0]), 1, d.pad_begin, 0,
                                   {n, d.out, h.out * wd.out, m}),
              ins, {dout})
          .status());
  OPSCOPE_ASSIGN_OR_RETURN(int out, im.reshape(dout, {n, d.out, h.out, wd.out, m}, "3d"));
  im.define_output(0, Value{out, Layout::kChannelsLast});
  return Status::ok();
}

}  // namespace

Status translate_conv_transpose(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"auto_pad", "dilations", "group", "kernel_shape",
                                           "output_padding", "output_shape", "pads", "strides"}));
  OPSCOPE_ASSIGN_OR_RETURN(SpatialInput in, spatial_input(im, {1, 2, 3}));
  if (im.tensor(in.tensor).dtype != DType::kF32) {
    return im.error(ErrorCode::kTypeMismatch, "input must be float");
  }
  OPSCOPE_ASSIGN_OR_RETURN(Value w, im.constant_input(1));
  const Shape xs = in.onnx_shape;     // N, C, spatial...
  const Shape ws = im.tensor(w).shape;  // C, M, k... (group 1)
  if (im.tensor(w).dtype != DType::kF32 || ws.size() != xs.size() || ws[0] != xs[1]) {
    return im.error(ErrorCode::kShapeMismatch, "weights " + shape_to_string(ws) +
                                                   " do not fit input " + shape_to_string(xs));
  }
  const std::vector<int64_t> spatial(xs.begin() + 2, xs.end());
  const std::vector<int64_t> taps(ws.begin() + 2, ws.end());
  OPSCOPE_ASSIGN_OR_RETURN(Axes axes, read_axes(im, spatial, taps));
  int bias = -1;
  if (im.has_input(2)) {
    OPSCOPE_ASSIGN_OR_RETURN(Value b, im.constant_input(2));
    bias = b.tensor;
  }
  if (in.spatial_rank == 3) return translate_3d(im, in.tensor, w.tensor, bias, axes);
  if (in.spatial_rank == 1) {
    // H is one row: one tap, stride 1, no padding.
    axes.strides.insert(axes.strides.begin(), 1);
    axes.dilations.insert(axes.dilations.begin(), 1);
    axes.dims.insert(axes.dims.begin(), Dim{1, 0});
  }
  OPSCOPE_ASSIGN_OR_RETURN(const int w4, weights_as_2d(im, w.tensor));  // C, M, kH, kW
  const Shape w4s = im.tensor(w4).shape;
  // A few bytes of dilations must not make the loader allocate gigabytes.
  OPSCOPE_RETURN_IF_ERROR(im.check_made_constant(
      {w4s[0], w4s[1], (w4s[2] - 1) * axes.dilations[0] + 1,
       (w4s[3] - 1) * axes.dilations[1] + 1},
      DType::kF32));
  Shape filter_shape;
  std::vector<uint8_t> filter_bytes = dilated_ohwi(im.tensor(w4).data, w4s, axes.dilations[0],
                                                   axes.dilations[1], &filter_shape);
  const int filter = im.new_constant(im.tensor(w).name + "/ohwi", DType::kF32, filter_shape,
                                     std::move(filter_bytes));
  const Dim& h = axes.dims[0];
  const Dim& wd = axes.dims[1];
  std::vector<int> ins = {in.tensor, filter};
  if (bias >= 0) ins.push_back(bias);
  return emit_spatial_output(
      im, OpKind::kTransposeConv,
      transpose_conv_attrs(static_cast<int>(axes.strides[0]), static_cast<int>(axes.strides[1]),
                           h.pad_begin, wd.pad_begin, {xs[0], h.out, wd.out, w4s[1]}),
      ins, in.spatial_rank);
}

}  // namespace opscope::onnx
