// ONNX Slice: constant bounds become a strided slice fixed at load;
// bounds the graph computes keep the engine's SLICE, planned at run time.
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

// Slice whose starts, ends, axes or steps are computed: the engine's SLICE
// with the operands as they come; sessions learn their values at run time
// and re-plan when the output shape changes (engine/value_operands.h). The
// importer must still give the output a shape to import what follows: the
// one the model declares for it.
namespace {

Status translate_slice_at_run_time(Importer& im, const Value& x) {
  const std::string& out = im.node().output_size() > 0 ? im.node().output(0) : "";
  const Shape* declared = im.declared_shape(out);
  if (declared == nullptr) {
    return im.error(ErrorCode::kUnsupportedOp,
                    "its starts, ends, axes or steps are computed at run time, so its output "
                    "shape is known only then, and the model declares no shape for '" + out +
                        "' (value_info) with which to import what follows");
  }
  OPSCOPE_ASSIGN_OR_RETURN(const int in, im.as_natural(x));
  if (declared->size() != im.tensor(in).shape.size()) {
    return im.error(ErrorCode::kShapeMismatch,
                    "the model declares '" + out + "' as " + shape_to_string(*declared) +
                        ", of another rank than the data " + shape_to_string(im.tensor(in).shape));
  }
  std::vector<int> inputs = {in};
  for (int i = 1; i <= 4; ++i) {
    OPSCOPE_ASSIGN_OR_RETURN(const int id, im.optional_natural(i));
    inputs.push_back(id);
  }
  while (inputs.back() < 0) inputs.pop_back();
  return im.emit_planned_at_run(OpKind::kSlice, {}, std::move(inputs), *declared).status();
}

}  // namespace

Status translate_slice(Importer& im) {
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  std::vector<int64_t> starts, ends, axes, steps;
  if (im.opset() < 10) {
    OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"starts", "ends", "axes"}));
    starts = im.attr_ints("starts");
    ends = im.attr_ints("ends");
    axes = im.attr_ints("axes");
  } else {
    OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
    bool at_run_time = false;
    for (int i = 1; i <= 4; ++i) {
      if (!im.has_input(i)) continue;
      OPSCOPE_ASSIGN_OR_RETURN(const Value v, im.input(i));
      at_run_time = at_run_time || !im.is_constant(v);
    }
    if (at_run_time) return translate_slice_at_run_time(im, x);
    OPSCOPE_ASSIGN_OR_RETURN(starts, im.int_input(1));
    OPSCOPE_ASSIGN_OR_RETURN(ends, im.int_input(2));
    if (im.has_input(3)) {
      OPSCOPE_ASSIGN_OR_RETURN(axes, im.int_input(3));
    }
    if (im.has_input(4)) {
      OPSCOPE_ASSIGN_OR_RETURN(steps, im.int_input(4));
    }
  }
  OPSCOPE_ASSIGN_OR_RETURN(int in, im.as_natural(x));
  const Shape s = im.tensor(in).shape;
  const int r = static_cast<int>(s.size());
  if (axes.empty()) {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size()) {
    return im.error(ErrorCode::kInvalidGraph, "starts, ends, axes and steps differ in length");
  }
  std::vector<int32_t> b(r, 0), e(r), st(r, 1);
  int end_mask = 0;
  for (int d = 0; d < r; ++d) e[d] = static_cast<int32_t>(s[d]);
  std::vector<char> seen(r, 0);
  for (size_t i = 0; i < starts.size(); ++i) {
    OPSCOPE_ASSIGN_OR_RETURN(int d, normalize_axis(im, axes[i], r, "axis"));
    if (seen[d]) return im.error(ErrorCode::kInvalidGraph, "axes repeat");
    seen[d] = 1;
    const int64_t dim = s[d], step = steps[i];
    if (step == 0) return im.error(ErrorCode::kInvalidGraph, "step 0");
    int64_t lo = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t hi = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (step > 0) {
      lo = std::clamp<int64_t>(lo, 0, dim);
      hi = std::clamp<int64_t>(hi, 0, dim);
    } else {
      lo = std::clamp<int64_t>(lo, -1, dim - 1);
      hi = std::clamp<int64_t>(hi, -1, dim - 1);
      if (hi < 0) end_mask |= 1 << d;  // down to and including index 0
    }
    if (step < std::numeric_limits<int32_t>::min() || step > std::numeric_limits<int32_t>::max()) {
      return im.error(ErrorCode::kInvalidGraph, "step out of range");
    }
    b[d] = static_cast<int32_t>(std::max<int64_t>(lo, step > 0 ? 0 : -1));
    e[d] = static_cast<int32_t>(hi);
    st[d] = static_cast<int32_t>(step);
    if (step < 0 && lo < 0) {  // empty: nothing at or below -1
      b[d] = 0;
      e[d] = 0;
      st[d] = 1;
      end_mask &= ~(1 << d);
    }
  }
  if (r > 30) return im.error(ErrorCode::kUnsupportedOp, "rank above 30");
  const int bid = im.new_i32_constant(im.node_name() + "/begin", b);
  const int eid = im.new_i32_constant(im.node_name() + "/end", e);
  const int sid = im.new_i32_constant(im.node_name() + "/strides", st);
  StridedSliceAttrs a;
  a.end_mask = end_mask;
  return im.emit_output(OpKind::kStridedSlice, a, {in, bid, eid, sid}, Layout::kNatural).status();
}

}  // namespace opscope::onnx
