// Comparison, logical and selection ops: Equal, Less(OrEqual),
// Greater(OrEqual), And, Or, Xor, Not, IsNaN, IsInf, Where (elementwise:
// they run in whatever layout their inputs are in), and Trilu (selects by
// position, in the model's own layout).
#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {
namespace {

// The operands of an elementwise op in one layout, and the op emitted on
// them.
Status translate_elementwise(Importer& im, OpKind op, int num_inputs, Attributes attrs) {
  std::vector<Value> vs;
  for (int i = 0; i < num_inputs; ++i) {
    OPSCOPE_ASSIGN_OR_RETURN(Value v, im.input(i));
    vs.push_back(v);
  }
  Layout layout;
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<int> ids, common_layout(im, vs, &layout));
  return im.emit_output(op, std::move(attrs), ids, layout).status();
}

Status translate_compare(Importer& im, OpKind op) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_elementwise(im, op, 2, std::monostate{});
}

}  // namespace

Status translate_equal(Importer& im) { return translate_compare(im, OpKind::kEqual); }
Status translate_less(Importer& im) { return translate_compare(im, OpKind::kLess); }
Status translate_less_or_equal(Importer& im) {
  return translate_compare(im, OpKind::kLessEqual);
}
Status translate_greater(Importer& im) { return translate_compare(im, OpKind::kGreater); }
Status translate_greater_or_equal(Importer& im) {
  return translate_compare(im, OpKind::kGreaterEqual);
}
Status translate_and(Importer& im) { return translate_compare(im, OpKind::kLogicalAnd); }
Status translate_or(Importer& im) { return translate_compare(im, OpKind::kLogicalOr); }
Status translate_xor(Importer& im) { return translate_compare(im, OpKind::kLogicalXor); }

Status translate_not(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_elementwise(im, OpKind::kLogicalNot, 1, std::monostate{});
}

Status translate_is_nan(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_elementwise(im, OpKind::kIsNaN, 1, std::monostate{});
}

// IsInf: detect_positive and detect_negative, both 1 by default.
Status translate_is_inf(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"detect_positive", "detect_negative"}));
  IsInfAttrs attrs;
  attrs.positive = im.attr_int("detect_positive", 1) != 0;
  attrs.negative = im.attr_int("detect_negative", 1) != 0;
  return translate_elementwise(im, OpKind::kIsInf, 1, attrs);
}

// Where(condition, X, Y): SELECT_V2.
Status translate_where(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_elementwise(im, OpKind::kSelect, 3, std::monostate{});
}

// Trilu(x, k?): upper (default 1); k a constant scalar, default 0.
Status translate_trilu(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"upper"}));
  TriluAttrs attrs;
  attrs.upper = im.attr_int("upper", 1) != 0;
  if (im.has_input(1)) {
    OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int64_t> k, im.int_input(1));
    if (k.size() != 1) return im.error(ErrorCode::kInvalidGraph, "k must be one integer");
    attrs.k = k[0];
  }
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(const int id, im.as_natural(x));
  return im.emit_output(OpKind::kTrilu, attrs, {id}, Layout::kNatural).status();
}

}  // namespace opscope::onnx
