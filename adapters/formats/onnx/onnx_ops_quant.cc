// QuantizeLinear, DequantizeLinear, QLinearConv and QLinearMatMul.
//
// QuantizeLinear and DequantizeLinear map onto the engine's QUANTIZE and
// DEQUANTIZE with the scale and zero point stored as the quantized tensor's
// Quantization (per-tensor, or per-axis along the engine dim that holds the
// ONNX axis). QUANTIZE rounds half to even, as ONNX specifies.
//
// QLinearConv and QLinearMatMul run as DEQUANTIZE -> f32 CONV_2D / matmul ->
// QUANTIZE: the dequantized weights and the bias (B * x_scale * w_scale) are
// folded at load, the f32 op is translated by the same code as Conv and
// MatMul (a stand-in node with the dequantized inputs), and every engine
// node keeps the ONNX node's name and op type. The result equals ONNX's
// integer formula except where f32 accumulation moves a value across a
// rounding tie (at most 1 LSB).
#include <cmath>
#include <cstring>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

namespace {

// (scale, zero point) of one quantized ONNX value, read from constant inputs.
struct QParams {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;  // one per scale
  DType dtype = DType::kU8;          // the zero point's type (uint8 when absent)
  bool has_zero_point = false;
};

// Reads scale input `scale_i` (f32 scalar or 1-D) and zero point input
// `zp_i` (optional; int8, uint8 or int32, as many values as scales).
Result<QParams> read_qparams(Importer& im, int scale_i, int zp_i) {
  QParams q;
  OPSCOPE_ASSIGN_OR_RETURN(Value sv, im.constant_input(scale_i));
  const Tensor& st = im.tensor(sv);
  if (st.dtype != DType::kF32 || st.shape.size() > 1 || st.elements() < 1) {
    return im.error(ErrorCode::kTypeMismatch,
                    "scale input " + std::to_string(scale_i) + " '" + im.node().input(scale_i) +
                        "' must be a f32 scalar or 1-D tensor, is " +
                        std::string(to_string(st.dtype)) + " " + shape_to_string(st.shape));
  }
  q.scales.assign(st.constant_as<float>(), st.constant_as<float>() + st.elements());
  for (float s : q.scales) {
    if (!std::isfinite(s) || !(s > 0.0f)) {
      return im.error(ErrorCode::kInvalidGraph, "scale input '" + im.node().input(scale_i) +
                                                    "' has scale " + std::to_string(s) +
                                                    "; scales must be finite and positive");
    }
  }
  q.zero_points.assign(q.scales.size(), 0);
  if (!im.has_input(zp_i)) return q;
  OPSCOPE_ASSIGN_OR_RETURN(Value zv, im.constant_input(zp_i));
  const Tensor& zt = im.tensor(zv);
  if (zt.elements() != static_cast<int64_t>(q.scales.size()) || zt.shape.size() > 1) {
    return im.error(ErrorCode::kShapeMismatch,
                    "zero point input '" + im.node().input(zp_i) + "' has " +
                        std::to_string(zt.elements()) + " values for " +
                        std::to_string(q.scales.size()) + " scales");
  }
  q.dtype = zt.dtype;
  q.has_zero_point = true;
  for (size_t c = 0; c < q.scales.size(); ++c) {
    switch (zt.dtype) {
      case DType::kU8: q.zero_points[c] = zt.constant_as<uint8_t>()[c]; break;
      case DType::kI8: q.zero_points[c] = zt.constant_as<int8_t>()[c]; break;
      case DType::kI32: q.zero_points[c] = zt.constant_as<int32_t>()[c]; break;
      default:
        return im.error(ErrorCode::kTypeMismatch,
                        "zero point input '" + im.node().input(zp_i) + "' is " +
                            std::string(to_string(zt.dtype)) + "; int8, uint8 or int32 expected");
    }
  }
  return q;
}

// The engine dim of `v` that holds ONNX dim `onnx_axis`.
int engine_axis(const Importer& im, const Value& v, int onnx_axis) {
  if (v.layout == Layout::kNatural) return onnx_axis;
  const std::vector<int> perm = channels_last_perm(im.rank(v));
  for (int i = 0; i < static_cast<int>(perm.size()); ++i) {
    if (perm[i] == onnx_axis) return i;
  }
  return onnx_axis;
}

// The quantization `q` describes for value `v`; per-axis along ONNX dim
// `onnx_axis` when there is more than one scale.
Result<Quantization> quantization_for(Importer& im, const Value& v, const QParams& q,
                                      int onnx_axis) {
  Quantization out;
  out.scales = q.scales;
  out.zero_points = q.zero_points;
  if (q.scales.size() == 1) return out;
  const Shape shape = im.onnx_shape(v);
  OPSCOPE_ASSIGN_OR_RETURN(int axis, normalize_axis(im, onnx_axis, static_cast<int>(shape.size()),
                                                    "quantization axis"));
  if (shape[axis] != static_cast<int64_t>(q.scales.size())) {
    return im.error(ErrorCode::kShapeMismatch,
                    std::to_string(q.scales.size()) + " scales for axis " + std::to_string(axis) +
                        " of " + shape_to_string(shape));
  }
  out.axis = engine_axis(im, v, axis);
  return out;
}

bool same_quantization(const Quantization& a, const Quantization& b) {
  return a.scales == b.scales && a.zero_points == b.zero_points &&
         (a.scales.size() == 1 || a.axis == b.axis);
}

// Every zero point of `quant` fits 8-bit `dtype` (int8 or uint8).
Status check_zero_points(const Importer& im, const Quantization& quant, DType dtype) {
  for (int64_t zp : quant.zero_points) {
    const bool in_range = dtype == DType::kU8 ? (zp >= 0 && zp <= 255) : (zp >= -128 && zp <= 127);
    if (!in_range) {
      return im.error(ErrorCode::kInvalidGraph, "zero point " + std::to_string(zp) +
                                                    " is outside " + std::string(to_string(dtype)));
    }
  }
  return Status::ok();
}

template <typename T>
void dequantize_into(const T* in, const Shape& shape, const Quantization& q, float* out) {
  const int64_t n = num_elements(shape);
  int64_t inner = 1, channels = 1;
  if (q.scales.size() > 1) {
    channels = shape[q.axis];
    for (size_t d = q.axis + 1; d < shape.size(); ++d) inner *= shape[d];
  }
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = (i / inner) % channels;
    out[i] = q.scales[c] * static_cast<float>(static_cast<int64_t>(in[i]) - q.zero_points[c]);
  }
}

