// Elementwise ops: they run in whatever layout their inputs are in.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

Result<int> normalize_axis(Importer& im, int64_t axis, int rank, const char* what) {
  const int64_t a = axis < 0 ? axis + rank : axis;
  // A scalar has no axis: callers index the shape with the result.
  if (a < 0 || a >= rank) {
    return im.error(ErrorCode::kInvalidGraph,
                    std::string(what) + " " + std::to_string(axis) +
                        " is out of range for rank " + std::to_string(rank));
  }
  return static_cast<int>(a);
}

Result<std::vector<int>> common_layout(Importer& im, const std::vector<Value>& values,
                                       Layout* layout) {
  int r = 0;
  for (const Value& v : values) r = std::max(r, im.rank(v));
  bool cl = false;
  for (const Value& v : values) {
    cl = cl || (v.layout == Layout::kChannelsLast && im.rank(v) == r);
  }
  std::vector<int> ids;
  *layout = cl ? Layout::kChannelsLast : Layout::kNatural;
  for (const Value& v : values) {
    if (!cl) {
      OPSCOPE_ASSIGN_OR_RETURN(int id, im.as_natural(v));
      ids.push_back(id);
      continue;
    }
    if (v.layout == Layout::kChannelsLast && im.rank(v) == r) {
      ids.push_back(v.tensor);
      continue;
    }
    OPSCOPE_ASSIGN_OR_RETURN(int id, im.as_natural(v));
    if (im.tensor(id).elements() == 1) {  // broadcasts as it is
      ids.push_back(id);
      continue;
    }
    Shape s = im.tensor(id).shape;
    s.insert(s.begin(), r - s.size(), 1);
    OPSCOPE_ASSIGN_OR_RETURN(id, im.reshape(id, s, "rank"));
    OPSCOPE_ASSIGN_OR_RETURN(id, im.transpose(id, channels_last_perm(r), "to_nhwc"));
    ids.push_back(id);
  }
  return ids;
}

bool try_fuse_activation(Importer& im, const Value& x, Activation act) {
  const int p = im.producer(x.tensor);
  if (p < 0 || im.tensor_uses(x.tensor) != 1) return false;
  Node& n = im.graph().nodes[p];
  if (n.outputs.size() != 1 || n.outputs[0] != x.tensor) return false;
  bool fused = false;
  const auto set = [&](Activation& a) {
    if (a == Activation::kNone) {
      a = act;
      fused = true;
    }
  };
  if (auto* a = std::get_if<Conv2DAttrs>(&n.attrs)) set(a->activation);
  if (auto* a = std::get_if<DepthwiseConv2DAttrs>(&n.attrs)) set(a->activation);
  if (auto* a = std::get_if<FullyConnectedAttrs>(&n.attrs)) set(a->activation);
  if (auto* a = std::get_if<Pool2DAttrs>(&n.attrs)) set(a->activation);
  const bool binary = n.op == OpKind::kAdd || n.op == OpKind::kSub || n.op == OpKind::kMul ||
                      n.op == OpKind::kMaximum || n.op == OpKind::kMinimum;
  if (binary) {
    if (std::holds_alternative<std::monostate>(n.attrs)) n.attrs = ActivationAttrs{};
    if (auto* a = std::get_if<ActivationAttrs>(&n.attrs)) set(a->activation);
  }
  if (!fused) return false;
  im.fused_into(p);
  im.define_output(0, x);
  return true;
}

namespace {

Status translate_binary(Importer& im, OpKind op) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  OPSCOPE_ASSIGN_OR_RETURN(Value a, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(Value b, im.input(1));
  const DType da = im.tensor(a).dtype, db = im.tensor(b).dtype;
  if (da != db) {
    return im.error(ErrorCode::kTypeMismatch,
                    "inputs have different types (" + std::string(to_string(da)) +
                        ", " + std::string(to_string(db)) + ")");
  }
  Layout layout;
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<int> ids, common_layout(im, {a, b}, &layout));
  return im.emit_output(op, std::monostate{}, ids, layout).status();
}

// Every input of a variadic op (Max, Min, Sum, Mean) in one layout.
Result<std::vector<int>> variadic_inputs(Importer& im, Layout* layout) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  std::vector<Value> vs;
  for (int i = 0; i < im.num_inputs(); ++i) {
    OPSCOPE_ASSIGN_OR_RETURN(Value v, im.input(i));
    vs.push_back(v);
  }
  if (vs.empty()) return im.error(ErrorCode::kInvalidGraph, "has no inputs");
  return common_layout(im, vs, layout);
}

