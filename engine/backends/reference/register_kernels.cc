// The reference backend's kernel table: every (op, dtype) it runs, listed
// explicitly (no static self-registration).
#include <string>

#include "engine/backends/reference/kernel_registry.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/int8/kernels_int8.h"

namespace opscope::reference {
namespace {

// dtype kAny: the kernel accepts any input dtype and checks it in prepare.
constexpr int kAny = -1;

struct Entry {
  OpKind op;
  int dtype;  // DType of the first input, or kAny
  KernelFactory factory;
};

constexpr int f32 = static_cast<int>(DType::kF32);

const Entry kTable[] = {
    {OpKind::kConv2D, f32, make_conv2d_f32},
    {OpKind::kDepthwiseConv2D, f32, make_depthwise_conv2d_f32},
    {OpKind::kTransposeConv, f32, make_transpose_conv_f32},
    {OpKind::kFullyConnected, f32, make_fully_connected_f32},
    {OpKind::kBatchMatMul, f32, make_batch_matmul_f32},
    {OpKind::kAdd, f32, make_add_f32},
    {OpKind::kSub, f32, make_sub_f32},
    {OpKind::kMul, f32, make_mul_f32},
    {OpKind::kMaximum, f32, make_maximum_f32},
    {OpKind::kMinimum, f32, make_minimum_f32},
    {OpKind::kDiv, f32, make_div_f32},
    {OpKind::kPow, f32, make_pow_f32},
    {OpKind::kAdd, static_cast<int>(DType::kI32), make_add_i32},
    {OpKind::kAdd, static_cast<int>(DType::kI64), make_add_i64},
    {OpKind::kSub, static_cast<int>(DType::kI32), make_sub_i32},
    {OpKind::kSub, static_cast<int>(DType::kI64), make_sub_i64},
    {OpKind::kMul, static_cast<int>(DType::kI32), make_mul_i32},
    {OpKind::kMul, static_cast<int>(DType::kI64), make_mul_i64},
    {OpKind::kDiv, static_cast<int>(DType::kI32), make_div_i32},
    {OpKind::kDiv, static_cast<int>(DType::kI64), make_div_i64},
    {OpKind::kMaximum, static_cast<int>(DType::kI32), make_maximum_i32},
    {OpKind::kMaximum, static_cast<int>(DType::kI64), make_maximum_i64},
    {OpKind::kMinimum, static_cast<int>(DType::kI32), make_minimum_i32},
    {OpKind::kMinimum, static_cast<int>(DType::kI64), make_minimum_i64},
    {OpKind::kRelu, f32, make_relu_f32},
    {OpKind::kRelu6, f32, make_relu6_f32},
    {OpKind::kLeakyRelu, f32, make_leaky_relu_f32},
    {OpKind::kPRelu, f32, make_prelu_f32},
    {OpKind::kHardSwish, f32, make_hard_swish_f32},
    {OpKind::kLogistic, f32, make_logistic_f32},
    {OpKind::kTanh, f32, make_tanh_f32},
    {OpKind::kRsqrt, f32, make_rsqrt_f32},
    {OpKind::kLog, f32, make_log_f32},
    {OpKind::kExp, f32, make_exp_f32},
    {OpKind::kSqrt, f32, make_sqrt_f32},
    {OpKind::kNeg, f32, make_neg_f32},
    {OpKind::kNeg, static_cast<int>(DType::kI32), make_neg_i32},
    {OpKind::kNeg, static_cast<int>(DType::kI64), make_neg_i64},
    {OpKind::kAbs, f32, make_abs_f32},
    {OpKind::kHardSigmoid, f32, make_hard_sigmoid_f32},
    {OpKind::kSin, f32, make_sin_f32},
    {OpKind::kCos, f32, make_cos_f32},
    {OpKind::kTan, f32, make_tan_f32},
    {OpKind::kAsin, f32, make_asin_f32},
    {OpKind::kAcos, f32, make_acos_f32},
    {OpKind::kAtan, f32, make_atan_f32},
    {OpKind::kSinh, f32, make_sinh_f32},
    {OpKind::kCosh, f32, make_cosh_f32},
    {OpKind::kAsinh, f32, make_asinh_f32},
    {OpKind::kAcosh, f32, make_acosh_f32},
    {OpKind::kAtanh, f32, make_atanh_f32},
    {OpKind::kFloor, f32, make_floor_f32},
    {OpKind::kCeil, f32, make_ceil_f32},
    {OpKind::kRound, f32, make_round_f32},
    {OpKind::kReciprocal, f32, make_reciprocal_f32},
    {OpKind::kSign, f32, make_sign_f32},
    {OpKind::kErf, f32, make_erf_f32},
    {OpKind::kSoftplus, f32, make_softplus_f32},
    {OpKind::kSoftsign, f32, make_softsign_f32},
    {OpKind::kElu, f32, make_elu_f32},
    {OpKind::kSelu, f32, make_selu_f32},
    {OpKind::kCelu, f32, make_celu_f32},
    {OpKind::kThresholdedRelu, f32, make_thresholded_relu_f32},
    {OpKind::kSoftmax, f32, make_softmax_f32},
    {OpKind::kLogSoftmax, f32, make_log_softmax_f32},
    {OpKind::kHardmax, f32, make_hardmax_f32},
    {OpKind::kLayerNorm, f32, make_layer_norm_f32},
    {OpKind::kArgMax, f32, make_arg_max_f32},
    {OpKind::kArgMin, f32, make_arg_min_f32},
    {OpKind::kEqual, kAny, make_equal},  // f32, i32, i64, bool: checked at prepare
    {OpKind::kNotEqual, kAny, make_not_equal},
    {OpKind::kLess, kAny, make_less},
    {OpKind::kLessEqual, kAny, make_less_equal},
    {OpKind::kGreater, kAny, make_greater},
    {OpKind::kGreaterEqual, kAny, make_greater_equal},
    {OpKind::kLogicalAnd, kAny, make_logical_and},  // bool
    {OpKind::kLogicalOr, kAny, make_logical_or},
    {OpKind::kLogicalXor, kAny, make_logical_xor},
    {OpKind::kLogicalNot, kAny, make_bool_unary},  // bool
    {OpKind::kIsNaN, f32, make_bool_unary},
    {OpKind::kIsInf, f32, make_bool_unary},
    {OpKind::kSelect, kAny, make_select},  // condition bool; x, y any
    {OpKind::kTrilu, kAny, make_trilu},
    {OpKind::kBroadcastTo, kAny, make_repeat},
    {OpKind::kTile, kAny, make_repeat},
    {OpKind::kTopK, f32, make_top_k_f32},
    {OpKind::kIf, kAny, make_if},  // any condition dtype
    {OpKind::kCast, kAny, make_cast},  // the shape rule checks both dtypes
    {OpKind::kLoop, kAny, make_loop},
    {OpKind::kWhile, kAny, make_while},
    {OpKind::kScan, kAny, make_scan},
    {OpKind::kCumSum, kAny, make_cumsum},  // f32, i32, i64: checked at prepare
    {OpKind::kOneHot, kAny, make_one_hot},  // indices f32, i32, i64; values any
    {OpKind::kEinsum, kAny, make_einsum},   // f32, i32, i64
    {OpKind::kSlice, kAny, make_slice},
    {OpKind::kLandmarksToTransformMatrix, f32, make_landmarks_to_transform_matrix},
    {OpKind::kTransformTensorBilinear, f32, make_transform_tensor_bilinear},
    {OpKind::kTransformLandmarks, f32, make_transform_landmarks},
    {OpKind::kLstm, f32, make_recurrent_f32},
    {OpKind::kGru, f32, make_recurrent_f32},
    {OpKind::kRnn, f32, make_recurrent_f32},
    {OpKind::kAveragePool2D, f32, make_average_pool2d_f32},
    {OpKind::kMaxPool2D, f32, make_max_pool2d_f32},
    {OpKind::kMaxPool2D, static_cast<int>(DType::kU8), make_max_pool2d_u8},
    {OpKind::kMean, f32, make_mean_f32},
    {OpKind::kReduceMax, f32, make_reduce_max_f32},
    {OpKind::kReduceSum, f32, make_reduce_sum_f32},
    {OpKind::kReduceMin, f32, make_reduce_min_f32},
    {OpKind::kReduceProd, f32, make_reduce_prod_f32},
    {OpKind::kReduceSumSquare, f32, make_reduce_sum_square_f32},
    {OpKind::kReduceL1, f32, make_reduce_l1_f32},
    {OpKind::kReduceL2, f32, make_reduce_l2_f32},
    {OpKind::kReduceLogSum, f32, make_reduce_log_sum_f32},
    {OpKind::kReduceLogSumExp, f32, make_reduce_log_sum_exp_f32},
    {OpKind::kResizeBilinear, f32, make_resize_bilinear_f32},
    {OpKind::kResize, f32, make_resize_f32},
    {OpKind::kDequantize, kAny, make_dequantize},
    {OpKind::kQuantize, f32, make_quantize},
    {OpKind::kPad, kAny, make_pad},
    {OpKind::kReshape, kAny, make_reshape},
    {OpKind::kSqueeze, kAny, make_squeeze},
    {OpKind::kExpandDims, kAny, make_expand_dims},
    {OpKind::kTranspose, kAny, make_transpose},
    {OpKind::kConcatenation, kAny, make_concatenation},
    {OpKind::kStridedSlice, kAny, make_strided_slice},
    {OpKind::kDepthToSpace, kAny, make_depth_to_space},
    {OpKind::kGather, kAny, make_gather},  // f32, i32, i64, i8, u8, ...
    {OpKind::kGatherElements, kAny, make_gather_elements},  // likewise
    {OpKind::kGatherNd, kAny, make_gather_nd},              // likewise
};

}  // namespace

KernelFactory find_kernel(const Graph& graph, const Node& node,
                          std::string* why_not) {
  if (node.op == OpKind::kUnknown) {
    if (why_not) *why_not = "op '" + node.type_name + "' is not implemented";
    return nullptr;
  }
  int dtype = kAny;
  if (!node.inputs.empty() && node.inputs[0] >= 0 &&
      node.inputs[0] < static_cast<int>(graph.tensors.size())) {
    dtype = static_cast<int>(graph.tensors[node.inputs[0]].dtype);
  }
  // int8 ops with TFLite's integer semantics have their own table
  // (register_int8_kernels.cc); what it lacks falls through to the
  // dtype-generic kernels below.
  if (dtype == static_cast<int>(DType::kI8)) {
    if (KernelFactory f = find_int8_kernel(node.op)) return f;
  }
  bool op_known = false;
  for (const Entry& e : kTable) {
    if (e.op != node.op) continue;
    op_known = true;
    if (e.dtype == kAny || e.dtype == dtype) return e.factory;
  }
  if (why_not) {
    *why_not = op_known ? std::string("no ") +
                              std::string(to_string(node.op)) +
                              " kernel for input dtype " +
                              std::string(to_string(static_cast<DType>(dtype)))
                        : std::string("op ") +
                              std::string(to_string(node.op)) +
                              " has no reference kernel";
  }
  return nullptr;
}

}  // namespace opscope::reference
