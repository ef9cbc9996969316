// Resize and Upsample in linear mode over H and W of an NCHW image, as the
// engine's RESIZE_BILINEAR (channels-last). The engine samples at
// in/out-scaled coordinates, so a `scales` input is taken only when it is
// exactly out/in (a 0.6 downscale of 4 pixels, which ONNX samples at 1/0.6
// steps, is refused rather than computed differently). Coordinate modes:
//   half_pixel, pytorch_half_pixel (out > 1) -> half_pixel_centers
//   align_corners                            -> align_corners
//   asymmetric                               -> neither
// nearest and cubic modes, crops (tf_crop_and_resize) and antialiasing are
// not supported.
#include <cmath>
#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

namespace {

// A constant f32 vector input (Resize's scales), empty when absent or empty.
Result<std::vector<float>> float_vector_input(Importer& im, int i) {
  if (!im.has_input(i)) return std::vector<float>{};
  OPSCOPE_ASSIGN_OR_RETURN(Value v, im.constant_input(i));
  const Tensor& t = im.tensor(v);
  if (t.dtype != DType::kF32 || t.shape.size() > 1) {
    return im.error(ErrorCode::kTypeMismatch, "scales must be a constant f32 vector");
  }
  const float* p = t.constant_as<float>();
  return std::vector<float>(p, p + t.elements());
}

}  // namespace

Status translate_resize(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"mode", "coordinate_transformation_mode",
                                           "cubic_coeff_a", "exclude_outside",
                                           "extrapolation_value", "nearest_mode", "scales",
                                           "antialias", "keep_aspect_ratio_policy", "axes"}));
  const std::string mode = im.attr_string("mode", "nearest");
  if (mode != "linear" && mode != "bilinear") {
    return im.error(ErrorCode::kUnsupportedOp, "mode '" + mode + "' is not supported (linear is)");
  }
  if (im.attr_int("antialias", 0) != 0 || im.has_attr("axes")) {
    return im.error(ErrorCode::kUnsupportedOp, "antialias and axes are not supported");
  }
  const std::string coords = im.opset() < 11 ? "asymmetric"
      : im.attr_string("coordinate_transformation_mode", "half_pixel");
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  if (im.rank(x) != 4 || im.tensor(x).dtype != DType::kF32) {
    return im.error(ErrorCode::kUnsupportedOp, "only f32 rank-4 NCHW inputs are supported");
  }
  const Shape xs = im.onnx_shape(x);

  // Output size: `sizes` (input 3), else `scales` (input 2; input 1 before
  // opset 11; an attribute in Upsample-7).
  std::vector<int64_t> out = xs;
  std::vector<float> scales;
  if (im.opset() >= 11 && im.has_input(3)) {
    OPSCOPE_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, im.int_input(3));
    if (sizes.size() != 4) return im.error(ErrorCode::kInvalidGraph, "sizes must have 4 values");
    out = sizes;
  } else {
    if (im.has_attr("scales")) {
      scales = im.attr_floats("scales");
    } else {
      OPSCOPE_ASSIGN_OR_RETURN(scales, float_vector_input(im, im.opset() >= 11 ? 2 : 1));
    }
    if (scales.size() != 4) return im.error(ErrorCode::kInvalidGraph, "scales must have 4 values");
    for (int d = 0; d < 4; ++d) {
      if (!(scales[d] > 0.0f) || !(scales[d] < 65536.0f)) {
        return im.error(ErrorCode::kInvalidGraph, "scales must be positive");
      }
      out[d] = static_cast<int64_t>(std::floor(static_cast<double>(xs[d]) * scales[d]));
      if (static_cast<double>(out[d]) != static_cast<double>(xs[d]) * scales[d]) {
        return im.error(ErrorCode::kUnsupportedOp,
                        "scale " + std::to_string(scales[d]) + " of a dim of " +
                            std::to_string(xs[d]) +
                            " does not give a whole size; only exact scales are supported");
      }
    }
  }
  if (out[0] != xs[0] || out[1] != xs[1]) {
    return im.error(ErrorCode::kUnsupportedOp, "only H and W may be resized");
  }
  if (out[2] < 1 || out[3] < 1 || out[2] > 65536 || out[3] > 65536) {
    return im.error(ErrorCode::kInvalidGraph, "output size out of range");
  }
  ResizeAttrs a;
  if (coords == "half_pixel" || (coords == "pytorch_half_pixel" && out[2] > 1 && out[3] > 1)) {
    a.half_pixel_centers = true;
  } else if (coords == "align_corners") {
    a.align_corners = true;
  } else if (coords != "asymmetric") {
    return im.error(ErrorCode::kUnsupportedOp,
                    "coordinate_transformation_mode '" + coords + "' is not supported");
  }
  OPSCOPE_ASSIGN_OR_RETURN(int in, im.as_channels_last(x));
  const int size = im.new_i32_constant(im.node_name() + "/size", {static_cast<int32_t>(out[2]),
                                                                  static_cast<int32_t>(out[3])});
  return im.emit_output(OpKind::kResizeBilinear, a, {in, size}, Layout::kChannelsLast).status();
}

}  // namespace opscope::onnx
