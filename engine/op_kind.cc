#include "engine/op_kind.h"

namespace opscope {

std::string_view to_string(OpKind kind) {
  switch (kind) {
    case OpKind::kConv2D: return "CONV_2D";
    case OpKind::kDepthwiseConv2D: return "DEPTHWISE_CONV_2D";
    case OpKind::kTransposeConv: return "TRANSPOSE_CONV";
    case OpKind::kFullyConnected: return "FULLY_CONNECTED";
    case OpKind::kBatchMatMul: return "BATCH_MATMUL";
    case OpKind::kAdd: return "ADD";
    case OpKind::kSub: return "SUB";
    case OpKind::kMul: return "MUL";
    case OpKind::kMaximum: return "MAXIMUM";
    case OpKind::kMinimum: return "MINIMUM";
    case OpKind::kDiv: return "DIV";
    case OpKind::kPow: return "POW";
    case OpKind::kRelu: return "RELU";
    case OpKind::kRelu6: return "RELU6";
    case OpKind::kLeakyRelu: return "LEAKY_RELU";
    case OpKind::kPRelu: return "PRELU";
    case OpKind::kHardSwish: return "HARD_SWISH";
    case OpKind::kLogistic: return "LOGISTIC";
    case OpKind::kTanh: return "TANH";
    case OpKind::kRsqrt: return "RSQRT";
    case OpKind::kLog: return "LOG";
    case OpKind::kExp: return "EXP";
    case OpKind::kSqrt: return "SQRT";
    case OpKind::kNeg: return "NEG";
    case OpKind::kAbs: return "ABS";
    case OpKind::kHardSigmoid: return "HARD_SIGMOID";
    case OpKind::kSin: return "SIN";
    case OpKind::kCos: return "COS";
    case OpKind::kTan: return "TAN";
    case OpKind::kAsin: return "ASIN";
    case OpKind::kAcos: return "ACOS";
    case OpKind::kAtan: return "ATAN";
    case OpKind::kSinh: return "SINH";
    case OpKind::kCosh: return "COSH";
    case OpKind::kAsinh: return "ASINH";
    case OpKind::kAcosh: return "ACOSH";
    case OpKind::kAtanh: return "ATANH";
    case OpKind::kFloor: return "FLOOR";
    case OpKind::kCeil: return "CEIL";
    case OpKind::kRound: return "ROUND";
    case OpKind::kReciprocal: return "RECIPROCAL";
    case OpKind::kSign: return "SIGN";
    case OpKind::kErf: return "ERF";
    case OpKind::kSoftplus: return "SOFTPLUS";
    case OpKind::kSoftsign: return "SOFTSIGN";
    case OpKind::kElu: return "ELU";
    case OpKind::kSelu: return "SELU";
    case OpKind::kCelu: return "CELU";
    case OpKind::kThresholdedRelu: return "THRESHOLDED_RELU";
    case OpKind::kSoftmax: return "SOFTMAX";
    case OpKind::kLogSoftmax: return "LOG_SOFTMAX";
    case OpKind::kHardmax: return "HARDMAX";
    case OpKind::kLayerNorm: return "LAYER_NORM";
    case OpKind::kArgMax: return "ARG_MAX";
    case OpKind::kArgMin: return "ARG_MIN";
    case OpKind::kAveragePool2D: return "AVERAGE_POOL_2D";
    case OpKind::kMaxPool2D: return "MAX_POOL_2D";
    case OpKind::kMean: return "MEAN";
    case OpKind::kReduceMax: return "REDUCE_MAX";
    case OpKind::kReduceSum: return "REDUCE_SUM";
    case OpKind::kReduceMin: return "REDUCE_MIN";
    case OpKind::kReduceProd: return "REDUCE_PROD";
    case OpKind::kReduceSumSquare: return "REDUCE_SUM_SQUARE";
    case OpKind::kReduceL1: return "REDUCE_L1";
    case OpKind::kReduceL2: return "REDUCE_L2";
    case OpKind::kReduceLogSum: return "REDUCE_LOG_SUM";
    case OpKind::kReduceLogSumExp: return "REDUCE_LOG_SUM_EXP";
    case OpKind::kPad: return "PAD";
    case OpKind::kReshape: return "RESHAPE";
    case OpKind::kSqueeze: return "SQUEEZE";
    case OpKind::kExpandDims: return "EXPAND_DIMS";
    case OpKind::kTranspose: return "TRANSPOSE";
    case OpKind::kConcatenation: return "CONCATENATION";
    case OpKind::kStridedSlice: return "STRIDED_SLICE";
    case OpKind::kDepthToSpace: return "DEPTH_TO_SPACE";
    case OpKind::kResizeBilinear: return "RESIZE_BILINEAR";
    case OpKind::kResize: return "RESIZE";
    case OpKind::kGather: return "GATHER";
    case OpKind::kGatherElements: return "GATHER_ELEMENTS";
    case OpKind::kGatherNd: return "GATHER_ND";
    case OpKind::kDequantize: return "DEQUANTIZE";
    case OpKind::kQuantize: return "QUANTIZE";
    case OpKind::kUnknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

}  // namespace opscope
