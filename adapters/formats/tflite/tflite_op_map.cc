// Builtin TFLite operators -> canonical nodes (engine/op_kind.h).
#include "adapters/formats/tflite/tflite_op_map.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace opscope::tflite {

namespace {

using fb::BuiltinOperator;

// An empty FlatBuffers table: its vtable (the first 4 bytes) lists no
// fields, so any table type read through it returns the schema defaults.
// An operator without its options table reads like one with all defaults,
// as TFLite does.
alignas(8) constexpr uint8_t kEmptyTable[8] = {4, 0, 4, 0, 4, 0, 0, 0};

template <typename T>
const T& options_or_defaults(const T* options) {
  return options != nullptr
             ? *options
             : *reinterpret_cast<const T*>(kEmptyTable + 4);
}

Result<Activation> map_activation(const Node& node,
                                  fb::ActivationFunctionType a) {
  switch (a) {
    case fb::ActivationFunctionType::NONE: return Activation::kNone;
    case fb::ActivationFunctionType::RELU: return Activation::kRelu;
    case fb::ActivationFunctionType::RELU_N1_TO_1:
      return Activation::kReluN1To1;
    case fb::ActivationFunctionType::RELU6: return Activation::kRelu6;
    case fb::ActivationFunctionType::TANH: return Activation::kTanh;
    default: break;
  }
  const char* name = fb::EnumNameActivationFunctionType(a);
  return node_error(node, ErrorCode::kUnsupportedOp,
                    std::string("fused activation ") +
                        (name && name[0] ? name
                                         : std::to_string(static_cast<int>(a))) +
                        " is not supported");
}

Result<Padding> map_padding(const Node& node, fb::Padding p) {
  switch (p) {
    case fb::Padding::SAME: return Padding::kSame;
    case fb::Padding::VALID: return Padding::kValid;
    default: break;
  }
  return node_error(node, ErrorCode::kMalformedModel,
                    "padding " + std::to_string(static_cast<int>(p)) +
                        " is neither SAME (0) nor VALID (1)");
}

Status check_at_least_one(const Node& node, const char* what, int h, int w) {
  if (h >= 1 && w >= 1) return Status::ok();
  return node_error(node, ErrorCode::kInvalidGraph,
                    std::string(what) + " " + std::to_string(h) + "x" +
                        std::to_string(w) + " (h x w) must be at least 1");
}

// Absent optional inputs become explicit -1 up to `count`, so kernels see
// one fixed arity.
void pad_inputs(Node& node, size_t count) {
  while (node.inputs.size() < count) node.inputs.push_back(-1);
}

// (input, filter or weights, bias?): 2 or 3 inputs, padded to 3.
Status check_linear_inputs(Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 2, 3));
  pad_inputs(node, 3);
  return Status::ok();
}

// The padding, fused activation and strides of a windowed op's options
// (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, the 2D pools) into `a`; the
// strides must be at least 1.
template <typename Options, typename Attrs>
Status map_window(const Node& node, const Options& o, Attrs& a) {
  OPSCOPE_ASSIGN_OR_RETURN(a.padding, map_padding(node, o.padding()));
  OPSCOPE_ASSIGN_OR_RETURN(a.activation,
                           map_activation(node, o.fused_activation_function()));
  a.stride_h = o.stride_h();
  a.stride_w = o.stride_w();
  return check_at_least_one(node, "stride", a.stride_h, a.stride_w);
}

// map_window() and the dilations of CONV_2D and DEPTHWISE_CONV_2D, which
// must be at least 1 too.
template <typename Options, typename Attrs>
Status map_dilated_window(const Node& node, const Options& o, Attrs& a) {
  OPSCOPE_RETURN_IF_ERROR(map_window(node, o, a));
  a.dilation_h = o.dilation_h_factor();
  a.dilation_w = o.dilation_w_factor();
  return check_at_least_one(node, "dilation", a.dilation_h, a.dilation_w);
}

// The last step of a translation: the node becomes `kind` with `attrs`.
Status set_op(Node& node, OpKind kind, Attributes attrs) {
  node.op = kind;
  node.attrs = std::move(attrs);
  return Status::ok();
}

const Shape* shape_of(const Graph& graph, int id) {
  if (id < 0 || id >= static_cast<int>(graph.tensors.size())) return nullptr;
  return &graph.tensors[id].shape;
}

