// Canonical nodes (engine/op_kind.h) -> TFLite operators: the inverse of
// tflite_op_map.cc and tflite_custom_ops.cc.
#include "adapters/formats/tflite/tflite_write_ops.h"

#include <flatbuffers/flexbuffers.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace opscope::tflite {

namespace {

using fb::ActivationFunctionType;
using fb::BuiltinOperator;
using fb::BuiltinOptions;

// The custom op of MediaPipe's transposed convolution (see
// tflite_custom_ops.cc for its option bytes).
constexpr const char* kTransposeConvBias = "Convolution2DTransposeBias";

Status unwritable(const Graph& graph, int node_index, const std::string& why) {
  return Status(ErrorCode::kUnsupportedOp,
                describe_node(graph, node_index) + ": cannot be written as TFLite: " + why);
}

ActivationFunctionType activation(Activation a) {
  switch (a) {
    case Activation::kNone: return ActivationFunctionType::NONE;
    case Activation::kRelu: return ActivationFunctionType::RELU;
    case Activation::kReluN1To1: return ActivationFunctionType::RELU_N1_TO_1;
    case Activation::kRelu6: return ActivationFunctionType::RELU6;
    case Activation::kTanh: return ActivationFunctionType::TANH;
  }
  return ActivationFunctionType::NONE;
}

// TFLite pads only SAME or VALID; explicit pads of zero are VALID.
Result<fb::Padding> padding(const Graph& graph, int node_index, Padding p,
                            const Pads2D& pads) {
  switch (p) {
    case Padding::kSame: return fb::Padding::SAME;
    case Padding::kValid: return fb::Padding::VALID;
    case Padding::kExplicit:
      if (pads.top == 0 && pads.left == 0 && pads.bottom == 0 && pads.right == 0) {
        return fb::Padding::VALID;
      }
      break;
  }
  return unwritable(graph, node_index,
                    "explicit pads " + std::to_string(pads.top) + "," +
                        std::to_string(pads.left) + "," + std::to_string(pads.bottom) + "," +
                        std::to_string(pads.right) +
                        " (top,left,bottom,right) are neither SAME nor VALID");
}

template <typename T>
void set_options(EncodedOp& out, BuiltinOptions type, flatbuffers::Offset<T> table) {
  out.options_type = type;
  out.options = table.Union();
}

void put_le_i32(std::vector<uint8_t>& bytes, int32_t v) {
  uint32_t u;
  std::memcpy(&u, &v, sizeof(u));
  for (int k = 0; k < 4; ++k) bytes.push_back(static_cast<uint8_t>(u >> (8 * k)));
}

Status transpose_conv(const Graph& graph, int node_index, flatbuffers::FlatBufferBuilder& fbb,
                      const AddInt32Constant& add_constant, EncodedOp& out) {
  const Node& node = graph.nodes[node_index];
  const auto& a = node.attr<TransposeConvAttrs>();
  OPSCOPE_ASSIGN_OR_RETURN(fb::Padding pad,
                           padding(graph, node_index, a.padding, a.explicit_pads));
  const int bias = node.inputs.size() > 2 ? node.inputs[2] : -1;
  if (node.type_name == kTransposeConvBias) {
    // MediaPipe's custom op: (input, weights, bias), options are TFLite's
    // C struct {padding (1 SAME, 2 VALID), stride_w, stride_h}.
    if (a.activation != Activation::kNone) {
      return unwritable(graph, node_index, std::string(kTransposeConvBias) +
                                               " has no fused activation");
    }
    out.builtin = BuiltinOperator::CUSTOM;
    out.custom_code = kTransposeConvBias;
    put_le_i32(out.custom_options, pad == fb::Padding::SAME ? 1 : 2);
    put_le_i32(out.custom_options, a.stride_w);
    put_le_i32(out.custom_options, a.stride_h);
    out.inputs = {node.inputs[0], node.inputs[1], bias};
    return Status::ok();
  }
  // TRANSPOSE_CONV: (output_shape, weights, input, bias?).
  std::vector<int32_t> shape;
  const std::vector<int64_t>& dims =
      a.output_shape.empty() ? graph.tensors[node.outputs[0]].shape : a.output_shape;
  for (int64_t d : dims) shape.push_back(static_cast<int32_t>(d));
  const int shape_id = add_constant(graph.tensors[node.outputs[0]].name + "/output_shape", shape);
  out.builtin = BuiltinOperator::TRANSPOSE_CONV;
  set_options(out, BuiltinOptions::TransposeConvOptions,
              fb::CreateTransposeConvOptions(fbb, pad, a.stride_w, a.stride_h,
                                             activation(a.activation)));
  out.inputs = {shape_id, node.inputs[1], node.inputs[0], bias};
  return Status::ok();
}

// MediaPipe's landmark-crop ops, version 2, options as a FlexBuffer map
// (see tflite_custom_ops.cc).
void mediapipe_landmark_op(const Node& node, EncodedOp& out) {
  out.builtin = BuiltinOperator::CUSTOM;
  out.version = 2;
  flexbuffers::Builder fbx;
  switch (node.op) {
    case OpKind::kLandmarksToTransformMatrix: {
      const auto& a = node.attr<LandmarksToMatrixAttrs>();
      out.custom_code = "Landmarks2TransformMatrix";
      fbx.Map([&] {
        fbx.Int("left_rotation_idx", a.left_rotation_idx);
        fbx.Int("output_height", a.output_height);
        fbx.Int("output_width", a.output_width);
        fbx.Int("right_rotation_idx", a.right_rotation_idx);
        fbx.Float("scale_x", a.scale_x);
        fbx.Float("scale_y", a.scale_y);
        fbx.TypedVector("subset_idxs", [&] {
          for (int32_t i : a.subset) fbx.Int(i);
        });
        fbx.Float("target_rotation_radians", a.target_rotation_radians);
      });
      break;
    }
    case OpKind::kTransformTensorBilinear: {
      const auto& a = node.attr<TransformTensorAttrs>();
      out.custom_code = "TransformTensorBilinear";
      fbx.Map([&] {
        fbx.Int("output_height", a.output_height);
        fbx.Int("output_width", a.output_width);
      });
      break;
    }
    default:  // kTransformLandmarks: an empty map
      out.custom_code = "TransformLandmarks";
      fbx.Map([] {});
      break;
  }
  fbx.Finish();
  out.custom_options = fbx.GetBuffer();
}

}  // namespace