// op over ids as a chain of binary nodes into fresh tensors; the last
// tensor (ids[0] when there is one).
Result<int> chain(Importer& im, OpKind op, const std::vector<int>& ids) {
  int acc = ids[0];
  for (size_t k = 1; k < ids.size(); ++k) {
    const int mid = im.new_tensor(im.node_name() + "/" + std::to_string(k));
    OPSCOPE_RETURN_IF_ERROR(im.emit(op, std::monostate{}, {acc, ids[k]}, {mid}).status());
    acc = mid;
  }
  return acc;
}

// Max, Min and Sum take 1 or more inputs: a chain of binary nodes.
Status translate_variadic(Importer& im, OpKind op) {
  if (im.num_inputs() == 2) return translate_binary(im, op);
  Layout layout;
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<int> ids, variadic_inputs(im, &layout));
  if (ids.size() == 1) {
    im.define_output(0, Value{ids[0], layout});
    return Status::ok();
  }
  const int last = ids.back();
  ids.pop_back();
  OPSCOPE_ASSIGN_OR_RETURN(const int acc, chain(im, op, ids));
  return im.emit_output(op, std::monostate{}, {acc, last}, layout).status();
}

Status translate_unary(Importer& im, OpKind op, Attributes attrs) {
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  return im.emit_output(op, std::move(attrs), {x.tensor}, x.layout).status();
}

// x * HardSigmoid(x) with alpha 1/6, beta 1/2 is HardSwish(x): the
// HardSigmoid node becomes a HARD_SWISH and the Mul goes.
bool try_fuse_hard_swish(Importer& im, const Value& a, const Value& b) {
  for (const auto& [x, gate] : {std::pair{a, b}, std::pair{b, a}}) {
    const int p = im.producer(gate.tensor);
    if (p < 0 || im.tensor_uses(gate.tensor) != 1) continue;
    Node& n = im.graph().nodes[p];
    if (n.op != OpKind::kHardSigmoid || n.inputs[0] != x.tensor || gate.layout != x.layout) continue;
    const auto* attrs = std::get_if<HardSigmoidAttrs>(&n.attrs);
    if (attrs == nullptr || std::fabs(attrs->alpha - 1.0f / 6.0f) > 1e-7f || attrs->beta != 0.5f) {
      continue;
    }
    n.op = OpKind::kHardSwish;
    n.attrs = std::monostate{};
    im.fused_into(p);
    im.define_output(0, gate);
    return true;
  }
  return false;
}

}  // namespace

Status translate_add(Importer& im) { return translate_binary(im, OpKind::kAdd); }
Status translate_sub(Importer& im) { return translate_binary(im, OpKind::kSub); }
Status translate_div(Importer& im) { return translate_binary(im, OpKind::kDiv); }

// Pow(x, y). A constant exponent of 2 becomes x * x, 0.5 a square root and 1
// nothing (LayerNorm exports write Pow(x, 2)); an integer exponent, which
// ONNX allows beside a float base, must be constant and becomes f32.
Status translate_pow(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(Value y, im.input(1));
  if (im.tensor(x).dtype != DType::kF32) {
    return im.error(ErrorCode::kUnsupportedOp,
                    "a " + std::string(to_string(im.tensor(x).dtype)) + " base is not supported");
  }
  const DType dy = im.tensor(y).dtype;
  if (dy == DType::kI64 || dy == DType::kI32) {
    OPSCOPE_ASSIGN_OR_RETURN(y, im.constant_input(1));
    const Tensor& t = im.tensor(y);
    std::vector<float> v(static_cast<size_t>(t.elements()));
    for (size_t i = 0; i < v.size(); ++i) {
      v[i] = static_cast<float>(dy == DType::kI64 ? t.constant_as<int64_t>()[i]
                                                  : t.constant_as<int32_t>()[i]);
    }
    const Shape shape = t.shape;
    y = Value{im.new_f32_constant(im.node_name() + "/exponent", shape, v), y.layout};
  } else if (dy != DType::kF32) {
    return im.error(ErrorCode::kUnsupportedOp,
                    "a " + std::string(to_string(dy)) + " exponent is not supported");
  }
  if (im.is_constant(y) && im.tensor(y).elements() == 1 &&
      im.tensor(y).shape.size() <= im.tensor(x).shape.size()) {
    const float e = im.tensor(y).constant_as<float>()[0];
    if (e == 1.0f) {
      im.define_output(0, x);
      return Status::ok();
    }
    if (e == 2.0f) {
      return im.emit_output(OpKind::kMul, std::monostate{}, {x.tensor, x.tensor}, x.layout)
          .status();
    }
    if (e == 0.5f) return translate_unary(im, OpKind::kSqrt, std::monostate{});
  }
  Layout layout;
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<int> ids, common_layout(im, {x, y}, &layout));
  return im.emit_output(OpKind::kPow, std::monostate{}, ids, layout).status();
}
Status translate_mul(Importer& im) {
  if (im.num_inputs() == 2) {
    OPSCOPE_ASSIGN_OR_RETURN(Value a, im.input(0));
    OPSCOPE_ASSIGN_OR_RETURN(Value b, im.input(1));
    if (try_fuse_hard_swish(im, a, b)) return Status::ok();
  }
  return translate_binary(im, OpKind::kMul);
}

