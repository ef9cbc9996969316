// Shape and data-movement ops, constants, reductions.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

namespace {

std::vector<uint8_t> i64_bytes(const std::vector<int64_t>& v) {
  std::vector<uint8_t> b(v.size() * 8);
  if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// Axes from the attribute (before `input_from_opset`) or from input 1.
Result<std::vector<int64_t>> read_axes(Importer& im, int input_from_opset, bool* given) {
  *given = false;
  if (im.opset() < input_from_opset) {
    *given = im.has_attr("axes");
    return im.attr_ints("axes");
  }
  if (!im.has_input(1)) return std::vector<int64_t>{};
  *given = true;
  return im.int_input(1);
}

Status define_reshape(Importer& im, const Value& x, const Shape& shape) {
  OPSCOPE_ASSIGN_OR_RETURN(int in, im.as_natural(x));
  if (num_elements(shape) != im.tensor(in).elements()) {
    return im.error(ErrorCode::kShapeMismatch,
                    "cannot reshape " + shape_to_string(im.tensor(in).shape) + " to " +
                        shape_to_string(shape));
  }
  OPSCOPE_ASSIGN_OR_RETURN(int out, im.reshape(in, shape, ""));
  im.define_output(0, Value{out});
  return Status::ok();
}

}  // namespace

Status translate_reshape(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"allowzero"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<int64_t> target, im.int_input(1));
  const Shape in = im.onnx_shape(x);
  const bool allow_zero = im.attr_int("allowzero", 0) != 0;
  Shape out;
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == 0 && !allow_zero) {
      if (i >= in.size()) {
        return im.error(ErrorCode::kShapeMismatch, "shape copies dim " + std::to_string(i) +
                                                       " of a rank-" + std::to_string(in.size()) +
                                                       " input");
      }
      d = in[i];
    }
    if (d == -1) {
      if (infer >= 0) return im.error(ErrorCode::kShapeMismatch, "shape has two -1 dims");
      infer = static_cast<int>(i);
      d = 1;
    } else if (d < 0) {
      return im.error(ErrorCode::kShapeMismatch, "shape has a negative dim");
    } else if (__builtin_mul_overflow(known, d, &known)) {
      // Found by the fuzzer: dims whose product overflows int64.
      return im.error(ErrorCode::kShapeMismatch, "shape's dims multiply past int64");
    }
    out.push_back(d);
  }
  if (infer >= 0) {
    const int64_t total = num_elements(in);
    if (known == 0 || total % known != 0) {
      return im.error(ErrorCode::kShapeMismatch, "cannot reshape " + shape_to_string(in) +
                                                     " with -1 in the new shape");
    }
    out[infer] = total / known;
  }
  return define_reshape(im, x, out);
}

Status translate_flatten(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axis"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  const Shape in = im.onnx_shape(x);
  const int r = static_cast<int>(in.size());
  int64_t axis = im.attr_int("axis", 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r) return im.error(ErrorCode::kInvalidGraph, "axis out of range");
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < r; ++d) (d < axis ? outer : inner) *= in[d];
  return define_reshape(im, x, Shape{outer, inner});
}

Status translate_squeeze(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axes"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  bool given = false;
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<int64_t> axes, read_axes(im, 13, &given));
  const Shape in = im.onnx_shape(x);
  const int r = static_cast<int>(in.size());
  std::vector<char> drop(r, 0);
  for (int64_t a : axes) {
    OPSCOPE_ASSIGN_OR_RETURN(int k, normalize_axis(im, a, r, "axis"));
    if (in[k] != 1) {
      return im.error(ErrorCode::kShapeMismatch, "cannot squeeze dim " + std::to_string(k) +
                                                     " of size " + std::to_string(in[k]));
    }
    drop[k] = 1;
  }
  Shape out;
  for (int d = 0; d < r; ++d) {
    if (given ? !drop[d] : in[d] != 1) out.push_back(in[d]);
  }
  return define_reshape(im, x, out);
}

Status translate_unsqueeze(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axes"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  bool given = false;
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<int64_t> axes, read_axes(im, 13, &given));
  const Shape in = im.onnx_shape(x);
  const int r = static_cast<int>(in.size() + axes.size());
  std::vector<char> add(r, 0);
  for (int64_t a : axes) {
    OPSCOPE_ASSIGN_OR_RETURN(int k, normalize_axis(im, a, r, "axis"));
    if (add[k]) return im.error(ErrorCode::kInvalidGraph, "axes repeat");
    add[k] = 1;
  }
  Shape out;
  size_t next = 0;
  for (int d = 0; d < r; ++d) out.push_back(add[d] ? 1 : in[next++]);
  return define_reshape(im, x, out);
}