// Normalizes a possibly negative axis against `rank`.
Result<int> normalize_axis(const Node& node, int axis, int rank,
                           const char* what) {
  const int normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank) {
    return node_error(node, ErrorCode::kInvalidGraph,
                      std::string(what) + " " + std::to_string(axis) +
                          " is outside rank " + std::to_string(rank));
  }
  return normalized;
}

Status conv_2d(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_linear_inputs(node));
  const auto& o = options_or_defaults(c.op.builtin_options_as_Conv2DOptions());
  Conv2DAttrs a;
  OPSCOPE_RETURN_IF_ERROR(map_dilated_window(node, o, a));
  return set_op(node, OpKind::kConv2D, a);
}

Status depthwise_conv_2d(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_linear_inputs(node));
  const auto& o =
      options_or_defaults(c.op.builtin_options_as_DepthwiseConv2DOptions());
  DepthwiseConv2DAttrs a;
  OPSCOPE_RETURN_IF_ERROR(map_dilated_window(node, o, a));
  // Converters do not always keep depth_multiplier in step with the
  // shapes (TFLite itself derives it); prefer the shapes when they tell.
  a.depth_multiplier = o.depth_multiplier() >= 1 ? o.depth_multiplier() : 1;
  const Shape* in = shape_of(*c.ctx.graph, node.inputs[0]);
  const Shape* filter = shape_of(*c.ctx.graph, node.inputs[1]);
  if (in && filter && in->size() == 4 && filter->size() == 4 &&
      (*in)[3] > 0 && (*filter)[3] % (*in)[3] == 0 &&
      (*filter)[3] / (*in)[3] >= 1) {
    a.depth_multiplier = static_cast<int>((*filter)[3] / (*in)[3]);
  }
  return set_op(node, OpKind::kDepthwiseConv2D, a);
}

// TFLite's TRANSPOSE_CONV takes (output_shape, weights, input, bias?);
// the canonical form is (input, filter, bias?) with the shape in attrs.
Status transpose_conv(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 3, 4));
  const auto& o =
      options_or_defaults(c.op.builtin_options_as_TransposeConvOptions());
  TransposeConvAttrs a;
  OPSCOPE_RETURN_IF_ERROR(map_window(node, o, a));
  const Graph& graph = *c.ctx.graph;
  if (!constant_ints(graph, node.inputs[0], a.output_shape)) {
    // A computed output_shape: the engine plans static shapes, and the
    // file states the output's shape, which is the same thing.
    a.output_shape = graph.tensors[node.outputs[0]].shape;
  }
  const int bias = node.inputs.size() > 3 ? node.inputs[3] : -1;
  node.inputs = {node.inputs[2], node.inputs[1], bias};
  return set_op(node, OpKind::kTransposeConv, a);
}

Status fully_connected(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_linear_inputs(node));
  const auto& o =
      options_or_defaults(c.op.builtin_options_as_FullyConnectedOptions());
  if (o.weights_format() != fb::FullyConnectedOptionsWeightsFormat::DEFAULT) {
    // Shuffled int8 weights are a layout the engine does not implement.
    node.type_name += " (shuffled weights)";
    node.op = OpKind::kUnknown;
    return Status::ok();
  }
  FullyConnectedAttrs a;
  OPSCOPE_ASSIGN_OR_RETURN(a.activation,
                           map_activation(node, o.fused_activation_function()));
  a.keep_num_dims = o.keep_num_dims();
  return set_op(node, OpKind::kFullyConnected, a);
}

Status batch_matmul(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 2, 2));
  const auto& o =
      options_or_defaults(c.op.builtin_options_as_BatchMatMulOptions());
  return set_op(node, OpKind::kBatchMatMul,
                BatchMatMulAttrs{o.adj_x(), o.adj_y()});
}

template <typename Options>
Status binary(const Options* options, OpKind kind, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 2, 2));
  ActivationAttrs a;
  if (options != nullptr) {
    OPSCOPE_ASSIGN_OR_RETURN(
        a.activation, map_activation(node, options->fused_activation_function()));
  }
  return set_op(node, kind, a);
}

Status binary_no_options(OpKind kind, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 2, 2));
  return set_op(node, kind, ActivationAttrs{});
}