// Dequantizes value `x` (int8 or uint8 at run time; int8, uint8 or int32
// when constant, which is folded here) with parameters `q`.
// The engine node is named after the ONNX node plus `suffix`, its output
// `out_name`.
Result<Value> dequantize_value(Importer& im, const Value& x, const QParams& q, int onnx_axis,
                               const std::string& out_name, const std::string& suffix) {
  const Tensor& xt = im.tensor(x);
  const DType dtype = xt.dtype;
  if (dtype != DType::kU8 && dtype != DType::kI8 && dtype != DType::kI32) {
    return im.error(ErrorCode::kTypeMismatch, "input '" + xt.name + "' is " +
                                                  std::string(to_string(dtype)) +
                                                  "; int8, uint8 or int32 expected");
  }
  if (q.has_zero_point && dtype != q.dtype) {
    return im.error(ErrorCode::kTypeMismatch, "input '" + xt.name + "' is " +
                                                  std::string(to_string(dtype)) +
                                                  " but its zero point is " +
                                                  std::string(to_string(q.dtype)));
  }
  OPSCOPE_ASSIGN_OR_RETURN(Quantization quant, quantization_for(im, x, q, onnx_axis));
  if (xt.is_constant()) {
    OPSCOPE_RETURN_IF_ERROR(im.check_made_constant(xt.shape, DType::kF32));
    std::vector<float> values(xt.elements());
    if (dtype == DType::kU8) dequantize_into(xt.constant_as<uint8_t>(), xt.shape, quant, values.data());
    if (dtype == DType::kI8) dequantize_into(xt.constant_as<int8_t>(), xt.shape, quant, values.data());
    if (dtype == DType::kI32) dequantize_into(xt.constant_as<int32_t>(), xt.shape, quant, values.data());
    // Copies: adding a tensor may move the graph's tensor array under xt.
    const std::string name = xt.name + "/dequantized";
    const Shape shape = xt.shape;
    const int folded = im.new_f32_constant(name, shape, values);
    // The values lie on the integer grid: keep it, so fuse_qdq can run the
    // consumer in int8 with these integers (tensor.h, Quantization).
    if (dtype != DType::kI32) im.tensor(folded).quantization = quant;
    return Value{folded, x.layout};
  }
  if (dtype == DType::kI32) {
    return im.error(ErrorCode::kUnsupportedOp,
                    "dequantizing a non-constant int32 tensor is not supported");
  }
  OPSCOPE_RETURN_IF_ERROR(check_zero_points(im, quant, dtype));
  // The engine keeps quantization on the tensor: a value read by two
  // dequantizations must be read with the same parameters.
  Tensor& t = im.tensor(x.tensor);
  if (t.quantization.empty()) {
    t.quantization = quant;
  } else if (!same_quantization(t.quantization, quant)) {
    return im.error(ErrorCode::kUnsupportedOp,
                    "input '" + t.name +
                        "' is already quantized with other parameters (it is read by two "
                        "dequantizations that disagree)");
  }
  const int out = im.new_tensor(out_name);
  OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kDequantize, {}, {x.tensor}, {out}, suffix).status());
  return Value{out, x.layout};
}