Status translate_transpose(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"perm"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  const int r = im.rank(x);
  std::vector<int64_t> perm = im.attr_ints("perm");
  if (perm.empty()) {
    for (int d = r - 1; d >= 0; --d) perm.push_back(d);
  }
  std::vector<char> seen(r, 0);
  if (static_cast<int>(perm.size()) != r) {
    return im.error(ErrorCode::kInvalidGraph, "perm has " + std::to_string(perm.size()) +
                                                  " entries for a rank-" + std::to_string(r) +
                                                  " input");
  }
  for (int64_t p : perm) {
    if (p < 0 || p >= r || seen[p]) return im.error(ErrorCode::kInvalidGraph, "perm is not a permutation");
    seen[p] = 1;
  }
  // On a channels-last value, compose with its layout: one transpose (often
  // none: NHWC -> NCHW -> NHWC round trips cancel).
  std::vector<int> q(r);
  const std::vector<int> nat = natural_perm(r);
  for (int i = 0; i < r; ++i) {
    q[i] = x.layout == Layout::kChannelsLast ? nat[perm[i]] : static_cast<int>(perm[i]);
  }
  OPSCOPE_ASSIGN_OR_RETURN(int out, im.transpose(x.tensor, q, "transpose"));
  if (out == x.tensor) {
    // Identity in engine terms; a graph output gets its own copy later.
    im.define_output(0, Value{out});
    return Status::ok();
  }
  im.define_output(0, Value{out});
  return Status::ok();
}

Status translate_concat(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axis"}));
  std::vector<Value> vs;
  for (int i = 0; i < im.num_inputs(); ++i) {
    if (!im.has_input(i)) continue;
    OPSCOPE_ASSIGN_OR_RETURN(Value v, im.input(i));
    vs.push_back(v);
  }
  if (vs.empty()) return im.error(ErrorCode::kInvalidGraph, "has no inputs");
  const int r = im.rank(vs[0]);
  for (const Value& v : vs) {
    if (im.rank(v) != r) return im.error(ErrorCode::kShapeMismatch, "inputs differ in rank");
  }
  OPSCOPE_ASSIGN_OR_RETURN(int axis, normalize_axis(im, im.attr_int("axis", 1), r, "axis"));
  Layout layout;
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<int> ids, common_layout(im, vs, &layout));
  ConcatenationAttrs a;
  a.axis = layout == Layout::kChannelsLast ? natural_perm(r)[axis] : axis;
  return im.emit_output(OpKind::kConcatenation, a, ids, layout).status();
}

Status translate_shape(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"start", "end"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  const Shape s = im.onnx_shape(x);
  const int64_t r = static_cast<int64_t>(s.size());
  int64_t start = im.attr_int("start", 0), end = im.attr_int("end", r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, 0, r);
  std::vector<int64_t> v;
  for (int64_t d = start; d < end; ++d) v.push_back(s[d]);
  const int id = im.new_constant(im.node().output(0), DType::kI64,
                                 Shape{static_cast<int64_t>(v.size())}, i64_bytes(v));
  im.define_output(0, Value{id});
  return Status::ok();
}

// Size: the element count, a constant int64 scalar (shapes are static).
Status translate_size(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  const std::vector<int64_t> v = {num_elements(im.onnx_shape(x))};
  const int id = im.new_constant(im.node().output(0), DType::kI64, Shape{}, i64_bytes(v));
  im.define_output(0, Value{id});
  return Status::ok();
}