Status encode_op(const Graph& graph, int node_index, flatbuffers::FlatBufferBuilder& fbb,
                 const AddInt32Constant& add_constant, EncodedOp& out) {
  const Node& node = graph.nodes[node_index];
  out = EncodedOp{};
  out.inputs = node.inputs;
  const auto binary_activation = [&] {
    return std::holds_alternative<ActivationAttrs>(node.attrs)
               ? activation(node.attr<ActivationAttrs>().activation)
               : ActivationFunctionType::NONE;
  };
  auto builtin = [&](BuiltinOperator op) {
    out.builtin = op;
    return Status::ok();
  };
  switch (node.op) {
    case OpKind::kConv2D: {
      const auto& a = node.attr<Conv2DAttrs>();
      OPSCOPE_ASSIGN_OR_RETURN(fb::Padding pad,
                               padding(graph, node_index, a.padding, a.explicit_pads));
      set_options(out, BuiltinOptions::Conv2DOptions,
                  fb::CreateConv2DOptions(fbb, pad, a.stride_w, a.stride_h,
                                          activation(a.activation), a.dilation_w,
                                          a.dilation_h));
      return builtin(BuiltinOperator::CONV_2D);
    }
    case OpKind::kDepthwiseConv2D: {
      const auto& a = node.attr<DepthwiseConv2DAttrs>();
      OPSCOPE_ASSIGN_OR_RETURN(fb::Padding pad,
                               padding(graph, node_index, a.padding, a.explicit_pads));
      set_options(out, BuiltinOptions::DepthwiseConv2DOptions,
                  fb::CreateDepthwiseConv2DOptions(fbb, pad, a.stride_w, a.stride_h,
                                                   a.depth_multiplier,
                                                   activation(a.activation), a.dilation_w,
                                                   a.dilation_h));
      return builtin(BuiltinOperator::DEPTHWISE_CONV_2D);
    }
    case OpKind::kTransposeConv:
      return transpose_conv(graph, node_index, fbb, add_constant, out);
    case OpKind::kFullyConnected: {
      const auto& a = node.attr<FullyConnectedAttrs>();
      set_options(out, BuiltinOptions::FullyConnectedOptions,
                  fb::CreateFullyConnectedOptions(
                      fbb, activation(a.activation),
                      fb::FullyConnectedOptionsWeightsFormat::DEFAULT, a.keep_num_dims));
      return builtin(BuiltinOperator::FULLY_CONNECTED);
    }
    case OpKind::kBatchMatMul: {
      const auto& a = node.attr<BatchMatMulAttrs>();
      set_options(out, BuiltinOptions::BatchMatMulOptions,
                  fb::CreateBatchMatMulOptions(fbb, a.adj_x, a.adj_y));
      return builtin(BuiltinOperator::BATCH_MATMUL);
    }
    case OpKind::kAdd:
      set_options(out, BuiltinOptions::AddOptions,
                  fb::CreateAddOptions(fbb, binary_activation()));
      return builtin(BuiltinOperator::ADD);
    case OpKind::kSub:
      set_options(out, BuiltinOptions::SubOptions,
                  fb::CreateSubOptions(fbb, binary_activation()));
      return builtin(BuiltinOperator::SUB);
    case OpKind::kMul:
      set_options(out, BuiltinOptions::MulOptions,
                  fb::CreateMulOptions(fbb, binary_activation()));
      return builtin(BuiltinOperator::MUL);
    case OpKind::kMaximum: return builtin(BuiltinOperator::MAXIMUM);
    case OpKind::kMinimum: return builtin(BuiltinOperator::MINIMUM);
    case OpKind::kPow: return builtin(BuiltinOperator::POW);
    case OpKind::kRelu: return builtin(BuiltinOperator::RELU);
    case OpKind::kRelu6: return builtin(BuiltinOperator::RELU6);
    case OpKind::kLeakyRelu:
      set_options(out, BuiltinOptions::LeakyReluOptions,
                  fb::CreateLeakyReluOptions(fbb, node.attr<LeakyReluAttrs>().alpha));
      return builtin(BuiltinOperator::LEAKY_RELU);
    case OpKind::kPRelu: return builtin(BuiltinOperator::PRELU);
    case OpKind::kHardSwish: return builtin(BuiltinOperator::HARD_SWISH);
    case OpKind::kLogistic: return builtin(BuiltinOperator::LOGISTIC);
    case OpKind::kTanh: return builtin(BuiltinOperator::TANH);
    case OpKind::kRsqrt: return builtin(BuiltinOperator::RSQRT);
    case OpKind::kLog: return builtin(BuiltinOperator::LOG);
    case OpKind::kSoftmax:
      set_options(out, BuiltinOptions::SoftmaxOptions,
                  fb::CreateSoftmaxOptions(fbb, node.attr<SoftmaxAttrs>().beta));
      return builtin(BuiltinOperator::SOFTMAX);
    case OpKind::kAveragePool2D:
    case OpKind::kMaxPool2D: {
      const auto& a = node.attr<Pool2DAttrs>();
      if (a.dilation_h != 1 || a.dilation_w != 1) {
        return unwritable(graph, node_index, "TFLite pools have no dilation");
      }
      OPSCOPE_ASSIGN_OR_RETURN(fb::Padding pad,
                               padding(graph, node_index, a.padding, a.explicit_pads));
      set_options(out, BuiltinOptions::Pool2DOptions,
                  fb::CreatePool2DOptions(fbb, pad, a.stride_w, a.stride_h, a.filter_w,
                                          a.filter_h, activation(a.activation)));
      return builtin(node.op == OpKind::kMaxPool2D ? BuiltinOperator::MAX_POOL_2D
                                                   : BuiltinOperator::AVERAGE_POOL_2D);
    }
    case OpKind::kMean:
    case OpKind::kReduceMax:
      set_options(out, BuiltinOptions::ReducerOptions,
                  fb::CreateReducerOptions(fbb, node.attr<ReduceAttrs>().keep_dims));
      return builtin(node.op == OpKind::kMean ? BuiltinOperator::MEAN
                                              : BuiltinOperator::REDUCE_MAX);
    case OpKind::kPad:
      if (const auto* p = std::get_if<PadAttrs>(&node.attrs);
          p != nullptr && p->mode != PadMode::kConstant) {
        if (p->mode == PadMode::kEdge) {
          return unwritable(graph, node_index, "PAD in edge mode has no TFLite encoding");
        }
        set_options(out, BuiltinOptions::MirrorPadOptions,
                    fb::CreateMirrorPadOptions(fbb, p->mode == PadMode::kReflect
                                                        ? fb::MirrorPadMode::REFLECT
                                                        : fb::MirrorPadMode::SYMMETRIC));
        return builtin(BuiltinOperator::MIRROR_PAD);
      }
      // A third input (the pad value) makes it PADV2.
      return builtin(node.inputs.size() > 2 && node.inputs[2] >= 0 ? BuiltinOperator::PADV2
                                                                    : BuiltinOperator::PAD);
    case OpKind::kReshape: {
      std::vector<int32_t> shape;
      for (int64_t d : node.attr<ReshapeAttrs>().new_shape) {
        shape.push_back(static_cast<int32_t>(d));
      }
      set_options(out, BuiltinOptions::ReshapeOptions,
                  fb::CreateReshapeOptions(fbb, fbb.CreateVector(shape)));
      return builtin(BuiltinOperator::RESHAPE);
    }
    case OpKind::kSqueeze: {
      const auto& axes = node.attr<SqueezeAttrs>().axes;
      set_options(out, BuiltinOptions::SqueezeOptions,
                  fb::CreateSqueezeOptions(fbb, fbb.CreateVector(axes)));
      return builtin(BuiltinOperator::SQUEEZE);
    }
    case OpKind::kExpandDims: return builtin(BuiltinOperator::EXPAND_DIMS);
    case OpKind::kTranspose: return builtin(BuiltinOperator::TRANSPOSE);
    case OpKind::kConcatenation: {
      const auto& a = node.attr<ConcatenationAttrs>();
      set_options(out, BuiltinOptions::ConcatenationOptions,
                  fb::CreateConcatenationOptions(fbb, a.axis, activation(a.activation)));
      return builtin(BuiltinOperator::CONCATENATION);
    }
    case OpKind::kStridedSlice: {
      const auto& a = node.attr<StridedSliceAttrs>();
      set_options(out, BuiltinOptions::StridedSliceOptions,
                  fb::CreateStridedSliceOptions(fbb, a.begin_mask, a.end_mask,
                                                a.ellipsis_mask, a.new_axis_mask,
                                                a.shrink_axis_mask, a.offset));
      return builtin(BuiltinOperator::STRIDED_SLICE);
    }
    case OpKind::kDepthToSpace:
      set_options(out, BuiltinOptions::DepthToSpaceOptions,
                  fb::CreateDepthToSpaceOptions(fbb, node.attr<DepthToSpaceAttrs>().block_size));
      return builtin(BuiltinOperator::DEPTH_TO_SPACE);
    case OpKind::kResizeBilinear: {
      const auto& a = node.attr<ResizeAttrs>();
      set_options(out, BuiltinOptions::ResizeBilinearOptions,
                  fb::CreateResizeBilinearOptions(fbb, a.align_corners, a.half_pixel_centers));
      return builtin(BuiltinOperator::RESIZE_BILINEAR);
    }
    case OpKind::kGather: {
      const auto& a = node.attr<GatherAttrs>();
      set_options(out, BuiltinOptions::GatherOptions,
                  fb::CreateGatherOptions(fbb, a.axis, a.batch_dims));
      return builtin(BuiltinOperator::GATHER);
    }
    case OpKind::kResize:
      // RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR cover only some of ONNX
      // Resize's modes; the importer emits RESIZE_BILINEAR where it can.
      return unwritable(graph, node_index,
                        "RESIZE (ONNX Resize semantics) has no TFLite encoding");
    case OpKind::kDequantize: return builtin(BuiltinOperator::DEQUANTIZE);
    case OpKind::kQuantize: return builtin(BuiltinOperator::QUANTIZE);
    case OpKind::kLandmarksToTransformMatrix:
    case OpKind::kTransformTensorBilinear:
    case OpKind::kTransformLandmarks:
      mediapipe_landmark_op(node, out);
      return Status::ok();
    default: break;
  }
  return unwritable(graph, node_index,
                    node.op == OpKind::kUnknown
                        ? "an op the engine does not know keeps no options to write"
                        : "no TFLite encoding for op " + std::string(to_string(node.op)));
}

}  // namespace opscope::tflite
