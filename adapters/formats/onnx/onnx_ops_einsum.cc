// Einsum -> EINSUM on the operands in the natural layout (the equation's
// labels name the model's dims). The equation is parsed against the
// operands' ranks by the engine's shape rule (shapes/einsum_plan.h) as the
// node is emitted, so a malformed equation, or one that does not fit the
// operands, fails the load naming this node.
#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

Status translate_einsum(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"equation"}));
  const auto* eq = im.attr("equation");
  if (eq == nullptr || eq->type() != ::onnx::AttributeProto::STRING) {
    return im.error(ErrorCode::kInvalidGraph, "needs its equation (a string attribute)");
  }
  if (im.num_inputs() < 1) return im.error(ErrorCode::kInvalidGraph, "has no operands");
  std::vector<int> operands;
  for (int i = 0; i < im.num_inputs(); ++i) {
    OPSCOPE_ASSIGN_OR_RETURN(Value v, im.input(i));
    OPSCOPE_ASSIGN_OR_RETURN(const int id, im.as_natural(v));
    operands.push_back(id);
  }
  return im.emit_output(OpKind::kEinsum, EinsumAttrs{eq->s()}, std::move(operands),
                        Layout::kNatural)
      .status();
}

}  // namespace opscope::onnx