// Gather -> GATHER (TFLite's form, axis attr). When data and indices are
// both constant (shape arithmetic: Shape -> Gather -> Concat -> Reshape)
// emit() folds the node at load, through the same kernel; its prepare
// refuses an out-of-range constant index there.
//
// Layout: a channels-last data value keeps its layout when the indices are
// 1-D: the gathered ONNX axis then keeps its place in the output, so the
// output is the channels-last form of ONNX's output, and gathering along
// the engine dim that holds that axis (natural_perm(r)[axis]) is the same
// gather. Indices of any other rank insert or remove dims in the middle,
// after which the output is no longer a channels-last permutation of
// anything: the data is then brought to natural layout first.
Status translate_gather(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axis"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(Value iv, im.input(1));
  const int r = im.rank(x);
  if (r == 0) return im.error(ErrorCode::kShapeMismatch, "data is a scalar");
  OPSCOPE_ASSIGN_OR_RETURN(int axis, normalize_axis(im, im.attr_int("axis", 0), r, "axis"));
  OPSCOPE_ASSIGN_OR_RETURN(int indices, im.as_natural(iv));
  if (im.tensor(indices).dtype != DType::kI64 && im.tensor(indices).dtype != DType::kI32) {
    return im.error(ErrorCode::kTypeMismatch, "indices must be int32 or int64");
  }
  const bool keep_channels_last =
      x.layout == Layout::kChannelsLast && im.tensor(indices).shape.size() == 1;
  int data = x.tensor;
  GatherAttrs a;
  a.axis = axis;
  if (keep_channels_last) {
    a.axis = natural_perm(r)[axis];
  } else {
    OPSCOPE_ASSIGN_OR_RETURN(data, im.as_natural(x));
  }
  return im
      .emit_output(OpKind::kGather, a, {data, indices},
                   keep_channels_last ? Layout::kChannelsLast : Layout::kNatural)
      .status();
}

namespace {

// ONNX leaves an out-of-range float-to-integer Cast undefined (and so
// does C++): saturate, and map NaN to 0.
template <typename I>
I saturate_to(double v) {
  if (std::isnan(v)) return 0;
  if (v <= static_cast<double>(std::numeric_limits<I>::min())) return std::numeric_limits<I>::min();
  if (v >= static_cast<double>(std::numeric_limits<I>::max())) return std::numeric_limits<I>::max();
  return static_cast<I>(v);
}

}  // namespace

Status translate_cast(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"to", "saturate"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(DType to, dtype_from_onnx(static_cast<int32_t>(im.attr_int("to", 0)),
                                                     "Cast target"));
  const Tensor& t = im.tensor(x);
  if (t.dtype == to) {
    im.define_output(0, x);
    return Status::ok();
  }
  if (!im.is_constant(x)) {  // at run time: the engine's CAST
    OPSCOPE_ASSIGN_OR_RETURN(const int nat, im.as_natural(x));
    CastAttrs attrs;
    attrs.to = to;
    return im.emit_output(OpKind::kCast, attrs, {nat}, Layout::kNatural).status();
  }
  const auto num = [&](int64_t i) -> double {
    switch (t.dtype) {
      case DType::kF32: return t.constant_as<float>()[i];
      case DType::kI64: return static_cast<double>(t.constant_as<int64_t>()[i]);
      case DType::kI32: return t.constant_as<int32_t>()[i];
      case DType::kI8: return t.constant_as<int8_t>()[i];
      case DType::kU8: return t.constant_as<uint8_t>()[i];
      case DType::kBool: return t.constant_as<uint8_t>()[i] ? 1 : 0;
      default: return 0;
    }
  };
  if (t.dtype == DType::kF16 || to == DType::kF16) {
    return im.error(ErrorCode::kUnsupportedOp, "Cast from or to float16 is not supported");
  }
  const int64_t n = t.elements();
  std::vector<uint8_t> out(n * dtype_size(to));
  for (int64_t i = 0; i < n; ++i) {
    const double v = num(i);
    switch (to) {
      case DType::kF32: { const float f = static_cast<float>(v); std::memcpy(&out[i * 4], &f, 4); break; }
      case DType::kI64: { const int64_t w = saturate_to<int64_t>(v); std::memcpy(&out[i * 8], &w, 8); break; }
      case DType::kI32: { const int32_t w = saturate_to<int32_t>(v); std::memcpy(&out[i * 4], &w, 4); break; }
      case DType::kI8: out[i] = static_cast<uint8_t>(saturate_to<int8_t>(v)); break;
      case DType::kU8: out[i] = saturate_to<uint8_t>(v); break;
      case DType::kBool: out[i] = v != 0; break;
      default: break;
    }
  }
  OPSCOPE_ASSIGN_OR_RETURN(int nat, im.as_natural(x));
  const Shape shape = im.tensor(nat).shape;
  const int id = im.new_constant(im.node().output(0), to, shape, std::move(out));
  im.define_output(0, Value{id});
  return Status::ok();
}

