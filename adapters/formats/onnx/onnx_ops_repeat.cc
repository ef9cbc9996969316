// Expand -> BROADCAST_TO and Tile -> TILE, in the natural layout (their
// shape / repeats operands are in the model's dim order). The operand stays
// an input of the node: constant (an initializer, or folded at load from
// shape arithmetic), as the kernels require.
#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {
namespace {

Status translate_repeat(Importer& im, OpKind op) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(Value v, im.constant_input(1));
  OPSCOPE_ASSIGN_OR_RETURN(const int in, im.as_natural(x));
  return im.emit_output(op, std::monostate{}, {in, v.tensor}, Layout::kNatural).status();
}

}  // namespace

Status translate_expand(Importer& im) { return translate_repeat(im, OpKind::kBroadcastTo); }
Status translate_tile(Importer& im) { return translate_repeat(im, OpKind::kTile); }

}  // namespace opscope::onnx