Status translate_max(Importer& im) { return translate_variadic(im, OpKind::kMaximum); }
Status translate_sum(Importer& im) { return translate_variadic(im, OpKind::kAdd); }

// Mean: the sum of the inputs divided by their count.
Status translate_mean(Importer& im) {
  Layout layout;
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int> ids, variadic_inputs(im, &layout));
  if (im.tensor(ids[0]).dtype != DType::kF32) {
    return im.error(ErrorCode::kUnsupportedOp, "Mean of non-float inputs is not supported");
  }
  OPSCOPE_ASSIGN_OR_RETURN(const int sum, chain(im, OpKind::kAdd, ids));
  const float n = static_cast<float>(ids.size());
  std::vector<uint8_t> bytes(sizeof(float));
  std::memcpy(bytes.data(), &n, sizeof(float));
  const int count = im.new_constant(im.node_name() + "/count", DType::kF32, {}, std::move(bytes));
  return im.emit_output(OpKind::kDiv, std::monostate{}, {sum, count}, layout).status();
}
Status translate_min(Importer& im) { return translate_variadic(im, OpKind::kMinimum); }

Status translate_prelu(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  OPSCOPE_ASSIGN_OR_RETURN(Value slope, im.input(1));
  Layout layout;
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<int> ids, common_layout(im, {x, slope}, &layout));
  return im.emit_output(OpKind::kPRelu, std::monostate{}, ids, layout).status();
}

Status translate_relu(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  if (try_fuse_activation(im, x, Activation::kRelu)) return Status::ok();
  return translate_unary(im, OpKind::kRelu, std::monostate{});
}

Status translate_leaky_relu(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"alpha"}));
  LeakyReluAttrs a;
  a.alpha = im.attr_float("alpha", 0.01f);
  return translate_unary(im, OpKind::kLeakyRelu, a);
}

Status translate_sigmoid(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kLogistic, std::monostate{});
}

Status translate_tanh(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kTanh, std::monostate{});
}

Status translate_exp(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kExp, std::monostate{});
}

Status translate_sqrt(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kSqrt, std::monostate{});
}

Status translate_neg(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kNeg, std::monostate{});
}

Status translate_abs(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kAbs, std::monostate{});
}

Status translate_hard_sigmoid(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"alpha", "beta"}));
  HardSigmoidAttrs a;
  a.alpha = im.attr_float("alpha", 0.2f);
  a.beta = im.attr_float("beta", 0.5f);
  return translate_unary(im, OpKind::kHardSigmoid, a);
}

Status translate_sin(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kSin, std::monostate{});
}

Status translate_cos(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kCos, std::monostate{});
}

Status translate_tan(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kTan, std::monostate{});
}

Status translate_asin(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kAsin, std::monostate{});
}

Status translate_acos(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kAcos, std::monostate{});
}

Status translate_atan(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kAtan, std::monostate{});
}

Status translate_sinh(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kSinh, std::monostate{});
}

Status translate_cosh(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kCosh, std::monostate{});
}

Status translate_asinh(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kAsinh, std::monostate{});
}

Status translate_acosh(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kAcosh, std::monostate{});
}

Status translate_atanh(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kAtanh, std::monostate{});
}

Status translate_floor(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kFloor, std::monostate{});
}

Status translate_ceil(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kCeil, std::monostate{});
}

Status translate_round(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kRound, std::monostate{});
}

Status translate_reciprocal(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kReciprocal, std::monostate{});
}

Status translate_sign(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kSign, std::monostate{});
}

Status translate_erf(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kErf, std::monostate{});
}

Status translate_softplus(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kSoftplus, std::monostate{});
}

