// DepthToSpace (DCR and CRD modes) and SpaceToDepth: on the NCHW tensor, a
// reshape to 6-D, a transpose and a reshape back, as the ONNX spec defines
// them. Blocks of b x b pixels:
//   DepthToSpace DCR: [N, b, b, C, H, W] -> perm 0 3 4 1 5 2 -> [N, C, H*b, W*b]
//   DepthToSpace CRD: [N, C, b, b, H, W] -> perm 0 1 4 2 5 3 -> [N, C, H*b, W*b]
//   SpaceToDepth:     [N, C, H, b, W, b] -> perm 0 3 5 1 2 4 -> [N, b*b*C, H, W]
// (H, W the smaller side's dims).
#include <string>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {
namespace {

Result<int> block_size(Importer& im) {
  const int64_t b = im.attr_int("blocksize", 0);
  if (b < 1 || b > 4096) {
    return im.error(ErrorCode::kInvalidGraph, "blocksize " + std::to_string(b) +
                                                  " must be in [1, 4096]");
  }
  return static_cast<int>(b);
}

// x (NCHW, natural layout) reshaped to `six`, transposed by `perm`, reshaped
// to `out`: the node's output.
Status rearrange(Importer& im, int x, const Shape& six, const std::vector<int>& perm,
                 const Shape& out) {
  OPSCOPE_ASSIGN_OR_RETURN(int id, im.reshape(x, six, "blocks"));
  OPSCOPE_ASSIGN_OR_RETURN(id, im.transpose(id, perm, "block_order"));
  OPSCOPE_ASSIGN_OR_RETURN(id, im.reshape(id, out, "merged"));
  im.define_output(0, Value{id});
  return Status::ok();
}

Result<int> nchw_input(Importer& im, Shape* shape) {
  OPSCOPE_ASSIGN_OR_RETURN(Value v, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(const int x, im.as_natural(v));
  *shape = im.tensor(x).shape;
  if (shape->size() != 4) {
    return im.error(ErrorCode::kInvalidGraph,
                    "needs a 4-D NCHW input, has " + shape_to_string(*shape));
  }
  return x;
}

}  // namespace

Status translate_depth_to_space(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"blocksize", "mode"}));
  OPSCOPE_ASSIGN_OR_RETURN(const int64_t b, block_size(im));
  const std::string mode = im.attr_string("mode", "DCR");
  if (mode != "DCR" && mode != "CRD") {
    return im.error(ErrorCode::kInvalidGraph, "mode '" + mode + "' is not DCR or CRD");
  }
  Shape s;
  OPSCOPE_ASSIGN_OR_RETURN(const int x, nchw_input(im, &s));
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  if (c % (b * b) != 0) {
    return im.error(ErrorCode::kShapeMismatch, "channels " + std::to_string(c) +
                                                   " are not a multiple of blocksize^2");
  }
  const Shape out = {n, c / (b * b), h * b, w * b};
  if (mode == "DCR") {
    return rearrange(im, x, {n, b, b, c / (b * b), h, w}, {0, 3, 4, 1, 5, 2}, out);
  }
  return rearrange(im, x, {n, c / (b * b), b, b, h, w}, {0, 1, 4, 2, 5, 3}, out);
}

Status translate_space_to_depth(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"blocksize"}));
  OPSCOPE_ASSIGN_OR_RETURN(const int64_t b, block_size(im));
  Shape s;
  OPSCOPE_ASSIGN_OR_RETURN(const int x, nchw_input(im, &s));
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  if (h % b != 0 || w % b != 0) {
    return im.error(ErrorCode::kShapeMismatch, "spatial dims " + std::to_string(h) + "x" +
                                                   std::to_string(w) +
                                                   " are not multiples of the blocksize");
  }
  return rearrange(im, x, {n, c, h / b, b, w / b, b}, {0, 3, 5, 1, 2, 4},
                   {n, c * b * b, h / b, w / b});
}

}  // namespace opscope::onnx