Status translate_constant(Importer& im) {
  const auto& attrs = im.node().attribute();
  if (attrs.size() != 1) {
    return im.error(ErrorCode::kInvalidGraph, "needs exactly one value attribute");
  }
  const ::onnx::AttributeProto& a = attrs.Get(0);
  const std::string name = im.node().output_size() > 0 ? im.node().output(0) : im.node_name();
  int id = -1;
  if (a.name() == "value") {
    auto data = read_tensor_proto(a.t(), "");
    if (!data.is_ok()) return im.error(data.status().code(), data.status().message());
    TensorData& d = data.value();
    std::vector<uint8_t> bytes(d.data, d.data + d.bytes);
    id = im.new_constant(name, d.dtype, d.shape, std::move(bytes));
  } else if (a.name() == "value_float") {
    id = im.new_f32_constant(name, Shape{}, {a.f()});
  } else if (a.name() == "value_floats") {
    std::vector<float> v(a.floats().begin(), a.floats().end());
    id = im.new_f32_constant(name, Shape{static_cast<int64_t>(v.size())}, v);
  } else if (a.name() == "value_int") {
    id = im.new_constant(name, DType::kI64, Shape{}, i64_bytes({a.i()}));
  } else if (a.name() == "value_ints") {
    std::vector<int64_t> v(a.ints().begin(), a.ints().end());
    id = im.new_constant(name, DType::kI64, Shape{static_cast<int64_t>(v.size())}, i64_bytes(v));
  } else {
    return im.error(ErrorCode::kUnsupportedOp,
                    "Constant attribute '" + a.name() + "' is not supported");
  }
  im.define_output(0, Value{id});
  return Status::ok();
}

Status translate_constant_of_shape(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"value"}));
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<int64_t> dims, im.int_input(0));
  DType dtype = DType::kF32;
  std::vector<uint8_t> one(4, 0);
  if (const auto* a = im.attr("value")) {
    auto data = read_tensor_proto(a->t(), "");
    if (!data.is_ok()) return im.error(data.status().code(), data.status().message());
    if (data->bytes != dtype_size(data->dtype)) {
      return im.error(ErrorCode::kInvalidGraph, "value must hold one element");
    }
    dtype = data->dtype;
    one.assign(data->data, data->data + data->bytes);
  }
  const Shape shape(dims.begin(), dims.end());
  OPSCOPE_RETURN_IF_ERROR(im.check_made_constant(shape, dtype));
  const int64_t n = num_elements(shape);
  std::vector<uint8_t> bytes(n * one.size());
  for (int64_t i = 0; i < n; ++i) std::memcpy(&bytes[i * one.size()], one.data(), one.size());
  const int id = im.new_constant(im.node().output(0), dtype, shape, std::move(bytes));
  im.define_output(0, Value{id});
  return Status::ok();
}

namespace {

// Range's values start + i * delta for i < max(ceil((limit - start) / delta), 0),
// computed in T as the ONNX reference does.
template <typename T>
Result<std::vector<uint8_t>> range_values(Importer& im, T start, T limit, T delta,
                                          DType dtype, int64_t* count) {
  if (delta == T{0}) return im.error(ErrorCode::kInvalidGraph, "delta is 0");
  const double n = std::ceil((static_cast<double>(limit) - static_cast<double>(start)) /
                             static_cast<double>(delta));
  if (!(n < 9.0e15)) return im.error(ErrorCode::kInvalidGraph, "range is too long");
  *count = n > 0 ? static_cast<int64_t>(n) : 0;
  OPSCOPE_RETURN_IF_ERROR(im.check_made_constant(Shape{*count}, dtype));
  std::vector<uint8_t> bytes(static_cast<size_t>(*count) * sizeof(T));
  for (int64_t i = 0; i < *count; ++i) {
    const T v = static_cast<T>(start + static_cast<T>(i) * delta);
    std::memcpy(&bytes[static_cast<size_t>(i) * sizeof(T)], &v, sizeof(T));
  }
  return bytes;
}

template <typename T>
T scalar_of(const Tensor& t) {
  return t.constant_as<T>()[0];
}

}  // namespace

