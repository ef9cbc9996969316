// Resize (opsets 10-18) and Upsample (7, 9) of f32 tensors of rank 1 to 4.
//
// Two engine forms:
//   - RESIZE_BILINEAR (channels-last, XNNPACK runs it) when it computes
//     exactly what ONNX asks: linear mode over H and W of an NCHW image, N
//     and C unchanged, each scale exactly out/in (or `sizes` given), and a
//     coordinate mode it has:
//       half_pixel, pytorch_half_pixel (out > 1) -> half_pixel_centers
//       align_corners                            -> align_corners
//       asymmetric                               -> neither
//     (exclude_outside changes nothing in linear mode: an outside tap only
//     ever pairs with the edge pixel it would clamp to.)
//   - RESIZE (ResizeNdAttrs, the reference kernel) for everything else:
//     nearest, linear and cubic over any axis, every coordinate mode, the
//     scales kept as given (ONNX samples a 0.6 downscale of 4 pixels at
//     1/0.6 steps, not at 4/2).
// Opsets before 11 (Upsample, Resize-10) have no coordinate or nearest
// mode: they are asymmetric and take the floor, as Upsample's definition
// (each output pixel copies input[floor(x / scale)]) says.
// Not supported: antialias, axes, keep_aspect_ratio_policy other than
// stretch (opset 18), non-constant scales/sizes/roi.
#include <cmath>
#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

