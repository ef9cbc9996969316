// LayerNormalization -> LAYER_NORM (op_kind.h), on the natural layout: the
// normalized dims are ONNX's trailing dims [axis, rank). Mean and
// InvStdDev, when the node names them, are the op's second and third
// outputs. stash_type (the statistics' precision) is accepted: the
// reference kernel keeps them in double, at least as precise as any.
#include <string>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

Status translate_layer_norm(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axis", "epsilon", "stash_type"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  const int r = im.rank(x);
  if (im.tensor(x).dtype != DType::kF32 || r == 0) {
    return im.error(ErrorCode::kTypeMismatch, "input must be float of rank >= 1");
  }
  OPSCOPE_ASSIGN_OR_RETURN(const int axis, normalize_axis(im, im.attr_int("axis", -1), r, "axis"));
  OPSCOPE_ASSIGN_OR_RETURN(const int in, im.as_natural(x));
  OPSCOPE_ASSIGN_OR_RETURN(Value scale, im.input(1));
  OPSCOPE_ASSIGN_OR_RETURN(const int scale_in, im.as_natural(scale));
  std::vector<int> inputs = {in, scale_in};
  if (im.has_input(2)) {
    OPSCOPE_ASSIGN_OR_RETURN(Value bias, im.input(2));
    OPSCOPE_ASSIGN_OR_RETURN(const int bias_in, im.as_natural(bias));
    inputs.push_back(bias_in);
  }
  LayerNormAttrs a;
  a.axis = axis;
  a.epsilon = im.attr_float("epsilon", 1e-5f);
  // Outputs up to the last one the node names; unnamed ones in between get
  // tensors of their own.
  int outputs = 1;
  for (int k = 1; k < 3 && k < im.node().output_size(); ++k) {
    if (!im.node().output(k).empty()) outputs = k + 1;
  }
  std::vector<int> out_ids;
  for (int k = 0; k < outputs; ++k) {
    const std::string name = k < im.node().output_size() && !im.node().output(k).empty()
                                 ? im.node().output(k)
                                 : im.node_name() + "/unused_" + std::to_string(k);
    out_ids.push_back(im.new_tensor(name));
  }
  OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kLayerNorm, a, inputs, out_ids).status());
  for (int k = 0; k < outputs; ++k) {
    if (k < im.node().output_size() && !im.node().output(k).empty()) {
      im.define_output(k, Value{out_ids[static_cast<size_t>(k)]});
    }
  }
  return Status::ok();
}

}  // namespace opscope::onnx
