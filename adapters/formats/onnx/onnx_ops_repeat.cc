// Expand -> BROADCAST_TO and Tile -> TILE, in the natural layout (their
// shape / repeats operands are in the model's dim order). The operand stays
// an input of the node: constant (an initializer, or folded at load from
// shape arithmetic), or computed at run time when the model declares the
// output's shape.
#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {
namespace {

Status translate_repeat(Importer& im, OpKind op) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(Value v, im.input(1));
  OPSCOPE_ASSIGN_OR_RETURN(const int in, im.as_natural(x));
  if (im.is_constant(v)) {
    return im.emit_output(op, std::monostate{}, {in, v.tensor}, Layout::kNatural).status();
  }
  // Computed at run time: sessions learn the values and re-plan when they
  // change (engine/value_operands.h), given the shape the model declares.
  const std::string& out = im.node().output_size() > 0 ? im.node().output(0) : "";
  const Shape* declared = im.declared_shape(out);
  if (declared == nullptr) {
    return im.error(ErrorCode::kUnsupportedOp,
                    std::string(op == OpKind::kTile ? "its repeats are" : "its shape is") +
                        " computed at run time, so its output shape is known only then, and "
                        "the model declares no shape for '" + out +
                        "' (value_info) with which to import what follows");
  }
  OPSCOPE_ASSIGN_OR_RETURN(const int values, im.as_natural(v));
  return im.emit_planned_at_run(op, std::monostate{}, {in, values}, *declared).status();
}

}  // namespace

Status translate_expand(Importer& im) { return translate_repeat(im, OpKind::kBroadcastTo); }
Status translate_tile(Importer& im) { return translate_repeat(im, OpKind::kTile); }

}  // namespace opscope::onnx
