// Split: one strided slice per output, in the input's own layout (a
// channel split of an NHWC value slices the last dim; no transposes).
#include <numeric>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

namespace {

// The part sizes along the axis: the `split` attribute (opset < 13) or
// input 1 (opset >= 13), else equal parts, one per output; opset 18's
// num_outputs makes the last part the smaller one when dim is not a
// multiple (ceil-sized parts).
Result<std::vector<int64_t>> split_sizes(Importer& im, int64_t dim) {
  std::vector<int64_t> sizes;
  if (im.opset() < 13) {
    sizes = im.attr_ints("split");
  } else if (im.has_input(1)) {
    OPSCOPE_ASSIGN_OR_RETURN(sizes, im.int_input(1));
  }
  const int64_t parts = im.node().output_size();
  if (sizes.empty()) {
    if (parts < 1) return im.error(ErrorCode::kInvalidGraph, "has no outputs");
    const int64_t n = im.attr_int("num_outputs", parts);
    if (n != parts) {
      return im.error(ErrorCode::kInvalidGraph,
                      "num_outputs " + std::to_string(n) + " but " + std::to_string(parts) +
                          " outputs");
    }
    const int64_t each = im.has_attr("num_outputs") ? (dim + parts - 1) / parts : dim / parts;
    if (!im.has_attr("num_outputs") && each * parts != dim) {
      return im.error(ErrorCode::kShapeMismatch, "a dim of " + std::to_string(dim) +
                                                     " does not split into " +
                                                     std::to_string(parts) + " equal parts");
    }
    for (int64_t k = 0, left = dim; k < parts; ++k, left -= each) {
      sizes.push_back(std::min(each, std::max<int64_t>(left, 0)));
    }
  }
  if (static_cast<int64_t>(sizes.size()) != parts) {
    return im.error(ErrorCode::kInvalidGraph, std::to_string(sizes.size()) + " split sizes for " +
                                                  std::to_string(parts) + " outputs");
  }
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0 || s > dim) return im.error(ErrorCode::kInvalidGraph, "a negative or oversized split");
    total += s;
  }
  if (total != dim) {
    return im.error(ErrorCode::kShapeMismatch, "split sizes add up to " + std::to_string(total) +
                                                   ", not the dim " + std::to_string(dim));
  }
  return sizes;
}

}  // namespace

Status translate_split(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axis", "split", "num_outputs"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  const Shape onnx = im.onnx_shape(x);
  const int r = static_cast<int>(onnx.size());
  if (r > 30) return im.error(ErrorCode::kUnsupportedOp, "rank above 30");
  OPSCOPE_ASSIGN_OR_RETURN(int axis, normalize_axis(im, im.attr_int("axis", 0), r, "axis"));
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, split_sizes(im, onnx[axis]));

  // Copies: adding tensors below may move the graph's tensor array.
  const Shape s = im.tensor(x).shape;  // the engine tensor's own dims
  const DType dtype = im.tensor(x).dtype;
  const int d = x.layout == Layout::kChannelsLast ? natural_perm(r)[axis] : axis;
  int64_t begin = 0;
  for (int k = 0; k < static_cast<int>(sizes.size()); ++k) {
    if (im.node().output(k).empty()) {  // an unused optional output
      begin += sizes[k];
      continue;
    }
    std::vector<int32_t> b(r, 0), e(r), st(r, 1);
    for (int i = 0; i < r; ++i) e[i] = static_cast<int32_t>(s[i]);
    b[d] = static_cast<int32_t>(begin);
    e[d] = static_cast<int32_t>(begin + sizes[k]);
    begin += sizes[k];
    const std::string part = std::to_string(k);
    const int bid = im.new_i32_constant(im.node_name() + "/begin" + part, b);
    const int eid = im.new_i32_constant(im.node_name() + "/end" + part, e);
    const int sid = im.new_i32_constant(im.node_name() + "/strides" + part, st);
    const int out = im.new_tensor(im.node().output(k), dtype);
    OPSCOPE_RETURN_IF_ERROR(
        im.emit(OpKind::kStridedSlice, StridedSliceAttrs{}, {x.tensor, bid, eid, sid}, {out}, part)
            .status());
    im.define_output(k, Value{out, x.layout});
  }
  return Status::ok();
}

}  // namespace opscope::onnx
