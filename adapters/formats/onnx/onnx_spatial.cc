// Windows of ONNX conv and pool nodes over 1-3 spatial dims, and the 1D
// lifting onto 2D engine ops (see onnx_spatial.h).
#include "adapters/formats/onnx/onnx_spatial.h"

#include <algorithm>

namespace opscope::onnx {

namespace {

constexpr int64_t kMaxWindowValue = 65536;

// Reads `name` (n values in [lo, kMaxWindowValue]) into `out`; absent
// leaves `out` as it is.
Status read_ints(Importer& im, const char* name, size_t n, int64_t lo,
                 std::vector<int64_t>* out) {
  const std::vector<int64_t> v = im.attr_ints(name);
  if (v.empty()) return Status::ok();
  bool ok = v.size() == n;
  for (int64_t e : v) ok = ok && e >= lo && e <= kMaxWindowValue;
  if (!ok) {
    return im.error(ErrorCode::kInvalidGraph,
                    std::string(name) + " must be " + std::to_string(n) + " values in [" +
                        std::to_string(lo) + ", " + std::to_string(kMaxWindowValue) + "]");
  }
  *out = v;
  return Status::ok();
}

}  // namespace

Result<std::vector<WindowAxis>> read_window(Importer& im, const std::vector<int64_t>& in,
                                            const std::vector<int64_t>& kernel) {
  const size_t n = in.size();
  std::vector<int64_t> k = kernel;
  const std::vector<int64_t> ks = im.attr_ints("kernel_shape");
  if (!ks.empty()) {
    if (ks.size() != n) {
      return im.error(ErrorCode::kInvalidGraph,
                      "kernel_shape has " + std::to_string(ks.size()) + " dims; the input has " +
                          std::to_string(n) + " spatial dims");
    }
    if (!k.empty() && ks != k) {
      return im.error(ErrorCode::kShapeMismatch,
                      "kernel_shape disagrees with the weights' spatial dims");
    }
    k = ks;
  }
  if (k.size() != n) return im.error(ErrorCode::kInvalidGraph, "has no kernel_shape");
  for (int64_t v : k) {
    if (v < 1 || v > kMaxWindowValue) {
      return im.error(ErrorCode::kInvalidGraph, "kernel dims must be in [1, 65536]");
    }
  }
  std::vector<int64_t> strides(n, 1), dilations(n, 1), pads(2 * n, 0);
  OPSCOPE_RETURN_IF_ERROR(read_ints(im, "strides", n, 1, &strides));
  OPSCOPE_RETURN_IF_ERROR(read_ints(im, "dilations", n, 1, &dilations));
  const std::string auto_pad = im.attr_string("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    // ONNX order: every axis' begin, then every axis' end.
    OPSCOPE_RETURN_IF_ERROR(read_ints(im, "pads", 2 * n, 0, &pads));
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t i = 0; i < n; ++i) {
      const int64_t out = (in[i] + strides[i] - 1) / strides[i];
      const int64_t total = std::max<int64_t>(
          0, (out - 1) * strides[i] + (k[i] - 1) * dilations[i] + 1 - in[i]);
      const int64_t small = total / 2;
      pads[i] = auto_pad == "SAME_UPPER" ? small : total - small;
      pads[n + i] = total - pads[i];
    }
  } else if (auto_pad != "VALID") {
    return im.error(ErrorCode::kInvalidGraph, "unknown auto_pad '" + auto_pad + "'");
  }
  std::vector<WindowAxis> axes(n);
  for (size_t i = 0; i < n; ++i) {
    axes[i].k = k[i];
    axes[i].stride = static_cast<int>(strides[i]);
    axes[i].dilation = static_cast<int>(dilations[i]);
    axes[i].pad_begin = static_cast<int>(pads[i]);
    axes[i].pad_end = static_cast<int>(pads[n + i]);
  }
  return axes;
}

void apply_ceil_mode(WindowAxis& a, int64_t in) {
  const int64_t extent = (a.k - 1) * a.dilation + 1;
  const int64_t span = in + a.pad_begin + a.pad_end - extent;
  if (span < 0) return;  // no window fits; the kernel reports it
  const int64_t ceil_out = (span + a.stride - 1) / a.stride + 1;
  const int64_t out = (ceil_out - 1) * a.stride >= in + a.pad_begin ? ceil_out - 1 : ceil_out;
  // Just enough for the last window: as it starts inside the input or the
  // begin padding, the pad stays below the window's extent (the kernels
  // require it).
  const int64_t needed = (out - 1) * a.stride + extent - (in + a.pad_begin + a.pad_end);
  if (needed > 0) a.pad_end += static_cast<int>(needed);
}

Pads2D pads_2d(const WindowAxis& h, const WindowAxis& w) {
  return Pads2D{h.pad_begin, w.pad_begin, h.pad_end, w.pad_end};
}

Result<SpatialInput> spatial_input(Importer& im, std::initializer_list<int> spatial_ranks) {
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  SpatialInput s;
  s.onnx_shape = im.onnx_shape(x);
  s.spatial_rank = im.rank(x) - 2;
  if (std::find(spatial_ranks.begin(), spatial_ranks.end(), s.spatial_rank) ==
      spatial_ranks.end()) {
    std::string ok;
    for (int r : spatial_ranks) ok += (ok.empty() ? "" : ", ") + std::to_string(r) + "D";
    return im.error(ErrorCode::kUnsupportedOp,
                    "input '" + im.tensor(x).name + "' is " + shape_to_string(s.onnx_shape) +
                        "; supported: " + ok + " (rank N+2)");
  }
  OPSCOPE_ASSIGN_OR_RETURN(s.tensor, im.as_channels_last(x));
  if (s.spatial_rank == 1) {
    const Shape& nwc = im.tensor(s.tensor).shape;
    const Shape lifted = {nwc[0], 1, nwc[1], nwc[2]};
    OPSCOPE_ASSIGN_OR_RETURN(s.tensor, im.reshape(s.tensor, lifted, "2d"));
  }
  return s;
}

Status emit_spatial_output(Importer& im, OpKind op, Attributes attrs, std::vector<int> inputs,
                           int spatial_rank) {
  if (spatial_rank != 1) {
    return im.emit_output(op, std::move(attrs), std::move(inputs), Layout::kChannelsLast)
        .status();
  }
  const int out2d = im.new_tensor(im.node_name() + "/2d", im.tensor(inputs[0]).dtype);
  OPSCOPE_RETURN_IF_ERROR(im.emit(op, std::move(attrs), std::move(inputs), {out2d}).status());
  const Shape s = im.tensor(out2d).shape;  // N, 1, W', C'
  OPSCOPE_ASSIGN_OR_RETURN(int out, im.reshape(out2d, {s[0], s[2], s[3]}, "1d"));
  im.define_output(0, Value{out, Layout::kChannelsLast});
  return Status::ok();
}

Result<int> weights_as_2d(Importer& im, int weights) {
  const Shape s = im.tensor(weights).shape;
  if (s.size() != 3) return weights;
  return im.reshape(weights, {s[0], s[1], 1, s[2]}, "2d");
}

}  // namespace opscope::onnx
