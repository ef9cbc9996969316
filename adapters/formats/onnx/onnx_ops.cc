// The op table: ONNX op type -> translator, with the opsets it covers.
#include <cstring>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {

namespace {

struct OpEntry {
  const char* type;
  Translator translate;
  int min_opset;  // first opset whose semantics the translator implements
};

const OpEntry kOps[] = {
    {"Conv", translate_conv, 1},
    {"ConvTranspose", translate_conv_transpose, 1},
    {"MaxPool", translate_max_pool, 1},
    {"AveragePool", translate_average_pool, 1},
    {"GlobalAveragePool", translate_global_average_pool, 1},
    {"GlobalMaxPool", translate_global_max_pool, 1},
    {"BatchNormalization", translate_batch_norm, 7},
    {"LayerNormalization", translate_layer_norm, 17},
    {"Add", translate_add, 7},
    {"Sub", translate_sub, 7},
    {"Mul", translate_mul, 7},
    {"Max", translate_max, 8},
    {"Min", translate_min, 8},
    {"Sum", translate_sum, 8},
    {"Mean", translate_mean, 8},
    {"PRelu", translate_prelu, 7},
    {"Relu", translate_relu, 1},
    {"LeakyRelu", translate_leaky_relu, 1},
    {"Sigmoid", translate_sigmoid, 1},
    {"Tanh", translate_tanh, 1},
    {"Log", translate_log, 1},
    {"Div", translate_div, 7},
    {"Pow", translate_pow, 7},
    {"Exp", translate_exp, 1},
    {"Sqrt", translate_sqrt, 1},
    {"Neg", translate_neg, 1},
    {"Abs", translate_abs, 1},
    {"HardSigmoid", translate_hard_sigmoid, 1},
    {"HardSwish", translate_hard_swish, 14},
    {"Sin", translate_sin, 7},
    {"Cos", translate_cos, 7},
    {"Tan", translate_tan, 7},
    {"Asin", translate_asin, 7},
    {"Acos", translate_acos, 7},
    {"Atan", translate_atan, 7},
    {"Sinh", translate_sinh, 9},
    {"Cosh", translate_cosh, 9},
    {"Asinh", translate_asinh, 9},
    {"Acosh", translate_acosh, 9},
    {"Atanh", translate_atanh, 9},
    {"Floor", translate_floor, 6},
    {"Ceil", translate_ceil, 6},
    {"Round", translate_round, 11},
    {"Reciprocal", translate_reciprocal, 6},
    {"Sign", translate_sign, 9},
    {"Erf", translate_erf, 9},
    {"Softplus", translate_softplus, 1},
    {"Softsign", translate_softsign, 1},
    {"Elu", translate_elu, 6},
    {"Selu", translate_selu, 6},
    {"Celu", translate_celu, 12},
    {"ThresholdedRelu", translate_thresholded_relu, 10},
    {"Clip", translate_clip, 1},
    {"Softmax", translate_softmax, 1},
    {"LogSoftmax", translate_log_softmax, 1},
    {"Hardmax", translate_hardmax, 1},
    {"Size", translate_size, 1},
    {"Equal", translate_equal, 7},
    {"Less", translate_less, 7},
    {"LessOrEqual", translate_less_or_equal, 12},
    {"Greater", translate_greater, 7},
    {"GreaterOrEqual", translate_greater_or_equal, 12},
    {"And", translate_and, 7},
    {"Or", translate_or, 7},
    {"Xor", translate_xor, 7},
    {"Not", translate_not, 1},
    {"IsNaN", translate_is_nan, 9},
    {"IsInf", translate_is_inf, 10},
    {"Where", translate_where, 9},
    {"Trilu", translate_trilu, 14},
    {"Range", translate_range, 11},
    {"Expand", translate_expand, 8},
    {"If", translate_if, 1},
    {"Loop", translate_loop, 1},
    {"Scan", translate_scan, 8},
    {"Tile", translate_tile, 6},
    {"LSTM", translate_lstm, 7},
    {"GRU", translate_gru, 7},
    {"RNN", translate_rnn, 7},
    {"DepthToSpace", translate_depth_to_space, 1},
    {"SpaceToDepth", translate_space_to_depth, 1},
    {"Identity", translate_identity, 1},
    {"Dropout", translate_identity, 7},
    {"Reshape", translate_reshape, 5},
    {"Flatten", translate_flatten, 1},
    {"Squeeze", translate_squeeze, 1},
    {"Unsqueeze", translate_unsqueeze, 1},
    {"Transpose", translate_transpose, 1},
    {"Concat", translate_concat, 4},
    {"Shape", translate_shape, 1},
    {"Gather", translate_gather, 1},
    {"GatherElements", translate_gather_elements, 11},
    {"GatherND", translate_gather_nd, 11},
    {"Cast", translate_cast, 6},
    {"Constant", translate_constant, 1},
    {"ConstantOfShape", translate_constant_of_shape, 9},
    {"Slice", translate_slice, 1},
    {"Split", translate_split, 2},
    {"Resize", translate_resize, 10},
    {"Upsample", translate_resize, 7},
    {"Pad", translate_pad, 2},
    {"ReduceMean", translate_reduce_mean, 1},
    {"ReduceMax", translate_reduce_max, 1},
    {"ArgMax", translate_arg_max, 1},
    {"ArgMin", translate_arg_min, 1},
    {"TopK", translate_top_k, 10},
    {"CumSum", translate_cumsum, 11},
    {"OneHot", translate_one_hot, 9},
    {"Einsum", translate_einsum, 12},
    {"ReduceSum", translate_reduce_sum, 1},
    {"ReduceMin", translate_reduce_min, 1},
    {"ReduceProd", translate_reduce_prod, 1},
    {"ReduceSumSquare", translate_reduce_sum_square, 1},
    {"ReduceL1", translate_reduce_l1, 1},
    {"ReduceL2", translate_reduce_l2, 1},
    {"ReduceLogSum", translate_reduce_log_sum, 1},
    {"ReduceLogSumExp", translate_reduce_log_sum_exp, 1},
    {"Gemm", translate_gemm, 7},
    {"MatMul", translate_matmul, 1},
    {"QuantizeLinear", translate_quantize_linear, 10},
    {"DequantizeLinear", translate_dequantize_linear, 10},
    {"QLinearConv", translate_qlinear_conv, 10},
    {"QLinearMatMul", translate_qlinear_matmul, 10},
};

const OpEntry* find_op(const std::string& type, int opset) {
  for (const OpEntry& e : kOps) {
    if (type == e.type && opset >= e.min_opset) return &e;
  }
  return nullptr;
}

}  // namespace