namespace {

constexpr int64_t kMaxOutputDim = 1 << 16;

// A constant f32 vector input (scales, roi), empty when absent or empty.
Result<std::vector<float>> float_vector_input(Importer& im, int i, const char* what) {
  if (!im.has_input(i)) return std::vector<float>{};
  OPSCOPE_ASSIGN_OR_RETURN(Value v, im.constant_input(i));
  const Tensor& t = im.tensor(v);
  if (t.dtype != DType::kF32 || t.shape.size() > 1) {
    return im.error(ErrorCode::kTypeMismatch,
                    std::string(what) + " must be a constant f32 vector, is " +
                        std::string(to_string(t.dtype)) + " " + shape_to_string(t.shape));
  }
  const float* p = t.constant_as<float>();
  return std::vector<float>(p, p + t.elements());
}

// What the node asks for, in ONNX axis order.
struct ResizeRequest {
  ResizeNdAttrs attrs;  // output_shape, scales, roi in ONNX order until emitted
  bool from_sizes = false;
};

Result<ResizeMode> parse_mode(Importer& im) {
  const std::string mode = im.attr_string("mode", "nearest");
  if (mode == "nearest") return ResizeMode::kNearest;
  if (mode == "linear" || mode == "bilinear") return ResizeMode::kLinear;
  if (mode == "cubic" && im.opset() >= 11) return ResizeMode::kCubic;
  return im.error(ErrorCode::kUnsupportedOp, "mode '" + mode + "' is not supported");
}

Result<ResizeCoordinates> parse_coordinates(Importer& im) {
  if (im.opset() < 11) return ResizeCoordinates::kAsymmetric;
  const std::string c = im.attr_string("coordinate_transformation_mode", "half_pixel");
  if (c == "half_pixel") return ResizeCoordinates::kHalfPixel;
  if (c == "pytorch_half_pixel") return ResizeCoordinates::kPytorchHalfPixel;
  if (c == "align_corners") return ResizeCoordinates::kAlignCorners;
  if (c == "asymmetric") return ResizeCoordinates::kAsymmetric;
  if (c == "tf_half_pixel_for_nn") return ResizeCoordinates::kTfHalfPixelForNn;
  if (c == "tf_crop_and_resize") return ResizeCoordinates::kTfCropAndResize;
  return im.error(ErrorCode::kUnsupportedOp,
                  "coordinate_transformation_mode '" + c + "' is not supported");
}

Result<NearestRounding> parse_nearest(Importer& im) {
  if (im.opset() < 11) return NearestRounding::kFloor;
  const std::string n = im.attr_string("nearest_mode", "round_prefer_floor");
  if (n == "round_prefer_floor") return NearestRounding::kRoundPreferFloor;
  if (n == "round_prefer_ceil") return NearestRounding::kRoundPreferCeil;
  if (n == "floor") return NearestRounding::kFloor;
  if (n == "ceil") return NearestRounding::kCeil;
  return im.error(ErrorCode::kUnsupportedOp, "nearest_mode '" + n + "' is not supported");
}

// Output shape and scales from `sizes` (input 3 from opset 11), else from
// `scales` (input 2; input 1 in Resize-10 and Upsample-9; an attribute in
// Upsample-7): out = floor(in * scale), the scale kept as given.
Status output_and_scales(Importer& im, const Shape& in, ResizeRequest* r) {
  const size_t rank = in.size();
  ResizeNdAttrs& a = r->attrs;
  std::vector<int64_t> sizes;
  if (im.opset() >= 11 && im.has_input(3)) {
    OPSCOPE_ASSIGN_OR_RETURN(sizes, im.int_input(3));
  }
  if (!sizes.empty()) {
    if (sizes.size() != rank) {
      return im.error(ErrorCode::kInvalidGraph, "sizes has " + std::to_string(sizes.size()) +
                                                    " values for a rank-" +
                                                    std::to_string(rank) + " input");
    }
    r->from_sizes = true;
    a.output_shape = sizes;
    for (size_t d = 0; d < rank; ++d) {
      a.scales.push_back(static_cast<double>(sizes[d]) / static_cast<double>(in[d]));
    }
  } else {
    std::vector<float> scales;
    if (im.has_attr("scales")) {
      scales = im.attr_floats("scales");
    } else {
      OPSCOPE_ASSIGN_OR_RETURN(scales, float_vector_input(im, im.opset() >= 11 ? 2 : 1, "scales"));
    }
    if (scales.size() != rank) {
      return im.error(ErrorCode::kInvalidGraph,
                      "scales has " + std::to_string(scales.size()) + " values for a rank-" +
                          std::to_string(rank) + " input (and no sizes are given)");
    }
    for (size_t d = 0; d < rank; ++d) {
      if (!(scales[d] > 0.0f) || !(scales[d] < static_cast<float>(kMaxOutputDim))) {
        return im.error(ErrorCode::kInvalidGraph,
                        "scale " + std::to_string(scales[d]) + " must be in (0, 65536)");
      }
      a.scales.push_back(scales[d]);
      a.output_shape.push_back(
          static_cast<int64_t>(std::floor(static_cast<double>(in[d]) * a.scales[d])));
    }
  }
  for (size_t d = 0; d < rank; ++d) {
    const int64_t o = a.output_shape[d];
    if (in[d] < 1 || o < 1 || (o > kMaxOutputDim && o != in[d])) {
      return im.error(ErrorCode::kInvalidGraph,
                      "output dim " + std::to_string(d) + " of " + std::to_string(o) +
                          " (input " + shape_to_string(in) + ") is out of range [1, 65536]");
    }
  }
  return Status::ok();
}

// roi (input 1, opset 11+): [start_0..start_{r-1}, end_0..end_{r-1}], read
// only by tf_crop_and_resize.
Status read_roi(Importer& im, size_t rank, ResizeNdAttrs* a) {
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<float> roi, float_vector_input(im, 1, "roi"));
  if (roi.size() != 2 * rank) {
    return im.error(ErrorCode::kInvalidGraph,
                    "tf_crop_and_resize needs a roi of " + std::to_string(2 * rank) +
                        " values, has " + std::to_string(roi.size()));
  }
  for (size_t d = 0; d < rank; ++d) {
    if (!std::isfinite(roi[d]) || !std::isfinite(roi[rank + d])) {
      return im.error(ErrorCode::kInvalidGraph, "roi values must be finite");
    }
    a->roi_start.push_back(roi[d]);
    a->roi_end.push_back(roi[rank + d]);
  }
  return Status::ok();
}

// True when RESIZE_BILINEAR computes exactly this request (header comment).
bool bilinear_equivalent(const ResizeRequest& r, const Shape& in) {
  const ResizeNdAttrs& a = r.attrs;
  if (a.mode != ResizeMode::kLinear || in.size() != 4) return false;
  for (int d : {0, 1}) {
    if (a.output_shape[d] != in[d] || a.scales[d] != 1.0) return false;
  }
  for (int d : {2, 3}) {
    if (!r.from_sizes &&
        static_cast<double>(a.output_shape[d]) != static_cast<double>(in[d]) * a.scales[d]) {
      return false;
    }
  }
  switch (a.coordinates) {
    case ResizeCoordinates::kHalfPixel:
    case ResizeCoordinates::kAlignCorners:
    case ResizeCoordinates::kAsymmetric: return true;
    case ResizeCoordinates::kPytorchHalfPixel:
      return a.output_shape[2] > 1 && a.output_shape[3] > 1;
    default: return false;
  }
}

