// GatherElements and GatherND (opset 11 on; GatherND's batch_dims from 12,
// refused by name before that by expect_attrs). Gather itself lives with
// the shape ops in onnx_ops_shape.cc. Constant data with constant indices
// fold at load through Importer::emit; the engine ops run on any data.
#include <algorithm>
#include <string>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

namespace {

Result<int> integer_indices(Importer& im, const Value& v, Layout layout) {
  OPSCOPE_ASSIGN_OR_RETURN(int id, im.in_layout(v, layout));
  const DType t = im.tensor(id).dtype;
  if (t != DType::kI64 && t != DType::kI32) {
    return im.error(ErrorCode::kTypeMismatch, "indices must be int32 or int64");
  }
  return id;
}

}  // namespace

// GatherElements moves each element by its own position, so permuting the
// dims of data, indices and output alike commutes with it: a channels-last
// data value stays so (no transpose of the activation), its indices are
// brought to channels-last too (permuted at load when constant) and the
// axis is mapped to its engine position.
Status translate_gather_elements(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axis"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(Value iv, im.input(1));
  const int r = im.rank(x);
  if (r == 0) return im.error(ErrorCode::kShapeMismatch, "data is a scalar");
  if (im.rank(iv) != r) {
    return im.error(ErrorCode::kShapeMismatch,
                    "indices " + shape_to_string(im.onnx_shape(iv)) +
                        " and data " + shape_to_string(im.onnx_shape(x)) +
                        " differ in rank");
  }
  OPSCOPE_ASSIGN_OR_RETURN(int axis, normalize_axis(im, im.attr_int("axis", 0), r, "axis"));
  const Layout layout = x.layout;
  if (layout == Layout::kChannelsLast) axis = natural_perm(r)[axis];
  OPSCOPE_ASSIGN_OR_RETURN(int indices, integer_indices(im, iv, layout));
  return im
      .emit_output(OpKind::kGatherElements, GatherElementsAttrs{axis},
                   {x.tensor, indices}, layout)
      .status();
}

// GatherND's index tuples address data's leading dims in ONNX order, which
// a channels-last value has moved (dim 1 is last): such data is brought to
// natural layout first, the simplest correct choice (a tuple remap would
// only save the transpose when m < 2).
Status translate_gather_nd(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"batch_dims"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(Value iv, im.input(1));
  const int64_t b = im.attr_int("batch_dims", 0);
  if (b < 0 || b >= std::min(im.rank(x), im.rank(iv))) {
    return im.error(ErrorCode::kInvalidArgument,
                    "batch_dims " + std::to_string(b) +
                        " must lie in [0, min(data rank, indices rank))");
  }
  OPSCOPE_ASSIGN_OR_RETURN(int data, im.as_natural(x));
  OPSCOPE_ASSIGN_OR_RETURN(int indices, integer_indices(im, iv, Layout::kNatural));
  return im
      .emit_output(OpKind::kGatherNd, GatherNdAttrs{static_cast<int>(b)}, {data, indices},
                   Layout::kNatural)
      .status();
}

}  // namespace opscope::onnx
