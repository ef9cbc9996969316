// CumSum -> CUMSUM and OneHot -> ONE_HOT, in the natural layout (their axes
// count the model's dims).
#include <string>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

// CumSum(x, axis): exclusive, reverse (default 0). The axis (one int32 or
// int64 value) stays an input: constant, or computed at run time (the
// kernel then reads and checks it each run).
Status translate_cumsum(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"exclusive", "reverse"}));
  CumSumAttrs a;
  a.exclusive = im.attr_int("exclusive", 0) != 0;
  a.reverse = im.attr_int("reverse", 0) != 0;
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(Value axis, im.input(1));
  OPSCOPE_ASSIGN_OR_RETURN(const int in, im.as_natural(x));
  OPSCOPE_ASSIGN_OR_RETURN(const int axis_id, im.as_natural(axis));
  return im.emit_output(OpKind::kCumSum, a, {in, axis_id}, Layout::kNatural).status();
}

// OneHot(indices, depth, values): axis (default -1) in [-r-1, r]; depth
// must be constant (it sizes the output); values = [off, on], constant or
// not. From opset 11 indices in [-depth, 0) count from the end; opset 9
// gives them a line of off, as for any index out of range.
Status translate_one_hot(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axis"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value indices, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(Value depth, im.constant_input(1));
  OPSCOPE_ASSIGN_OR_RETURN(Value values, im.input(2));
  OneHotAttrs a;
  OPSCOPE_ASSIGN_OR_RETURN(a.axis,
                           normalize_axis(im, im.attr_int("axis", -1), im.rank(indices) + 1, "axis"));
  a.negative_wraps = im.opset() >= 11;
  OPSCOPE_ASSIGN_OR_RETURN(const int in, im.as_natural(indices));
  OPSCOPE_ASSIGN_OR_RETURN(const int values_id, im.as_natural(values));
  return im.emit_output(OpKind::kOneHot, a, {in, depth.tensor, values_id}, Layout::kNatural)
      .status();
}

}  // namespace opscope::onnx
