// MaxPool and AveragePool over 1, 2 or 3 spatial dims, GlobalAveragePool
// and GlobalMaxPool; channels-last on the engine's 2D NHWC pools.
//
//   1D [N, W, C]: as [N, 1, W, C] with a 1xK window (onnx_spatial.h).
//   3D [N, D, H, W, C]: a box max or box average is separable. Pool H, W
//      on [N*D, H, W, C], then D with a Kx1 window on [N, D, H'*W', C]
//      (reshapes between). A clipped box's in-bounds cells are the product
//      of each axis' in-bounds cells, so the average of the per-plane
//      averages divides by the product of the per-axis counts, which is the
//      box's count: exact for count_include_pad = 0. For
//      count_include_pad = 1 each stage first pads its axes with zeros
//      (PAD) and pools unpadded, dividing by the full box.
//
// ceil_mode adds end padding per axis (apply_ceil_mode). MaxPool also takes
// uint8 (the engine's u8 MAX_POOL_2D); dilations (MaxPool) reach the
// engine's Pool2DAttrs.
#include <cstring>

#include "adapters/formats/onnx/onnx_ops.h"
#include "adapters/formats/onnx/onnx_spatial.h"

namespace opscope::onnx {

namespace {

// One 2D pooling stage over channels-last rank-4 `x` with the H and W
// axes, into tensor `out` (made by the caller). count_include_pad: zero
// padding first, then an unpadded average, so pads count as zeros.
Status emit_pool_stage(Importer& im, OpKind op, int x, WindowAxis h, WindowAxis w,
                       bool include_pad, int out, const std::string& tag) {
  const bool padded = h.pad_begin || h.pad_end || w.pad_begin || w.pad_end;
  if (op == OpKind::kAveragePool2D && include_pad && padded) {
    const std::vector<int64_t> pads = {0, 0, h.pad_begin, h.pad_end,
                                       w.pad_begin, w.pad_end, 0, 0};
    std::vector<uint8_t> bytes(pads.size() * 8);
    std::memcpy(bytes.data(), pads.data(), bytes.size());
    const std::string prefix = im.node_name() + (tag.empty() ? "" : "/" + tag);
    const int pad_const =
        im.new_constant(prefix + "/pads", DType::kI64, Shape{4, 2}, std::move(bytes));
    const int padded_id = im.new_tensor(prefix + "/padded");
    OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kPad, std::monostate{}, {x, pad_const}, {padded_id},
                                    tag.empty() ? "pad" : tag + "/pad")
                                .status());
    x = padded_id;
    h.pad_begin = h.pad_end = w.pad_begin = w.pad_end = 0;
  }
  Pool2DAttrs a;
  a.padding = Padding::kExplicit;
  a.explicit_pads = pads_2d(h, w);
  a.stride_h = h.stride;
  a.stride_w = w.stride;
  a.dilation_h = h.dilation;
  a.dilation_w = w.dilation;
  a.filter_h = static_cast<int>(h.k);
  a.filter_w = static_cast<int>(w.k);
  return im.emit(op, a, {x}, {out}, tag).status();
}

Status translate_pool(Importer& im, OpKind op) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"auto_pad", "ceil_mode", "count_include_pad",
                                           "dilations", "kernel_shape", "pads",
                                           "storage_order", "strides"}));
  if (im.node().output_size() > 1 && !im.node().output(1).empty()) {
    return im.error(ErrorCode::kUnsupportedOp, "the Indices output is not supported");
  }
  OPSCOPE_ASSIGN_OR_RETURN(SpatialInput in, spatial_input(im, {1, 2, 3}));
  const DType dtype = im.tensor(in.tensor).dtype;
  if (dtype != DType::kF32 && !(dtype == DType::kU8 && op == OpKind::kMaxPool2D)) {
    return im.error(ErrorCode::kTypeMismatch,
                    "input is " + std::string(to_string(dtype)) +
                        (op == OpKind::kMaxPool2D ? "; float or uint8 supported"
                                                  : "; float supported"));
  }
  const Shape xs = in.onnx_shape;  // N, C, spatial...
  const std::vector<int64_t> spatial(xs.begin() + 2, xs.end());
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<WindowAxis> axes, read_window(im, spatial, {}));
  const bool ceil_mode = im.attr_int("ceil_mode", 0) != 0;
  if (ceil_mode) {
    for (size_t i = 0; i < axes.size(); ++i) apply_ceil_mode(axes[i], spatial[i]);
  }
  const bool include_pad =
      op == OpKind::kAveragePool2D && im.attr_int("count_include_pad", 0) != 0;
  if (include_pad && ceil_mode) {
    return im.error(ErrorCode::kUnsupportedOp,
                    "count_include_pad with ceil_mode is not supported");
  }
  if (in.spatial_rank == 2) {
    const int out = im.new_tensor(im.node().output(0), dtype);
    OPSCOPE_RETURN_IF_ERROR(emit_pool_stage(im, op, in.tensor, axes[0], axes[1], include_pad,
                                            out, ""));
    im.define_output(0, Value{out, Layout::kChannelsLast});
    return Status::ok();
  }
  if (in.spatial_rank == 1) {
    const int out2d = im.new_tensor(im.node_name() + "/2d", dtype);
    OPSCOPE_RETURN_IF_ERROR(
        emit_pool_stage(im, op, in.tensor, WindowAxis{}, axes[0], include_pad, out2d, ""));
    const Shape s = im.tensor(out2d).shape;  // N, 1, W', C
    OPSCOPE_ASSIGN_OR_RETURN(int out, im.reshape(out2d, {s[0], s[2], s[3]}, "1d"));
    im.define_output(0, Value{out, Layout::kChannelsLast});
    return Status::ok();
  }
  // 3D: H and W per depth plane, then D.
  const Shape x5 = im.tensor(in.tensor).shape;  // N, D, H, W, C
  OPSCOPE_ASSIGN_OR_RETURN(
      int planes, im.reshape(in.tensor, {x5[0] * x5[1], x5[2], x5[3], x5[4]}, "planes"));
  const int hw = im.new_tensor(im.node_name() + "/hw", dtype);
  OPSCOPE_RETURN_IF_ERROR(
      emit_pool_stage(im, op, planes, axes[1], axes[2], include_pad, hw, "hw"));
  const Shape hs = im.tensor(hw).shape;  // N*D, H', W', C
  OPSCOPE_ASSIGN_OR_RETURN(int depth_in,
                           im.reshape(hw, {x5[0], x5[1], hs[1] * hs[2], hs[3]}, "depth"));
  const int d_out = im.new_tensor(im.node_name() + "/d", dtype);
  OPSCOPE_RETURN_IF_ERROR(
      emit_pool_stage(im, op, depth_in, axes[0], WindowAxis{}, include_pad, d_out, "d"));
  const Shape ds = im.tensor(d_out).shape;  // N, D', H'*W', C
  OPSCOPE_ASSIGN_OR_RETURN(int out,
                           im.reshape(d_out, {ds[0], ds[1], hs[1], hs[2], ds[3]}, "3d"));
  im.define_output(0, Value{out, Layout::kChannelsLast});
  return Status::ok();
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

}  // namespace opscope::onnx