// An op without options or attributes: only the arity is checked.
Status plain_op(OpKind kind, int min_inputs, int max_inputs, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, min_inputs, max_inputs));
  node.op = kind;
  return Status::ok();
}

Status unary(OpKind kind, Node& node) { return plain_op(kind, 1, 1, node); }

Status pool_2d(const OpContext& c, OpKind kind, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 1, 1));
  const auto& o = options_or_defaults(c.op.builtin_options_as_Pool2DOptions());
  Pool2DAttrs a;
  OPSCOPE_RETURN_IF_ERROR(map_window(node, o, a));
  a.filter_h = o.filter_height();
  a.filter_w = o.filter_width();
  OPSCOPE_RETURN_IF_ERROR(
      check_at_least_one(node, "filter", a.filter_h, a.filter_w));
  return set_op(node, kind, a);
}

Status reduce(const OpContext& c, OpKind kind, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 2, 2));
  const auto& o = options_or_defaults(c.op.builtin_options_as_ReducerOptions());
  return set_op(node, kind, ReduceAttrs{o.keep_dims()});
}

// The new shape comes from the constant shape input when there is one,
// else from ReshapeOptions, else from the output tensor's static shape.
Status reshape(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 1, 2));
  const Graph& graph = *c.ctx.graph;
  ReshapeAttrs a;
  const int shape_input = node.inputs.size() > 1 ? node.inputs[1] : -1;
  const Shape* shape_tensor = shape_of(graph, shape_input);
  const auto* options = c.op.builtin_options_as_ReshapeOptions();
  if (shape_tensor != nullptr && shape_tensor->size() == 1 &&
      constant_ints(graph, shape_input, a.new_shape)) {
    // From the shape input.
  } else if (options != nullptr && options->new_shape() != nullptr &&
             options->new_shape()->size() > 0) {
    a.new_shape.assign(options->new_shape()->begin(),
                       options->new_shape()->end());
  } else {
    a.new_shape = graph.tensors[node.outputs[0]].shape;
  }
  int unknown = 0;
  for (int64_t d : a.new_shape) {
    if (d < -1) {
      return node_error(node, ErrorCode::kInvalidGraph,
                        "new shape has dimension " + std::to_string(d));
    }
    unknown += d == -1;
  }
  if (unknown > 1) {
    return node_error(node, ErrorCode::kInvalidGraph,
                      "new shape has more than one -1 dimension");
  }
  return set_op(node, OpKind::kReshape, std::move(a));
}

Status squeeze(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 1, 1));
  SqueezeAttrs a;
  const auto* o = c.op.builtin_options_as_SqueezeOptions();
  const int rank =
      static_cast<int>(c.ctx.graph->tensors[node.inputs[0]].shape.size());
  if (o != nullptr && o->squeeze_dims() != nullptr) {
    for (int32_t axis : *o->squeeze_dims()) {
      OPSCOPE_ASSIGN_OR_RETURN(int normalized,
                               normalize_axis(node, axis, rank, "squeeze axis"));
      a.axes.push_back(normalized);
    }
  }
  return set_op(node, OpKind::kSqueeze, std::move(a));
}

Status concatenation(const OpContext& c, Node& node) {
  const int num_inputs = static_cast<int>(node.inputs.size());
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 1, num_inputs > 0 ? num_inputs : 1));
  const auto& o =
      options_or_defaults(c.op.builtin_options_as_ConcatenationOptions());
  ConcatenationAttrs a;
  OPSCOPE_ASSIGN_OR_RETURN(a.activation,
                           map_activation(node, o.fused_activation_function()));
  const int rank =
      static_cast<int>(c.ctx.graph->tensors[node.outputs[0]].shape.size());
  OPSCOPE_ASSIGN_OR_RETURN(a.axis,
                           normalize_axis(node, o.axis(), rank, "axis"));
  return set_op(node, OpKind::kConcatenation, a);
}

Status strided_slice(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 4, 4));
  const auto& o =
      options_or_defaults(c.op.builtin_options_as_StridedSliceOptions());
  StridedSliceAttrs a;
  a.begin_mask = o.begin_mask();
  a.end_mask = o.end_mask();
  a.ellipsis_mask = o.ellipsis_mask();
  a.new_axis_mask = o.new_axis_mask();
  a.shrink_axis_mask = o.shrink_axis_mask();
  a.offset = o.offset();
  return set_op(node, OpKind::kStridedSlice, a);
}