// Quantizes f32 value `y` into a new tensor for ONNX output 0.
Status quantize_to_output(Importer& im, const Value& y, const QParams& q, int onnx_axis,
                          const std::string& suffix) {
  if (q.has_zero_point && q.dtype != DType::kU8 && q.dtype != DType::kI8) {
    return im.error(ErrorCode::kTypeMismatch, "the output zero point is " +
                                                  std::string(to_string(q.dtype)) +
                                                  "; int8 or uint8 expected");
  }
  if (im.tensor(y).dtype != DType::kF32) {
    return im.error(ErrorCode::kTypeMismatch, "input '" + im.tensor(y).name + "' is " +
                                                  std::string(to_string(im.tensor(y).dtype)) +
                                                  "; f32 expected");
  }
  OPSCOPE_ASSIGN_OR_RETURN(Quantization quant, quantization_for(im, y, q, onnx_axis));
  const DType dtype = q.has_zero_point ? q.dtype : DType::kU8;
  OPSCOPE_RETURN_IF_ERROR(check_zero_points(im, quant, dtype));
  const int out = im.new_tensor(im.node().output(0), dtype);
  im.tensor(out).quantization = quant;
  QuantizeAttrs attrs;
  attrs.round_half_to_even = true;
  OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kQuantize, attrs, {y.tensor}, {out}, suffix).status());
  im.define_output(0, Value{out, y.layout});
  return Status::ok();
}

// Translates a stand-in f32 node (op type of the current node, its name
// and attributes, `inputs` bound to the given values) with `translate`,
// then makes the current node current again. Returns the stand-in's output.
Result<Value> translate_f32_stand_in(Importer& im, Translator translate,
                                     const std::vector<Value>& inputs) {
  const ::onnx::NodeProto& node = im.node();
  const int source_index = im.source_index();
  ::onnx::NodeProto stand_in;
  stand_in.set_op_type(node.op_type());
  stand_in.set_name(im.node_name());
  *stand_in.mutable_attribute() = node.attribute();
  // Names no ONNX value can have ('#' is not produced by exporters, and the
  // output name of this node is unique in the graph).
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string name = node.output(0) + "#f32_in" + std::to_string(i);
    im.define(name, inputs[i]);
    stand_in.add_input(name);
  }
  const std::string out_name = node.output(0) + "#f32_out";
  stand_in.add_output(out_name);
  im.begin_node(stand_in, source_index);
  const Status st = translate(im);
  im.begin_node(node, source_index);
  OPSCOPE_RETURN_IF_ERROR(st);
  const Value* y = im.find(out_name);
  if (y == nullptr) return im.error(ErrorCode::kInternal, "the f32 translation defined no output");
  return *y;
}

}  // namespace

Status translate_quantize_linear(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axis"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(QParams q, read_qparams(im, 1, 2));
  return quantize_to_output(im, x, q, static_cast<int>(im.attr_int("axis", 1)), "");
}