Status emit_bilinear(Importer& im, const Value& x, const ResizeRequest& r) {
  ResizeAttrs a;
  a.half_pixel_centers = r.attrs.coordinates == ResizeCoordinates::kHalfPixel ||
                         r.attrs.coordinates == ResizeCoordinates::kPytorchHalfPixel;
  a.align_corners = r.attrs.coordinates == ResizeCoordinates::kAlignCorners;
  OPSCOPE_ASSIGN_OR_RETURN(int in, im.as_channels_last(x));
  const int size = im.new_i32_constant(im.node_name() + "/size",
                                       {static_cast<int32_t>(r.attrs.output_shape[2]),
                                        static_cast<int32_t>(r.attrs.output_shape[3])});
  return im.emit_output(OpKind::kResizeBilinear, a, {in, size}, Layout::kChannelsLast).status();
}

// RESIZE on the engine tensor: channels-last for rank 4 (the per-axis
// attrs permuted to NHWC), ONNX order otherwise.
Status emit_resize(Importer& im, const Value& x, ResizeRequest r) {
  const int rank = im.rank(x);
  const bool nhwc = rank == 4;
  ResizeNdAttrs a = r.attrs;
  if (nhwc) {
    const std::vector<int> perm = channels_last_perm(rank);
    const bool crop = !a.roi_start.empty();
    for (int i = 0; i < rank; ++i) {
      a.output_shape[i] = r.attrs.output_shape[perm[i]];
      a.scales[i] = r.attrs.scales[perm[i]];
      if (crop) {
        a.roi_start[i] = r.attrs.roi_start[perm[i]];
        a.roi_end[i] = r.attrs.roi_end[perm[i]];
      }
    }
  }
  OPSCOPE_ASSIGN_OR_RETURN(int in, nhwc ? im.as_channels_last(x) : im.as_natural(x));
  return im.emit_output(OpKind::kResize, std::move(a), {in},
                        nhwc ? Layout::kChannelsLast : Layout::kNatural)
      .status();
}

}  // namespace

Status translate_resize(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"mode", "coordinate_transformation_mode",
                                           "cubic_coeff_a", "exclude_outside",
                                           "extrapolation_value", "nearest_mode", "scales",
                                           "antialias", "keep_aspect_ratio_policy", "axes"}));
  if (im.attr_int("antialias", 0) != 0 || im.has_attr("axes")) {
    return im.error(ErrorCode::kUnsupportedOp, "antialias and axes are not supported");
  }
  if (im.attr_string("keep_aspect_ratio_policy", "stretch") != "stretch") {
    return im.error(ErrorCode::kUnsupportedOp,
                    "keep_aspect_ratio_policy other than 'stretch' is not supported");
  }
  ResizeRequest r;
  ResizeNdAttrs& a = r.attrs;
  OPSCOPE_ASSIGN_OR_RETURN(a.mode, parse_mode(im));
  OPSCOPE_ASSIGN_OR_RETURN(a.coordinates, parse_coordinates(im));
  OPSCOPE_ASSIGN_OR_RETURN(a.nearest, parse_nearest(im));
  a.cubic_coeff_a = im.attr_float("cubic_coeff_a", -0.75f);
  a.exclude_outside = im.attr_int("exclude_outside", 0) != 0;
  a.extrapolation_value = im.attr_float("extrapolation_value", 0.0f);
  if (!std::isfinite(a.cubic_coeff_a)) {
    return im.error(ErrorCode::kInvalidGraph, "cubic_coeff_a must be finite");
  }

  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  const int rank = im.rank(x);
  if (rank < 1 || rank > 4 || im.tensor(x).dtype != DType::kF32) {
    return im.error(ErrorCode::kUnsupportedOp,
                    "only f32 inputs of rank 1 to 4 are supported, '" + im.node().input(0) +
                        "' is " + std::string(to_string(im.tensor(x).dtype)) + " " +
                        shape_to_string(im.onnx_shape(x)));
  }
  const Shape xs = im.onnx_shape(x);
  OPSCOPE_RETURN_IF_ERROR(output_and_scales(im, xs, &r));
  if (a.coordinates == ResizeCoordinates::kTfCropAndResize) {
    OPSCOPE_RETURN_IF_ERROR(read_roi(im, xs.size(), &a));
  }
  if (bilinear_equivalent(r, xs)) return emit_bilinear(im, x, r);
  return emit_resize(im, x, std::move(r));
}

}  // namespace opscope::onnx
