// RELU, RELU6, HARD_SWISH, LOGISTIC, LEAKY_RELU and PRELU on XNNPACK's NC
// operators: channels = the last dim, batch = the product of the others.
// f32 throughout; LOGISTIC also int8 (sigmoid_nc_qs8).
//
// PRELU's slope is packed by XNNPACK at create, one value per channel, so
// it must be a constant whose shape is [C], [1,...,1,C] (C = x's last dim)
// or a single value (expanded to C); any other broadcast falls back.
#include <cmath>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "engine/backends/xnnpack/ops/op_util.h"
#include "engine/backends/xnnpack/xnn_ops.h"

namespace opscope::xnnpack {
namespace {

using SetupF32Fn = xnn_status (*)(xnn_operator_t, size_t, const float*, float*, pthreadpool_t);
using SetupQs8Fn = xnn_status (*)(xnn_operator_t, size_t, const int8_t*, int8_t*, pthreadpool_t);

// One NC operator over x (input 0) -> y (output 0). The batch is fixed at
// create; setup binds the pointers.
class UnaryOp final : public XnnOneInputOp {
 public:
  UnaryOp(int node, size_t batch, const char* setup_name, SetupF32Fn f32, SetupQs8Fn qs8)
      : XnnOneInputOp(node), batch_(batch), setup_name_(setup_name), f32_(f32), qs8_(qs8) {}

  Status setup(const Graph& g, void* const* buffers, pthreadpool_t pool) override {
    const xnn_status st =
        f32_ ? f32_(op_, batch_, input<float>(g, buffers), output<float>(g, buffers), pool)
             : qs8_(op_, batch_, input<int8_t>(g, buffers), output<int8_t>(g, buffers), pool);
    return setup_status(g, setup_name_, st);
  }