Status depth_to_space(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 1, 1));
  const auto& o =
      options_or_defaults(c.op.builtin_options_as_DepthToSpaceOptions());
  if (o.block_size() < 1) {
    return node_error(node, ErrorCode::kInvalidGraph,
                      "block size " + std::to_string(o.block_size()) +
                          " must be at least 1");
  }
  return set_op(node, OpKind::kDepthToSpace, DepthToSpaceAttrs{o.block_size()});
}

Status resize_bilinear(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 2, 2));
  const auto& o =
      options_or_defaults(c.op.builtin_options_as_ResizeBilinearOptions());
  return set_op(node, OpKind::kResizeBilinear,
                ResizeAttrs{o.align_corners(), o.half_pixel_centers()});
}

// (params, indices); TFLite's negative axis and batch_dims are kept as
// they are: the kernel normalizes them against the final shapes.
Status gather(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 2, 2));
  const auto& o = options_or_defaults(c.op.builtin_options_as_GatherOptions());
  return set_op(node, OpKind::kGather, GatherAttrs{o.axis(), o.batch_dims()});
}

// MIRROR_PAD (input, paddings): PAD with the mode taken from its options.
Status mirror_pad(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 2, 2));
  const auto& o = options_or_defaults(c.op.builtin_options_as_MirrorPadOptions());
  switch (o.mode()) {
    case fb::MirrorPadMode::REFLECT: return set_op(node, OpKind::kPad, PadAttrs{PadMode::kReflect});
    case fb::MirrorPadMode::SYMMETRIC:
      return set_op(node, OpKind::kPad, PadAttrs{PadMode::kSymmetric});
    default: break;
  }
  return node_error(node, ErrorCode::kMalformedModel,
                    "MIRROR_PAD mode " + std::to_string(static_cast<int>(o.mode())) +
                        " is neither REFLECT (0) nor SYMMETRIC (1)");
}

// CUMSUM (input, axis): the axis input as the kernel reads it, constant
// or not.
Status cumsum(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 2, 2));
  const auto& o = options_or_defaults(c.op.builtin_options_as_CumsumOptions());
  return set_op(node, OpKind::kCumSum, CumSumAttrs{o.exclusive(), o.reverse()});
}

// ONE_HOT (indices, depth, on_value, off_value): ONE_HOT's four-input form;
// an index outside [0, depth), negative ones included, gives a line of off.
Status one_hot(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 4, 4));
  const auto& o = options_or_defaults(c.op.builtin_options_as_OneHotOptions());
  return set_op(node, OpKind::kOneHot, OneHotAttrs{o.axis(), false});
}

Status leaky_relu(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 1, 1));
  const auto& o =
      options_or_defaults(c.op.builtin_options_as_LeakyReluOptions());
  return set_op(node, OpKind::kLeakyRelu, LeakyReluAttrs{o.alpha()});
}

Status softmax(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 1, 1));
  const auto& o = options_or_defaults(c.op.builtin_options_as_SoftmaxOptions());
  return set_op(node, OpKind::kSoftmax, SoftmaxAttrs{o.beta()});
}

}  // namespace

std::string node_label(const Node& node) {
  std::string s = "node " + std::to_string(node.source_index);
  if (!node.name.empty()) s += " '" + node.name + "'";
  s += " (" + node.type_name + ")";
  return s;
}

Status node_error(const Node& node, ErrorCode code, const std::string& what) {
  return Status(code, node_label(node) + ": " + what);
}

Status check_arity(const Node& node, int min_inputs, int max_inputs) {
  const int n = static_cast<int>(node.inputs.size());
  if (n < min_inputs || n > max_inputs) {
    std::string expected = std::to_string(min_inputs);
    if (max_inputs != min_inputs) expected += " to " + std::to_string(max_inputs);
    return node_error(node, ErrorCode::kInvalidGraph,
                      "has " + std::to_string(n) + " inputs, expected " +
                          expected);
  }
  for (int k = 0; k < min_inputs; ++k) {
    if (node.inputs[k] < 0) {
      return node_error(node, ErrorCode::kInvalidGraph,
                        "required input " + std::to_string(k) + " is absent");
    }
  }
  if (node.outputs.size() != 1) {
    return node_error(node, ErrorCode::kInvalidGraph,
                      "has " + std::to_string(node.outputs.size()) +
                          " outputs, expected 1");
  }
  return Status::ok();
}