// Range(start, limit, delta): constant scalars (the output's length is
// their function), made a constant here.
Status translate_range(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  const Tensor* t[3];
  for (int i = 0; i < 3; ++i) {
    OPSCOPE_ASSIGN_OR_RETURN(Value v, im.constant_input(i));
    t[i] = &im.tensor(v);
    if (t[i]->elements() != 1 || t[i]->dtype != t[0]->dtype) {
      return im.error(ErrorCode::kInvalidGraph,
                      "start, limit and delta must be scalars of one type");
    }
  }
  const DType dtype = t[0]->dtype;
  int64_t count = 0;
  Result<std::vector<uint8_t>> bytes = std::vector<uint8_t>{};
  switch (dtype) {
    case DType::kF32:
      bytes = range_values(im, scalar_of<float>(*t[0]), scalar_of<float>(*t[1]),
                           scalar_of<float>(*t[2]), dtype, &count);
      break;
    case DType::kI32:
      bytes = range_values(im, scalar_of<int32_t>(*t[0]), scalar_of<int32_t>(*t[1]),
                           scalar_of<int32_t>(*t[2]), dtype, &count);
      break;
    case DType::kI64:
      bytes = range_values(im, scalar_of<int64_t>(*t[0]), scalar_of<int64_t>(*t[1]),
                           scalar_of<int64_t>(*t[2]), dtype, &count);
      break;
    default:
      return im.error(ErrorCode::kTypeMismatch,
                      "Range of " + std::string(to_string(dtype)) + " is not supported");
  }
  if (!bytes.is_ok()) return bytes.status();
  const int id = im.new_constant(im.node().output(0), dtype, Shape{count}, std::move(bytes).value());
  im.define_output(0, Value{id});
  return Status::ok();
}

namespace {

// reflect mirrors without repeating the edge (numpy's), edge repeats it;
// both ignore the constant value.
Result<PadAttrs> pad_attrs(Importer& im) {
  const std::string mode = im.attr_string("mode", "constant");
  PadAttrs attrs;
  if (mode == "reflect") {
    attrs.mode = PadMode::kReflect;
  } else if (mode == "edge") {
    attrs.mode = PadMode::kEdge;
  } else if (mode != "constant") {
    return im.error(ErrorCode::kUnsupportedOp, "mode '" + mode + "' is not supported");
  }
  return attrs;
}

// Pad (opset 11+) whose pads are computed at run time: sessions learn the
// values and re-plan when they change (engine/value_operands.h), given the
// shape the model declares for the output. In the natural layout, the ONNX
// pads [begin_0 .. begin_r-1, end_0 .. end_r-1] become the engine's
// [r, 2] rows [begin_d, end_d] by a reshape to [2, r] and a transpose.
Status translate_pad_at_run(Importer& im, const Value& x, const Value& pads) {
  OPSCOPE_ASSIGN_OR_RETURN(const PadAttrs attrs, pad_attrs(im));
  const std::string& out = im.node().output_size() > 0 ? im.node().output(0) : "";
  const Shape* declared = im.declared_shape(out);
  if (declared == nullptr) {
    return im.error(ErrorCode::kUnsupportedOp,
                    "its pads are computed at run time, so its output shape is known only "
                    "then, and the model declares no shape for '" + out +
                        "' (value_info) with which to import what follows");
  }
  if (im.has_input(3)) {
    return im.error(ErrorCode::kUnsupportedOp, "the axes input is not supported");
  }
  OPSCOPE_ASSIGN_OR_RETURN(const int in, im.as_natural(x));
  OPSCOPE_ASSIGN_OR_RETURN(const int p, im.as_natural(pads));
  const int64_t r = im.rank(x);
  const Tensor& pt = im.tensor(pads);
  if ((pt.dtype != DType::kI64 && pt.dtype != DType::kI32) || pt.shape != Shape{2 * r}) {
    return im.error(ErrorCode::kTypeMismatch,
                    "pads must be int64 of shape [" + std::to_string(2 * r) + "], is " +
                        std::string(to_string(pt.dtype)) + " " + shape_to_string(pt.shape));
  }
  OPSCOPE_ASSIGN_OR_RETURN(const int halves, im.reshape(p, Shape{2, r}, "pads_halves"));
  OPSCOPE_ASSIGN_OR_RETURN(const int rows, im.transpose(halves, {1, 0}, "pads_rows"));
  std::vector<int> ins = {in, rows};
  if (im.has_input(2) && attrs.mode == PadMode::kConstant) {
    OPSCOPE_ASSIGN_OR_RETURN(const float value, im.float_scalar_input(2));
    if (value != 0.0f) {
      if (im.tensor(x).dtype != DType::kF32) {
        return im.error(ErrorCode::kUnsupportedOp, "non-zero pad value of a non-float tensor");
      }
      ins.push_back(im.new_f32_constant(im.node_name() + "/value", Shape{}, {value}));
    }
  }
  return im.emit_planned_at_run(OpKind::kPad, attrs, std::move(ins), *declared).status();
}

}  // namespace