bool is_supported_op(const std::string& op_type, int opset) {
  return find_op(op_type, opset) != nullptr;
}

Status translate_node(Importer& im) {
  const OpEntry* e = find_op(im.node().op_type(), im.opset());
  if (e == nullptr) {
    return im.error(ErrorCode::kUnsupportedOp, "op is not supported");
  }
  // Every op translated here has a first output, and the translators name
  // their tensors after it: check once instead of in each of them. The
  // recurrent ops' Y is optional (a model may want only the last state).
  const bool y_optional = e->translate == translate_lstm || e->translate == translate_gru ||
                          e->translate == translate_rnn;
  if (im.node().output_size() < 1 || (im.node().output(0).empty() && !y_optional)) {
    return im.error(ErrorCode::kInvalidGraph, "has no first output");
  }
  for (int k = 0; k < im.node().output_size(); ++k) {
    if (!im.node().output(k).empty() && im.defined(im.node().output(k))) {
      return im.error(ErrorCode::kInvalidGraph,
                      "output '" + im.node().output(k) + "' is already defined");
    }
  }
  OPSCOPE_RETURN_IF_ERROR(e->translate(im));
  const std::string& first = im.node().output(0);
  if (!first.empty() && !im.defined(first)) {
    return im.error(ErrorCode::kInternal, "translation defined no output");
  }
  return Status::ok();
}

}  // namespace opscope::onnx
