#include "engine/shape_inference.h"

#include <string>

#include "engine/kernel.h"
#include "engine/shapes/shape_rules.h"

namespace opscope {
namespace {

using Rule = Status (*)(PrepareContext&);

// One explicit row per OpKind (kUnknown has none: nothing knows its shapes).
Rule rule_for(OpKind op) {
  switch (op) {
    case OpKind::kConv2D: return shapes::conv2d;
    case OpKind::kDepthwiseConv2D: return shapes::depthwise_conv2d;
    case OpKind::kTransposeConv: return shapes::transpose_conv;
    case OpKind::kFullyConnected: return shapes::fully_connected;
    case OpKind::kBatchMatMul: return shapes::batch_matmul;
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kMaximum:
    case OpKind::kMinimum:
    case OpKind::kDiv:
    case OpKind::kPow:
    case OpKind::kPRelu: return shapes::binary;
    case OpKind::kRelu:
    case OpKind::kRelu6:
    case OpKind::kLeakyRelu:
    case OpKind::kHardSwish:
    case OpKind::kLogistic:
    case OpKind::kTanh:
    case OpKind::kRsqrt:
    case OpKind::kLog:
    case OpKind::kExp:
    case OpKind::kSqrt:
    case OpKind::kNeg:
    case OpKind::kAbs:
    case OpKind::kHardSigmoid:
    case OpKind::kSin:
    case OpKind::kCos:
    case OpKind::kTan:
    case OpKind::kAsin:
    case OpKind::kAcos:
    case OpKind::kAtan:
    case OpKind::kSinh:
    case OpKind::kCosh:
    case OpKind::kAsinh:
    case OpKind::kAcosh:
    case OpKind::kAtanh:
    case OpKind::kFloor:
    case OpKind::kCeil:
    case OpKind::kRound:
    case OpKind::kReciprocal:
    case OpKind::kSign:
    case OpKind::kErf:
    case OpKind::kSoftplus:
    case OpKind::kSoftsign:
    case OpKind::kElu:
    case OpKind::kSelu:
    case OpKind::kCelu:
    case OpKind::kThresholdedRelu:
    case OpKind::kSoftmax:
    case OpKind::kLogSoftmax:
    case OpKind::kHardmax:
    case OpKind::kDequantize:
    case OpKind::kQuantize: return shapes::same_as_input;
    case OpKind::kAveragePool2D:
    case OpKind::kMaxPool2D: return shapes::pool2d;
    case OpKind::kMean:
    case OpKind::kReduceSum:
    case OpKind::kReduceMin:
    case OpKind::kReduceProd:
    case OpKind::kReduceSumSquare:
    case OpKind::kReduceL1:
    case OpKind::kReduceL2:
    case OpKind::kReduceLogSum:
    case OpKind::kReduceLogSumExp:
    case OpKind::kReduceMax: return shapes::reduce;
    case OpKind::kLayerNorm: return shapes::layer_norm;
    case OpKind::kArgMax:
    case OpKind::kArgMin: return shapes::arg_reduce;
    case OpKind::kEqual:
    case OpKind::kNotEqual:
    case OpKind::kLess:
    case OpKind::kLessEqual:
    case OpKind::kGreater:
    case OpKind::kGreaterEqual:
    case OpKind::kLogicalAnd:
    case OpKind::kLogicalOr:
    case OpKind::kLogicalXor: return shapes::compare;
    case OpKind::kLogicalNot:
    case OpKind::kIsNaN:
    case OpKind::kIsInf: return shapes::bool_of_input;
    case OpKind::kCast: return shapes::cast;
    case OpKind::kSelect: return shapes::select;
    case OpKind::kTrilu: return shapes::trilu;
    case OpKind::kBroadcastTo:
    case OpKind::kTile: return shapes::repeat;
    case OpKind::kTopK: return shapes::top_k;
    case OpKind::kIf: return shapes::if_outputs;
    case OpKind::kLoop: return shapes::loop_outputs;
    case OpKind::kWhile: return shapes::while_outputs;
    case OpKind::kScan: return shapes::scan_outputs;
    case OpKind::kCumSum: return shapes::cumsum;
    case OpKind::kOneHot: return shapes::one_hot;
    case OpKind::kEinsum: return shapes::einsum;
    case OpKind::kSlice: return shapes::slice;
    case OpKind::kLandmarksToTransformMatrix: return shapes::landmarks_to_transform_matrix;
    case OpKind::kTransformTensorBilinear: return shapes::transform_tensor_bilinear;
    case OpKind::kTransformLandmarks: return shapes::transform_landmarks;
    case OpKind::kLstm:
    case OpKind::kGru:
    case OpKind::kRnn: return shapes::recurrent;
    case OpKind::kPad: return shapes::pad;
    case OpKind::kReshape: return shapes::reshape;
    case OpKind::kSqueeze: return shapes::squeeze;
    case OpKind::kExpandDims: return shapes::expand_dims;
    case OpKind::kTranspose: return shapes::transpose;
    case OpKind::kConcatenation: return shapes::concatenation;
    case OpKind::kStridedSlice: return shapes::strided_slice;
    case OpKind::kDepthToSpace: return shapes::depth_to_space;
    case OpKind::kResizeBilinear: return shapes::resize_bilinear;
    case OpKind::kResize: return shapes::resize;
    case OpKind::kGather: return shapes::gather;
    case OpKind::kGatherElements: return shapes::gather_elements;
    case OpKind::kGatherNd: return shapes::gather_nd;
    case OpKind::kUnknown: return nullptr;
  }
  return nullptr;
}

}  // namespace

Status infer_shapes(Graph& graph, int node_index) {
  PrepareContext ctx(graph, node_index);
  const Rule rule = rule_for(ctx.node().op);
  if (rule == nullptr) {
    return ctx.error(ErrorCode::kUnsupportedOp,
                     "op '" + ctx.node().type_name + "' has no shape rule");
  }
  if (ctx.num_outputs() < 1 || ctx.output_id(0) < 0) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "expects 1 output, has " + std::to_string(ctx.num_outputs()));
  }
  return rule(ctx);
}

}  // namespace opscope