Status translate_softsign(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kSoftsign, std::monostate{});
}

namespace {

// ONNX's defaults: alpha 1 (Elu, Celu, ThresholdedRelu); Selu's alpha and
// gamma are the self-normalizing constants.
Status translate_unary_params(Importer& im, OpKind op, float alpha, float gamma) {
  if (op == OpKind::kSelu) {
    OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"alpha", "gamma"}));
  } else {
    OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"alpha"}));
  }
  UnaryParamsAttrs a;
  a.alpha = im.attr_float("alpha", alpha);
  a.gamma = im.attr_float("gamma", gamma);
  return translate_unary(im, op, a);
}

}  // namespace

Status translate_elu(Importer& im) { return translate_unary_params(im, OpKind::kElu, 1.0f, 1.0f); }
Status translate_selu(Importer& im) {
  return translate_unary_params(im, OpKind::kSelu, 1.67326319217681884765625f,
                                1.05070102214813232421875f);
}
Status translate_celu(Importer& im) { return translate_unary_params(im, OpKind::kCelu, 1.0f, 1.0f); }
Status translate_thresholded_relu(Importer& im) {
  return translate_unary_params(im, OpKind::kThresholdedRelu, 1.0f, 1.0f);
}

Status translate_hard_swish(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kHardSwish, std::monostate{});
}

Status translate_log(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
  return translate_unary(im, OpKind::kLog, std::monostate{});
}

namespace {

// Clip's bound input k when it is computed at run time (an audio front
// end's floor of max - 80 dB): the tensor id of that scalar, else -1.
Result<int> runtime_bound(Importer& im, int k) {
  if (!im.has_input(k)) return -1;
  OPSCOPE_ASSIGN_OR_RETURN(Value v, im.input(k));
  if (im.is_constant(v)) return -1;
  const Tensor& t = im.tensor(v);
  if (t.dtype != DType::kF32 || t.elements() != 1) {
    return im.error(ErrorCode::kInvalidGraph, "bound '" + t.name + "' is " +
                                                  std::string(to_string(t.dtype)) + " " +
                                                  shape_to_string(t.shape) +
                                                  ", not one float");
  }
  return v.tensor;
}

}  // namespace

Status translate_clip(Importer& im) {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  int lo_id = -1, hi_id = -1;  // bounds computed at run time
  if (im.opset() < 11) {
    OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"min", "max"}));
    lo = im.attr_float("min", lo);
    hi = im.attr_float("max", hi);
  } else {
    OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({}));
    OPSCOPE_ASSIGN_OR_RETURN(lo_id, runtime_bound(im, 1));
    OPSCOPE_ASSIGN_OR_RETURN(hi_id, runtime_bound(im, 2));
    if (im.has_input(1) && lo_id < 0) {
      OPSCOPE_ASSIGN_OR_RETURN(lo, im.float_scalar_input(1));
    }
    if (im.has_input(2) && hi_id < 0) {
      OPSCOPE_ASSIGN_OR_RETURN(hi, im.float_scalar_input(2));
    }
  }
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  if (im.tensor(x).dtype != DType::kF32) {
    return im.error(ErrorCode::kTypeMismatch, "only float Clip is supported");
  }
  Activation act = Activation::kNone;
  const float inf = std::numeric_limits<float>::infinity();
  if (lo == 0.0f && hi == 6.0f) act = Activation::kRelu6;
  if (lo == 0.0f && hi == inf) act = Activation::kRelu;
  if (lo == -1.0f && hi == 1.0f) act = Activation::kReluN1To1;
  if (lo_id >= 0 || hi_id >= 0) act = Activation::kNone;
  if (act != Activation::kNone && try_fuse_activation(im, x, act)) return Status::ok();
  if (act == Activation::kRelu6) return translate_unary(im, OpKind::kRelu6, std::monostate{});
  if (act == Activation::kRelu) return translate_unary(im, OpKind::kRelu, std::monostate{});
  // General bounds: max(x, lo) then min(., hi), with scalar constants or
  // the run-time scalars.
  int cur = x.tensor;
  if (lo != -inf || lo_id >= 0) {
    const int c =
        lo_id >= 0 ? lo_id : im.new_f32_constant(im.node_name() + "/min", Shape{}, {lo});
    const bool last = hi == inf && hi_id < 0;
    const int out = last ? im.new_tensor(im.node().output(0)) : im.new_tensor(im.node_name() + "/lo");
    OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kMaximum, std::monostate{}, {cur, c}, {out}).status());
    cur = out;
  }
  if (hi != inf || hi_id >= 0) {
    const int c =
        hi_id >= 0 ? hi_id : im.new_f32_constant(im.node_name() + "/max", Shape{}, {hi});
    const int out = im.new_tensor(im.node().output(0));
    OPSCOPE_RETURN_IF_ERROR(im.emit(OpKind::kMinimum, std::monostate{}, {cur, c}, {out}).status());
    cur = out;
  }
  im.define_output(0, Value{cur, x.layout});
  return Status::ok();
}