bool constant_ints(const Graph& graph, int id, std::vector<int64_t>& out) {
  if (id < 0 || id >= static_cast<int>(graph.tensors.size())) return false;
  const Tensor& t = graph.tensors[id];
  if (!t.is_constant() || t.shape.size() > 1) return false;
  if (t.dtype != DType::kI32 && t.dtype != DType::kI64) return false;
  const size_t count = static_cast<size_t>(t.elements());
  const size_t width = dtype_size(t.dtype);
  if (t.data == nullptr || t.data_bytes < count * width) return false;
  out.clear();
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    // memcpy: the reader does not rely on the data's alignment here.
    if (t.dtype == DType::kI32) {
      int32_t v;
      std::memcpy(&v, t.data + i * width, width);
      out.push_back(v);
    } else {
      int64_t v;
      std::memcpy(&v, t.data + i * width, width);
      out.push_back(v);
    }
  }
  return true;
}

Status translate_builtin(const OpContext& c, Node& node) {
  const fb::Operator& op = c.op;
  switch (static_cast<BuiltinOperator>(c.builtin_code)) {
    case BuiltinOperator::CONV_2D: return conv_2d(c, node);
    case BuiltinOperator::DEPTHWISE_CONV_2D: return depthwise_conv_2d(c, node);
    case BuiltinOperator::TRANSPOSE_CONV: return transpose_conv(c, node);
    case BuiltinOperator::FULLY_CONNECTED: return fully_connected(c, node);
    case BuiltinOperator::BATCH_MATMUL: return batch_matmul(c, node);
    case BuiltinOperator::ADD:
      return binary(op.builtin_options_as_AddOptions(), OpKind::kAdd,
                    node);
    case BuiltinOperator::SUB:
      return binary(op.builtin_options_as_SubOptions(), OpKind::kSub,
                    node);
    case BuiltinOperator::MUL:
      return binary(op.builtin_options_as_MulOptions(), OpKind::kMul,
                    node);
    case BuiltinOperator::MAXIMUM:
      return binary_no_options(OpKind::kMaximum, node);
    case BuiltinOperator::MINIMUM:
      return binary_no_options(OpKind::kMinimum, node);
    case BuiltinOperator::POW:
      return binary_no_options(OpKind::kPow, node);
    case BuiltinOperator::EQUAL: return plain_op(OpKind::kEqual, 2, 2, node);
    case BuiltinOperator::NOT_EQUAL: return plain_op(OpKind::kNotEqual, 2, 2, node);
    case BuiltinOperator::LESS: return plain_op(OpKind::kLess, 2, 2, node);
    case BuiltinOperator::LESS_EQUAL: return plain_op(OpKind::kLessEqual, 2, 2, node);
    case BuiltinOperator::GREATER: return plain_op(OpKind::kGreater, 2, 2, node);
    case BuiltinOperator::GREATER_EQUAL: return plain_op(OpKind::kGreaterEqual, 2, 2, node);
    case BuiltinOperator::LOGICAL_AND: return plain_op(OpKind::kLogicalAnd, 2, 2, node);
    case BuiltinOperator::LOGICAL_OR: return plain_op(OpKind::kLogicalOr, 2, 2, node);
    case BuiltinOperator::LOGICAL_NOT: return unary(OpKind::kLogicalNot, node);
    // SELECT_V2 broadcasts its three operands (numpy). SELECT (v1) also
    // takes a rank-1 condition over x's first dim, another semantics: not
    // mapped.
    // Control flow runs other subgraphs, read as models of their own
    // (tflite_control_flow.cc). CALL_ONCE never reaches here: read_operators
    // drops it.
    case BuiltinOperator::IF: return translate_if(c, node);
    case BuiltinOperator::WHILE: return translate_while(c, node);
    case BuiltinOperator::SELECT_V2: return plain_op(OpKind::kSelect, 3, 3, node);
    case BuiltinOperator::BROADCAST_TO: return plain_op(OpKind::kBroadcastTo, 2, 2, node);
    case BuiltinOperator::TILE: return plain_op(OpKind::kTile, 2, 2, node);
    case BuiltinOperator::TOPK_V2: {
      // The last axis, largest first, i32 indices.
      OPSCOPE_RETURN_IF_ERROR(check_arity(node, 2, 2));
      TopKAttrs a;
      a.index_dtype = DType::kI32;
      return set_op(node, OpKind::kTopK, a);
    }
    case BuiltinOperator::CUMSUM: return cumsum(c, node);
    case BuiltinOperator::ONE_HOT: return one_hot(c, node);
    case BuiltinOperator::RELU: return unary(OpKind::kRelu, node);
    case BuiltinOperator::RELU6: return unary(OpKind::kRelu6, node);
    case BuiltinOperator::LEAKY_RELU: return leaky_relu(c, node);
    case BuiltinOperator::PRELU:
      return plain_op(OpKind::kPRelu, 2, 2, node);
    case BuiltinOperator::HARD_SWISH: return unary(OpKind::kHardSwish, node);
    case BuiltinOperator::LOGISTIC: return unary(OpKind::kLogistic, node);
    case BuiltinOperator::TANH: return unary(OpKind::kTanh, node);
    case BuiltinOperator::RSQRT: return unary(OpKind::kRsqrt, node);
    case BuiltinOperator::LOG: return unary(OpKind::kLog, node);
    case BuiltinOperator::SIN: return unary(OpKind::kSin, node);
    case BuiltinOperator::COS: return unary(OpKind::kCos, node);
    case BuiltinOperator::FLOOR: return unary(OpKind::kFloor, node);
    case BuiltinOperator::CEIL: return unary(OpKind::kCeil, node);
    case BuiltinOperator::ROUND: return unary(OpKind::kRound, node);
    case BuiltinOperator::SIGN: return unary(OpKind::kSign, node);
    case BuiltinOperator::ELU: return unary(OpKind::kElu, node);
    case BuiltinOperator::SOFTMAX: return softmax(c, node);
    case BuiltinOperator::LOG_SOFTMAX: return unary(OpKind::kLogSoftmax, node);
    case BuiltinOperator::AVERAGE_POOL_2D:
      return pool_2d(c, OpKind::kAveragePool2D, node);
    case BuiltinOperator::MAX_POOL_2D:
      return pool_2d(c, OpKind::kMaxPool2D, node);
    case BuiltinOperator::MEAN: return reduce(c, OpKind::kMean, node);
    case BuiltinOperator::REDUCE_MAX: return reduce(c, OpKind::kReduceMax, node);
    case BuiltinOperator::SUM: return reduce(c, OpKind::kReduceSum, node);
    case BuiltinOperator::REDUCE_MIN: return reduce(c, OpKind::kReduceMin, node);
    case BuiltinOperator::REDUCE_PROD: return reduce(c, OpKind::kReduceProd, node);
    case BuiltinOperator::PAD:
    case BuiltinOperator::PADV2:
      // PADV2 adds the constant_value input; both are kPad.
      return plain_op(OpKind::kPad, 2, 3, node);
    case BuiltinOperator::MIRROR_PAD: return mirror_pad(c, node);
    case BuiltinOperator::RESHAPE: return reshape(c, node);
    case BuiltinOperator::SQUEEZE: return squeeze(c, node);
    case BuiltinOperator::EXPAND_DIMS:
      return plain_op(OpKind::kExpandDims, 2, 2, node);
    case BuiltinOperator::TRANSPOSE:
      return plain_op(OpKind::kTranspose, 2, 2, node);
    case BuiltinOperator::CONCATENATION: return concatenation(c, node);
    case BuiltinOperator::STRIDED_SLICE: return strided_slice(c, node);
    case BuiltinOperator::DEPTH_TO_SPACE: return depth_to_space(c, node);
    case BuiltinOperator::RESIZE_BILINEAR: return resize_bilinear(c, node);
    case BuiltinOperator::GATHER: return gather(c, node);
    case BuiltinOperator::DEQUANTIZE: return unary(OpKind::kDequantize, node);
    case BuiltinOperator::QUANTIZE: return unary(OpKind::kQuantize, node);
    default:
      node.op = OpKind::kUnknown;
      return Status::ok();
  }
}

}  // namespace opscope::tflite