 private:
  size_t batch_;
  const char* setup_name_;
  SetupF32Fn f32_;
  SetupQs8Fn qs8_;
};

// The slope of a PRELU node as one value per channel of x, or a reason.
bool prelu_slope_per_channel(const Graph& g, const Node& n, std::string* why) {
  const Tensor& x = g.tensors[n.inputs[0]];
  const Tensor& slope = g.tensors[n.inputs[1]];
  if (!slope.is_constant()) {
    if (why) *why = "slope '" + slope.name + "' is not a constant (XNNPACK packs it at create)";
    return false;
  }
  if (x.shape.empty()) {
    if (why) *why = "input is a scalar; XNNPACK's PRELU needs a channel dim";
    return false;
  }
  const int64_t channels = x.shape.back();
  if (slope.elements() == 1) return true;
  bool per_channel = !slope.shape.empty() && slope.shape.size() <= x.shape.size() &&
                     slope.shape.back() == channels;
  for (size_t i = 0; per_channel && i + 1 < slope.shape.size(); ++i) {
    per_channel = slope.shape[i] == 1;
  }
  if (!per_channel) {
    if (why) *why = "slope shape " + shape_to_string(slope.shape) + " against input " +
                    shape_to_string(x.shape) +
                    " is not one value per channel ([C] or [1,...,1,C]); XNNPACK's PRELU "
                    "broadcasts only along the last dim";
    return false;
  }
  return true;
}

bool supports_qs8_logistic(const Graph& g, const Node& n, std::string* why) {
  if (!expect_dtype_io(g, n, DType::kI8, why)) return false;
  const Tensor& x = g.tensors[n.inputs[0]];
  const Tensor& y = g.tensors[n.outputs[0]];
  if (!expect_qs8_per_tensor(x, "input", why) || !expect_qs8_per_tensor(y, "output", why)) {
    return false;
  }
  // TFLite's int8 LOGISTIC contract, and the only output XNNPACK's table
  // operator takes.
  const Qs8Params q = qs8_params(y);
  if (q.scale != 1.0f / 256.0f || q.zero_point != -128) {
    if (why) *why = "int8 LOGISTIC output must have scale 1/256 and zero point -128 (has " +
                    std::to_string(q.scale) + ", " + std::to_string(q.zero_point) + ")";
    return false;
  }
  return true;
}

}  // namespace

bool supports_unary(const Graph& g, const Node& n, std::string* why) {
  const int inputs = n.op == OpKind::kPRelu ? 2 : 1;
  if (!expect_arity(g, n, inputs, why)) return false;
  const DType dtype = g.tensors[n.inputs[0]].dtype;
  if (n.op == OpKind::kLogistic && dtype == DType::kI8) return supports_qs8_logistic(g, n, why);
  if (!expect_f32_io(g, n, why)) return false;
  switch (n.op) {
    case OpKind::kRelu:
    case OpKind::kRelu6:
    case OpKind::kHardSwish:
    case OpKind::kLogistic:
      return true;
    case OpKind::kLeakyRelu: {
      const auto* a = std::get_if<LeakyReluAttrs>(&n.attrs);
      const float alpha = a ? a->alpha : LeakyReluAttrs{}.alpha;
      if (!std::isfinite(alpha)) {
        if (why) *why = "LEAKY_RELU alpha " + std::to_string(alpha) + " is not finite";
        return false;
      }
      return true;
    }
    case OpKind::kPRelu:
      return prelu_slope_per_channel(g, n, why);
    default:
      if (why) *why = "not a unary op of the XNNPACK backend";
      return false;
  }
}

Result<std::unique_ptr<XnnNodeOp>> create_unary(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  const Tensor& x = g.tensors[n.inputs[0]];
  if (x.elements() == 0) return std::unique_ptr<XnnNodeOp>(new XnnNoOp(node));
  const BatchChannels bc = batch_channels(x.shape);
  const size_t c = bc.channels;
  std::unique_ptr<UnaryOp> op;
  xnn_status st = xnn_status_success;
  const char* call = "";
  switch (n.op) {
    case OpKind::kRelu:
    case OpKind::kRelu6: {
      const float max = n.op == OpKind::kRelu6 ? 6.0f : std::numeric_limits<float>::infinity();
      op = std::make_unique<UnaryOp>(node, bc.batch, "xnn_setup_clamp_nc_f32",
                                     xnn_setup_clamp_nc_f32, nullptr);
      call = "xnn_create_clamp_nc_f32";
      st = xnn_create_clamp_nc_f32(c, c, c, 0.0f, max, 0, op->op_slot());
      break;
    }
    case OpKind::kHardSwish:
      op = std::make_unique<UnaryOp>(node, bc.batch, "xnn_setup_hardswish_nc_f32",
                                     xnn_setup_hardswish_nc_f32, nullptr);
      call = "xnn_create_hardswish_nc_f32";
      st = xnn_create_hardswish_nc_f32(c, c, c, 0, op->op_slot());
      break;
    case OpKind::kLogistic:
      if (x.dtype == DType::kI8) {
        const Qs8Params in = qs8_params(x);
        const Qs8Params out = qs8_params(g.tensors[n.outputs[0]]);
        op = std::make_unique<UnaryOp>(node, bc.batch, "xnn_setup_sigmoid_nc_qs8", nullptr,
                                       xnn_setup_sigmoid_nc_qs8);
        call = "xnn_create_sigmoid_nc_qs8";
        st = xnn_create_sigmoid_nc_qs8(c, c, c, in.zero_point, in.scale, out.zero_point,
                                       out.scale, -128, 127, 0, op->op_slot());
      } else {
        op = std::make_unique<UnaryOp>(node, bc.batch, "xnn_setup_sigmoid_nc_f32",
                                       xnn_setup_sigmoid_nc_f32, nullptr);
        call = "xnn_create_sigmoid_nc_f32";
        st = xnn_create_sigmoid_nc_f32(c, c, c, 0, op->op_slot());
      }
      break;
    case OpKind::kLeakyRelu: {
      const auto* a = std::get_if<LeakyReluAttrs>(&n.attrs);
      const float alpha = a ? a->alpha : LeakyReluAttrs{}.alpha;
      op = std::make_unique<UnaryOp>(node, bc.batch, "xnn_setup_leaky_relu_nc_f32",
                                     xnn_setup_leaky_relu_nc_f32, nullptr);
      call = "xnn_create_leaky_relu_nc_f32";
      st = xnn_create_leaky_relu_nc_f32(c, c, c, alpha, 0, op->op_slot());
      break;
    }
    case OpKind::kPRelu: {
      std::string why;
      if (!prelu_slope_per_channel(g, n, &why)) return xnn_unsupported(g, node, why);
      const Tensor& slope = g.tensors[n.inputs[1]];
      // Copied (and expanded when it is one value): XNNPACK packs it at
      // create, so the copy only has to live through the call.
      std::vector<float> per_channel(c);
      const float* s = slope.constant_as<float>();
      for (size_t i = 0; i < c; ++i) per_channel[i] = slope.elements() == 1 ? s[0] : s[i];
      op = std::make_unique<UnaryOp>(node, bc.batch, "xnn_setup_prelu_nc_f32",
                                     xnn_setup_prelu_nc_f32, nullptr);
      call = "xnn_create_prelu_nc_f32";
      st = xnn_create_prelu_nc_f32(c, c, c, per_channel.data(), 0, op->op_slot());
      break;
    }
    default:
      return xnn_unsupported(g, node, "not a unary op of the XNNPACK backend");
  }
  return xnn_created(g, node, call, st, std::move(op));
}

}  // namespace opscope::xnnpack