Status translate_pad(Importer& im) {
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  std::vector<int64_t> pads;
  float value = 0.0f;
  if (im.opset() < 11) {
    OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"mode", "pads", "value"}));
    pads = im.attr_ints("pads");
    value = im.attr_float("value", 0.0f);
  } else {
    OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"mode"}));
    OPSCOPE_ASSIGN_OR_RETURN(const Value p, im.input(1));
    if (!im.is_constant(p)) return translate_pad_at_run(im, x, p);
    OPSCOPE_ASSIGN_OR_RETURN(pads, im.int_input(1));
    if (im.has_input(2)) {
      OPSCOPE_ASSIGN_OR_RETURN(value, im.float_scalar_input(2));
    }
    if (im.has_input(3)) {
      return im.error(ErrorCode::kUnsupportedOp, "the axes input is not supported");
    }
  }
  OPSCOPE_ASSIGN_OR_RETURN(const PadAttrs attrs, pad_attrs(im));
  if (attrs.mode != PadMode::kConstant) value = 0.0f;
  const int r = im.rank(x);
  if (static_cast<int>(pads.size()) != 2 * r) {
    return im.error(ErrorCode::kInvalidGraph, "pads must have 2 x rank values");
  }
  for (int64_t p : pads) {
    if (p < 0) return im.error(ErrorCode::kUnsupportedOp, "negative pads are not supported");
  }
  if (im.tensor(x).dtype != DType::kF32 && value != 0.0f) {
    return im.error(ErrorCode::kUnsupportedOp, "non-zero pad value of a non-float tensor");
  }
  // Rows in engine dim order: [begin, end] per dim.
  std::vector<int64_t> rows(2 * r);
  for (int i = 0; i < r; ++i) {
    const int d = x.layout == Layout::kChannelsLast ? channels_last_perm(r)[i] : i;
    rows[2 * i] = pads[d];
    rows[2 * i + 1] = pads[r + d];
  }
  const int pid = im.new_constant(im.node_name() + "/pads", DType::kI64,
                                  Shape{r, 2}, i64_bytes(rows));
  std::vector<int> ins = {x.tensor, pid};
  if (value != 0.0f) ins.push_back(im.new_f32_constant(im.node_name() + "/value", Shape{}, {value}));
  return im.emit_output(OpKind::kPad, attrs, ins, x.layout).status();
}

namespace {

// axes_input_opset: the opset from which axes is an input (ReduceSum 13,
// the others 18).
Status translate_reduce(Importer& im, OpKind op, int axes_input_opset = 18) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axes", "keepdims", "noop_with_empty_axes"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  bool given = false;
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<int64_t> axes, read_axes(im, axes_input_opset, &given));
  const int r = im.rank(x);
  const bool keep = im.attr_int("keepdims", 1) != 0;
  if (axes.empty()) {
    if (im.attr_int("noop_with_empty_axes", 0) != 0) {
      im.define_output(0, x);
      return Status::ok();
    }
    for (int d = 0; d < r; ++d) axes.push_back(d);
  }
  std::vector<char> reduced(r, 0);
  for (int64_t a : axes) {
    OPSCOPE_ASSIGN_OR_RETURN(int d, normalize_axis(im, a, r, "axis"));
    reduced[d] = 1;
  }
  // Channels-last stays so when the result is still channels-last: with
  // keepdims, or when exactly the spatial dims go ([N, C] is left).
  bool spatial_only = r >= 3 && !reduced[0] && !reduced[1];
  for (int d = 2; d < r; ++d) spatial_only = spatial_only && reduced[d];
  Layout layout = Layout::kNatural;
  int in = x.tensor;
  if (x.layout == Layout::kChannelsLast && (keep || spatial_only)) {
    layout = keep ? Layout::kChannelsLast : Layout::kNatural;
  } else {
    OPSCOPE_ASSIGN_OR_RETURN(in, im.as_natural(x));
  }
  std::vector<int32_t> eng_axes;
  for (int d = 0; d < r; ++d) {
    if (!reduced[d]) continue;
    eng_axes.push_back(in == x.tensor && x.layout == Layout::kChannelsLast ? natural_perm(r)[d] : d);
  }
  std::sort(eng_axes.begin(), eng_axes.end());
  const int aid = im.new_i32_constant(im.node_name() + "/axes", eng_axes);
  ReduceAttrs a;
  a.keep_dims = keep;
  return im.emit_output(op, a, {in, aid}, layout).status();
}

}  // namespace