namespace {

// Softmax, LogSoftmax and Hardmax share their axis rules: before opset 13
// over the dims [axis, r) flattened (axis default 1), from 13 over one axis
// (default -1).
Status translate_softmax_like(Importer& im, OpKind op) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"axis"}));
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  const int r = im.rank(x);
  if (im.tensor(x).dtype != DType::kF32 || r == 0) {
    return im.error(ErrorCode::kTypeMismatch, "input must be float of rank >= 1");
  }
  OPSCOPE_ASSIGN_OR_RETURN(int axis, normalize_axis(im, im.attr_int("axis", im.opset() < 13 ? 1 : -1), r, "axis"));
  // Channels-last with the channel axis: already the last engine axis.
  if (x.layout == Layout::kChannelsLast && axis == 1) {
    return im.emit_output(op, SoftmaxAttrs{}, {x.tensor}, x.layout).status();
  }
  OPSCOPE_ASSIGN_OR_RETURN(int in, im.as_natural(x));
  const Shape s = im.tensor(in).shape;
  if (im.opset() < 13 || axis == r - 1) {
    // Before opset 13: softmax over the flattened dims [axis, r).
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < r; ++d) (d < axis ? outer : inner) *= s[d];
    OPSCOPE_ASSIGN_OR_RETURN(int flat, im.reshape(in, Shape{outer, inner}, "2d"));
    const int y = im.new_tensor(im.node_name() + "/" + std::string(to_string(op)));
    OPSCOPE_RETURN_IF_ERROR(im.emit(op, SoftmaxAttrs{}, {flat}, {y}).status());
    OPSCOPE_ASSIGN_OR_RETURN(int out, im.reshape(y, s, "shape"));
    im.define_output(0, Value{out});
    return Status::ok();
  }
  // Opset 13: one axis; move it last and back.
  std::vector<int> perm;
  for (int d = 0; d < r; ++d) {
    if (d != axis) perm.push_back(d);
  }
  perm.push_back(axis);
  std::vector<int> back(r);
  for (int d = 0; d < r; ++d) back[perm[d]] = d;
  OPSCOPE_ASSIGN_OR_RETURN(int moved, im.transpose(in, perm, "axis_last"));
  const int y = im.new_tensor(im.node_name() + "/" + std::string(to_string(op)));
  OPSCOPE_RETURN_IF_ERROR(im.emit(op, SoftmaxAttrs{}, {moved}, {y}).status());
  OPSCOPE_ASSIGN_OR_RETURN(int out, im.transpose(y, back, "axis_back"));
  im.define_output(0, Value{out});
  return Status::ok();
}

}  // namespace

Status translate_softmax(Importer& im) { return translate_softmax_like(im, OpKind::kSoftmax); }
Status translate_log_softmax(Importer& im) {
  return translate_softmax_like(im, OpKind::kLogSoftmax);
}
Status translate_hardmax(Importer& im) { return translate_softmax_like(im, OpKind::kHardmax); }

Status translate_identity(Importer& im) {
  // Dropout (inference): ratio and training_mode inputs, seed attribute;
  // in inference it is the identity and its mask output is not supported.
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"ratio", "seed", "is_test"}));
  if (im.node().output_size() > 1 && !im.node().output(1).empty() &&
      im.uses(im.node().output(1)) > 0) {
    return im.error(ErrorCode::kUnsupportedOp, "the mask output is not supported");
  }
  if (im.has_input(2)) {
    OPSCOPE_ASSIGN_OR_RETURN(Value t, im.constant_input(2));
    const Tensor& tt = im.tensor(t);
    if (tt.elements() == 1 && tt.dtype == DType::kBool && tt.data[0] != 0) {
      return im.error(ErrorCode::kUnsupportedOp, "training_mode is not supported");
    }
  }
  OPSCOPE_ASSIGN_OR_RETURN(Value x, im.input(0));
  im.define_output(0, x);
  return Status::ok();
}

}  // namespace opscope::onnx