Status translate_dequantize_linear(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axis"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(QParams q, read_qparams(im, 1, 2));
  OPSCOPE_ASSIGN_OR_RETURN(Value y, dequantize_value(im, x, q,
                                                     static_cast<int>(im.attr_int("axis", 1)),
                                                     im.node().output(0), ""));
  im.define_output(0, y);
  return Status::ok();
}

// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B?).
Status translate_qlinear_conv(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(
      im.expect_attrs({"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(QParams xq, read_qparams(im, 1, 2));
  OPSCOPE_ASSIGN_OR_RETURN(Value w, im.constant_input(3));
  OPSCOPE_ASSIGN_OR_RETURN(QParams wq, read_qparams(im, 4, 5));
  OPSCOPE_ASSIGN_OR_RETURN(QParams yq, read_qparams(im, 6, 7));
  if (xq.scales.size() != 1 || yq.scales.size() != 1) {
    return im.error(ErrorCode::kInvalidGraph, "x_scale and y_scale must be scalars");
  }
  OPSCOPE_ASSIGN_OR_RETURN(Value xf, dequantize_value(im, x, xq, 1,
                                                      im.node_name() + "/dequantize_x",
                                                      "dequantize_x"));
  OPSCOPE_ASSIGN_OR_RETURN(Value wf, dequantize_value(im, w, wq, 0, "", ""));
  std::vector<Value> inputs = {xf, wf};
  if (im.has_input(8)) {
    // B is int32 with scale x_scale * w_scale[m] and zero point 0.
    OPSCOPE_ASSIGN_OR_RETURN(Value b, im.constant_input(8));
    const Tensor& bt = im.tensor(b);
    const int64_t m = im.tensor(w).shape.empty() ? 0 : im.tensor(w).shape[0];
    if (bt.dtype != DType::kI32 || bt.shape.size() != 1 || bt.elements() != m) {
      return im.error(ErrorCode::kTypeMismatch, "bias '" + bt.name + "' must be int32 [" +
                                                    std::to_string(m) + "], is " +
                                                    std::string(to_string(bt.dtype)) + " " +
                                                    shape_to_string(bt.shape));
    }
    std::vector<float> bias(m);
    for (int64_t o = 0; o < m; ++o) {
      const float ws = wq.scales[wq.scales.size() == 1 ? 0 : o];
      bias[o] = static_cast<float>(static_cast<double>(bt.constant_as<int32_t>()[o]) *
                                   xq.scales[0] * ws);
    }
    const std::string name = bt.name + "/dequantized";  // copies: see dequantize_value
    const Shape shape = bt.shape;
    inputs.push_back(Value{im.new_f32_constant(name, shape, bias)});
  }
  OPSCOPE_ASSIGN_OR_RETURN(Value y, translate_f32_stand_in(im, translate_conv, inputs));
  return quantize_to_output(im, y, yq, 1, "quantize");
}

// QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp). Scales
// are per tensor, or per row of a / y and per column of b.
Status translate_qlinear_matmul(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  OPSCOPE_ASSIGN_OR_RETURN(Value a, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(QParams aq, read_qparams(im, 1, 2));
  OPSCOPE_ASSIGN_OR_RETURN(Value b, im.input(3));
  OPSCOPE_ASSIGN_OR_RETURN(QParams bq, read_qparams(im, 4, 5));
  OPSCOPE_ASSIGN_OR_RETURN(QParams yq, read_qparams(im, 6, 7));
  if (im.rank(a) < 2 || im.rank(b) < 2) {
    return im.error(ErrorCode::kShapeMismatch, "a and b must have rank >= 2");
  }
  OPSCOPE_ASSIGN_OR_RETURN(Value af, dequantize_value(im, a, aq, im.rank(a) - 2,
                                                      im.node_name() + "/dequantize_a",
                                                      "dequantize_a"));
  OPSCOPE_ASSIGN_OR_RETURN(Value bf, dequantize_value(im, b, bq, im.rank(b) - 1,
                                                      im.node_name() + "/dequantize_b",
                                                      "dequantize_b"));
  OPSCOPE_ASSIGN_OR_RETURN(Value y, translate_f32_stand_in(im, translate_matmul, {af, bf}));
  return quantize_to_output(im, y, yq, im.rank(y) - 2, "quantize");
}

}  // namespace opscope::onnx