namespace {

// ArgMax / ArgMin: axis (default 0), keepdims (default 1),
// select_last_index (opset 12, default 0), on the natural layout.
Status translate_arg(Importer& im, OpKind op) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axis", "keepdims", "select_last_index"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  const int r = im.rank(x);
  if (im.tensor(x).dtype != DType::kF32 || r == 0) {
    return im.error(ErrorCode::kTypeMismatch, "input must be float of rank >= 1");
  }
  ArgAttrs a;
  OPSCOPE_ASSIGN_OR_RETURN(a.axis, normalize_axis(im, im.attr_int("axis", 0), r, "axis"));
  a.keep_dims = im.attr_int("keepdims", 1) != 0;
  a.select_last = im.attr_int("select_last_index", 0) != 0;
  OPSCOPE_ASSIGN_OR_RETURN(const int in, im.as_natural(x));
  const int y = im.new_tensor(im.node().output(0), DType::kI64);
  OPSCOPE_RETURN_IF_ERROR(im.emit(op, a, {in}, {y}).status());
  im.define_output(0, Value{y});
  return Status::ok();
}

}  // namespace

Status translate_arg_max(Importer& im) { return translate_arg(im, OpKind::kArgMax); }
Status translate_arg_min(Importer& im) { return translate_arg(im, OpKind::kArgMin); }

// TopK(X, K): axis (default -1), largest (default 1), sorted (default 1:
// the engine's TOPK always sorts, which sorted = 0 allows), on the natural
// layout; both outputs (Values, Indices i64).
Status translate_top_k(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axis", "largest", "sorted"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  const int r = im.rank(x);
  if (im.tensor(x).dtype != DType::kF32 || r == 0) {
    return im.error(ErrorCode::kTypeMismatch, "input must be float of rank >= 1");
  }
  TopKAttrs a;
  OPSCOPE_ASSIGN_OR_RETURN(a.axis, normalize_axis(im, im.attr_int("axis", -1), r, "axis"));
  a.largest = im.attr_int("largest", 1) != 0;
  OPSCOPE_ASSIGN_OR_RETURN(Value k, im.constant_input(1));
  OPSCOPE_ASSIGN_OR_RETURN(const int in, im.as_natural(x));
  int out[2];
  for (int i = 0; i < 2; ++i) {
    const bool named = i < im.node().output_size() && !im.node().output(i).empty();
    out[i] = im.new_tensor(named ? im.node().output(i) : im.node_name() + "/unused_" + std::to_string(i),
                           i == 0 ? DType::kF32 : DType::kI64);
  }
  OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kTopK, a, {in, k.tensor}, {out[0], out[1]}).status());
  im.define_output(0, Value{out[0]});
  im.define_output(1, Value{out[1]});
  return Status::ok();
}

Status translate_reduce_mean(Importer& im) { return translate_reduce(im, OpKind::kMean); }
Status translate_reduce_max(Importer& im) { return translate_reduce(im, OpKind::kReduceMax); }
Status translate_reduce_sum(Importer& im) { return translate_reduce(im, OpKind::kReduceSum, 13); }
Status translate_reduce_min(Importer& im) {
  return translate_reduce(im, OpKind::kReduceMin);
}
Status translate_reduce_prod(Importer& im) {
  return translate_reduce(im, OpKind::kReduceProd);
}
Status translate_reduce_sum_square(Importer& im) {
  return translate_reduce(im, OpKind::kReduceSumSquare);
}
Status translate_reduce_l1(Importer& im) {
  return translate_reduce(im, OpKind::kReduceL1);
}
Status translate_reduce_l2(Importer& im) {
  return translate_reduce(im, OpKind::kReduceL2);
}
Status translate_reduce_log_sum(Importer& im) {
  return translate_reduce(im, OpKind::kReduceLogSum);
}
Status translate_reduce_log_sum_exp(Importer& im) {
  return translate_reduce(im, OpKind::kReduceLogSumExp);
}

}  // namespace opscope::onnx
