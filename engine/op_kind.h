// The operators of the engine's IR and their canonical form.
//
// Format readers translate their ops into these forms; kernels implement
// exactly these forms. Layouts follow TFLite: activations NHWC, convolution
// filters OHWI, depthwise filters 1HW(C*M), fully-connected weights [O, I].
// Inputs marked "const" must be constant tensors (checked in prepare).
// An optional input that is absent has tensor id -1.
#pragma once

#include <cstdint>
#include <string_view>

namespace opscope {

enum class OpKind : uint16_t {
  // (input, filter OHWI, bias[O]?) attrs Conv2DAttrs
  kConv2D,
  // (input, filter [1,KH,KW,C*M], bias[C*M]?) attrs DepthwiseConv2DAttrs
  kDepthwiseConv2D,
  // (input, filter OHWI, bias[O]?) attrs TransposeConvAttrs. Both TFLite's
  // TRANSPOSE_CONV and MediaPipe's Convolution2DTransposeBias map here.
  kTransposeConv,
  // (input [..., I], weights [O, I], bias[O]?) attrs FullyConnectedAttrs
  kFullyConnected,
  // (a [..., M, K], b [..., K, N]) attrs BatchMatMulAttrs; batch dims broadcast
  kBatchMatMul,
  // Binary elementwise with numpy broadcasting: (a, b) attrs ActivationAttrs
  kAdd,
  kSub,
  kMul,
  kMaximum,
  kMinimum,
  kDiv,  // IEEE division: x / 0 is inf or NaN
  kPow,  // std::pow: a negative base with a non-integer exponent is NaN
  // Unary elementwise: (x), no attrs unless stated.
  kRelu,
  kRelu6,
  kLeakyRelu,  // attrs LeakyReluAttrs
  kPRelu,      // (x, alpha) alpha broadcasts against x
  kHardSwish,
  kLogistic,
  kTanh,
  kRsqrt,
  kLog,
  kExp,
  kSqrt,
  kNeg,
  kAbs,
  kHardSigmoid,  // attrs HardSigmoidAttrs
  // std::sin ... std::atanh, std::floor, std::ceil, std::nearbyint (ties to
  // even: ONNX Round), 1/x, sign (0 and NaN map to themselves), std::erf,
  // softplus log(1 + e^x) and softsign x / (1 + |x|), in f32.
  kSin,
  kCos,
  kTan,
  kAsin,
  kAcos,
  kAtan,
  kSinh,
  kCosh,
  kAsinh,
  kAcosh,
  kAtanh,
  kFloor,
  kCeil,
  kRound,
  kReciprocal,
  kSign,
  kErf,
  kSoftplus,
  kSoftsign,
  // x >= 0 ? x : alpha (e^x - 1); gamma (x > 0 ? x : alpha (e^x - 1)); max(0, x)
  // + min(0, alpha (e^(x/alpha) - 1)); x > alpha ? x : 0. attrs UnaryParamsAttrs.
  kElu,
  kSelu,
  kCelu,
  kThresholdedRelu,
  // (x) over the last axis, attrs SoftmaxAttrs
  kSoftmax,
  // (x) over the last axis: x - max - log(sum e^(x - max)); and 1 at the
  // first largest element, 0 elsewhere (ONNX Hardmax).
  kLogSoftmax,
  kHardmax,
  // (x f32, scale, bias?) -> (y, mean?, inv_std_dev?) attrs LayerNormAttrs:
  // over the dims [axis, rank) of x, y = (x - mean) / sqrt(var + epsilon)
  // * scale + bias (ONNX LayerNormalization); scale and bias hold one value
  // or one per normalized element; mean and inv_std_dev have x's dims
  // before axis and 1 after.
  kLayerNorm,
  // (input NHWC) attrs Pool2DAttrs
  kAveragePool2D,
  kMaxPool2D,
  // (input, axes i32 const) attrs ReduceAttrs
  kMean,
  kReduceMax,
  // The same form: sum, min, product, sum of squares, sum of |x|, sqrt of
  // the sum of squares, log of the sum, log of the sum of e^x (ONNX's
  // Reduce*). Over no elements: 0, +inf, 1, 0, 0, 0, -inf, -inf.
  kReduceSum,
  kReduceMin,
  kReduceProd,
  kReduceSumSquare,
  kReduceL1,
  kReduceL2,
  kReduceLogSum,
  kReduceLogSumExp,
  // (x f32) -> i64 attrs ArgAttrs: the index of the largest / smallest
  // element along the axis (NaN never compares larger or smaller).
  kArgMax,
  kArgMin,
  // Comparisons with numpy broadcasting: (a, b) of one dtype (f32, i32 or
  // i64; EQUAL and NOT_EQUAL also bool) -> bool. NaN compares unequal.
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  // (a bool, b bool) -> bool with numpy broadcasting; (x bool) -> bool.
  kLogicalAnd,
  kLogicalOr,
  kLogicalXor,
  kLogicalNot,
  // (x f32) -> bool: x is NaN; x is +inf or -inf as IsInfAttrs allows.
  kIsNaN,
  kIsInf,
  // (x f32/i32/i64/bool) -> the same values as CastAttrs::to (f32, i32, i64
  // or bool): float to integer truncates toward zero and saturates, NaN
  // becomes 0; anything non-zero becomes true (ONNX Cast, TFLite CAST, at
  // run time; a constant operand is folded by the importer).
  kCast,
  // (condition bool, x, y) -> x where condition else y; the three operands
  // broadcast together (numpy, TFLite's SELECT_V2, ONNX Where); x and y
  // share a dtype, any.
  kSelect,
  // (x, any dtype, rank >= 2) attrs TriluAttrs: over the last two dims (i
  // row, j column), keeps x where j - i >= k (upper) or j - i <= k (lower),
  // 0 elsewhere (ONNX Trilu).
  kTrilu,
  // (input any dtype, shape i32/i64 const): input broadcast (numpy) with
  // shape (ONNX Expand, TFLite BROADCAST_TO).
  kBroadcastTo,
  // (input any dtype, multiples i32/i64 const, one per dim): the input
  // repeated multiples[d] times along each dim d (TILE).
  kTile,
  // (x f32, k i32/i64 const, one value) -> (values f32, indices) attrs
  // TopKAttrs: the k largest (or smallest) elements along the axis, in
  // order, ties by the lower index (ONNX TopK, TFLite TOPK_V2).
  kTopK,
  // (condition, one element of any dtype; captured inputs...) -> outputs,
  // attrs IfAttrs: runs then_branch when the condition's bytes are not all
  // zero, else else_branch, on the captured inputs (each branch's graph
  // inputs, in order); both branches' outputs have the If's shapes and
  // dtypes (checked at prepare).
  kIf,
  // (max trip count i64 one element?, condition bool one element?,
  //  carried values..., captured inputs...) -> (carried values...,
  //  scan outputs...), attrs LoopAttrs: runs the body while the iteration
  //  number is below the trip count and the condition holds (an absent
  //  input does not limit); each run's carried outputs are the next run's
  //  carried inputs, and its scan values are stacked along a new first
  //  axis, whose length is the trip count: a loop with scan outputs needs
  //  a constant trip count and fails at run time if it stops early (ONNX
  //  Loop).
  kLoop,
  // (loop variables...) -> (loop variables...), attrs WhileAttrs: runs
  // cond on the variables and, while its one bool output is true, body,
  // whose outputs are the next variables; each keeps its shape and dtype
  // (TFLite WHILE).
  kWhile,
  // (states..., scan inputs..., captured inputs...) -> (states..., scan
  // outputs...), attrs
  // ScanAttrs: runs the body once per position along each scan input's
  // scan axis (all the same length; a reverse direction walks from the
  // end), on the states and that position's slices; the body's states are
  // the next run's; its scan slices are stacked along each scan output's
  // axis (ONNX Scan, opset 9 on).
  kScan,
  // (x f32/i32/i64, axis i32/i64 one value, constant or computed at run
  // time) attrs CumSumAttrs: running sums along the axis (negative counts
  // from the end); exclusive leaves each element out of its own sum,
  // reverse sums from the end (ONNX CumSum, TFLite CUMSUM). A run-time axis
  // out of range fails the invoke, naming the node.
  kCumSum,
  // (indices f32/i32/i64, depth f32/i32/i64 const one value, values [2] =
  // [off, on] any dtype) or, TFLite's form, (indices, depth, on [], off [])
  // attrs OneHotAttrs -> values' dtype, indices' shape with depth inserted
  // at the axis: on where the index (cast to int64, truncating) equals the
  // position along the axis, off elsewhere. Indices in [-depth, 0) count
  // from the end when OneHotAttrs::negative_wraps (ONNX); any other index
  // outside [0, depth) gives a line of off (ONNX OneHot, TFLite ONE_HOT).
  kOneHot,
  // (operands..., each f32, i32 or i64, one dtype) attrs EinsumAttrs:
  // Einstein summation as the equation says (ONNX Einsum, numpy's
  // einsum): explicit "ij,jk->ik" or implicit output (labels used once,
  // in alphabetical order, after the ellipsis dims), a label repeated in
  // one operand takes its diagonal, "..." broadcasts (numpy rules), every
  // label not in the output is summed. A label's dims must be equal.
  kEinsum,
  // MediaPipe's landmark-crop ops (TFLite custom ops, version 2; their
  // semantics are MediaPipe's CPU kernels, mediapipe/util/tflite/operations).
  // A 4x4 transform matrix M maps a crop's pixel (x, y) to the source's:
  // (x, y, 0, 1) -> (M[0]·v, M[1]·v); rows 2 and 3 are identity.
  //
  // (landmarks f32 [1, N, 3]) attrs LandmarksToMatrixAttrs -> f32 [1, 4, 4]:
  // the matrix of a crop of output_width x output_height around the subset
  // landmarks' (x, y), rotated so the line from the left to the right
  // rotation landmark lies at target_rotation_radians, and scaled by
  // scale_x/scale_y about the subset's bounding box in that rotated frame
  // ("Landmarks2TransformMatrix").
  kLandmarksToTransformMatrix,
  // (data f32 [1, H, W, C], matrix f32 [1, 4, 4]) attrs TransformTensorAttrs
  // -> f32 [1, out_h, out_w, C]: each output pixel samples data bilinearly at
  // M applied to its coordinates (pixel centres, "align corners" as v2
  // corrects it); a point outside [0, W-1] x [0, H-1] gives 0
  // ("TransformTensorBilinear").
  kTransformTensorBilinear,
  // (landmarks f32 [1, N, 2 or 3], matrix f32 [1, 4, 4]) -> landmarks'
  // shape: (x, y) -> (M[0]·(x, y, 0, 1), M[1]·(x, y, 0, 1)), z kept
  // ("TransformLandmarks").
  kTransformLandmarks,
  // Recurrent layers, ONNX's forms, f32, attrs RecurrentAttrs:
  // (X [seq, batch, in], W [dirs, G*H, in], R [dirs, G*H, H],
  //  B [dirs, 2*G*H]?, sequence_lens i32 [batch]?, initial_h [dirs, batch, H]?,
  //  LSTM only: initial_c [dirs, batch, H]?, P [dirs, 3H]?)
  // -> (Y [seq, dirs, batch, H], Y_h [dirs, batch, H], LSTM: Y_c [dirs, batch, H]);
  // batch_first: X [batch, seq, in], Y [batch, seq, dirs, H], Y_h/Y_c
  // [batch, dirs, H]. Gates G: LSTM 4 (i, o, f, c), GRU 3 (z, r, h), RNN 1.
  // Steps past a batch entry's sequence length leave Y 0 and its state as
  // it was.
  kLstm,
  kGru,
  kRnn,
  // (input, paddings i32/i64 [rank,2] const, constant_value?) attrs
  // PadAttrs (constant, reflect, symmetric or edge; no attrs: constant).
  // Constant mode pads with constant_value, else zero.
  kPad,
  // (input, shape?) attrs ReshapeAttrs (the reader resolves the new shape)
  kReshape,
  kSqueeze,     // (input) attrs SqueezeAttrs
  kExpandDims,  // (input, axis i32 const)
  kTranspose,   // (input, perm i32 const)
  kConcatenation,  // (inputs...) attrs ConcatenationAttrs
  kStridedSlice,   // (input, begin, end, strides) all const, StridedSliceAttrs
  // (data any dtype, starts, ends, axes?, steps? each i32/i64 [k]) ONNX's
  // Slice: along each listed axis (default 0..k-1; negative counts from the
  // end) take start, start+step, ... before end, start and end clamped as
  // ONNX says (negative ones count from the end; steps may be negative, not
  // 0). Any of the four may be computed at run time (value_operands.h): the
  // kernel reads them every run and fails with kShapeChanged only when they
  // give another output shape than planned.
  kSlice,
  kDepthToSpace,   // (input NHWC) attrs DepthToSpaceAttrs
  kResizeBilinear,  // (input NHWC, size i32[2] const) attrs ResizeAttrs
  // (input f32, rank 1-4) attrs ResizeNdAttrs: ONNX Resize semantics
  // (nearest/linear/cubic, every coordinate transform) on any axis; the
  // output shape is fixed in the attrs at load.
  kResize,
  // (params, indices i32/i64) attrs GatherAttrs, TFLite's GATHER: output
  // shape params[:axis] + indices.shape[batch_dims:] + params[axis+1:].
  // Negative indices count from the end (ONNX; TFLite has none). An index
  // out of range fails prepare when the indices are constant, else invoke.
  kGather,
  // (data, indices i32/i64 of data's rank) attrs GatherElementsAttrs, ONNX's
  // GatherElements: output shape = indices shape, and
  //   out[i_0, ..., i_{r-1}] = data[i_0, ..., idx[i_0, ..., i_{r-1}], ...]
  // with the index in place of i_axis. Off the axis, indices dims must not
  // exceed data's.
  kGatherElements,
  // (data, indices i32/i64 [..., m]) attrs GatherNdAttrs, TFLite's GATHER_ND
  // with ONNX's batch_dims b: each m-tuple of the last indices dim picks a
  // slice data[batch..., t_0, ..., t_{m-1}, :]. Output shape
  // indices.shape[:-1] + data.shape[b + m:].
  // Both ops: negative indices count from the end; an index out of range
  // fails prepare when the indices are constant, else invoke (as GATHER).
  kGatherNd,
  kDequantize,     // (x: f16 or quantized) -> f32
  kQuantize,       // (x: f32) -> quantized per the output's quantization
  // An op the engine does not know; Node::type_name says which.
  kUnknown,
};

// Canonical upper-case name, e.g. "CONV_2D".
std::string_view to_string(OpKind kind);

}  // namespace opscope
