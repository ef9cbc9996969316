// CUSTOM TFLite operators -> canonical nodes. Only custom ops that the
// engine implements natively are translated; the rest load as kUnknown.
#include <cstring>
#include <string>

#include "adapters/formats/tflite/tflite_flex_options.h"
#include "adapters/formats/tflite/tflite_op_map.h"

namespace opscope::tflite {

namespace {

// Custom options bytes: inline, or outside the flatbuffer (>2 GB models).
Result<ByteRange> custom_options(const OpContext& c, const Node& node) {
  const fb::Operator& op = c.op;
  if (op.custom_options() != nullptr && op.custom_options()->size() > 0) {
    return ByteRange{op.custom_options()->data(), op.custom_options()->size()};
  }
  if (op.large_custom_options_offset() > 1 &&
      op.large_custom_options_size() > 0) {
    return external_range(c.ctx, op.large_custom_options_offset(),
                          op.large_custom_options_size(),
                          node_label(node) + ": custom options");
  }
  return ByteRange{};
}

int32_t read_le_i32(const uint8_t* p) {
  // Little-endian on disk; assemble bytewise so the host's byte order and
  // the data's alignment do not matter.
  const uint32_t v = uint32_t{p[0]} | uint32_t{p[1]} << 8 |
                     uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
  int32_t out;
  std::memcpy(&out, &v, sizeof(out));
  return out;
}

// MediaPipe's transposed convolution with bias: inputs (input, weights
// OHWI, bias). Its options are the raw bytes of TFLite's C parameter
// struct: int32 padding, int32 stride_width, int32 stride_height, where
// padding uses the C enum TfLitePadding (0 unknown, 1 SAME, 2 VALID),
// not the schema's Padding enum (0 SAME, 1 VALID).
Status convolution_2d_transpose_bias(const OpContext& c, Node& node) {
  constexpr size_t kOptionsBytes = 12;
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 2, 3));
  while (node.inputs.size() < 3) node.inputs.push_back(-1);
  OPSCOPE_ASSIGN_OR_RETURN(ByteRange options, custom_options(c, node));
  // Larger structs come from newer TFLite headers that appended fields;
  // the first three keep their meaning.
  if (options.size < kOptionsBytes) {
    return node_error(node, ErrorCode::kMalformedModel,
                      "custom options are " + std::to_string(options.size) +
                          " bytes, expected " + std::to_string(kOptionsBytes) +
                          " (int32 padding, stride_width, stride_height)");
  }
  const int32_t padding = read_le_i32(options.data);
  TransposeConvAttrs a;
  if (padding == 1) {
    a.padding = Padding::kSame;
  } else if (padding == 2 || padding == 0) {
    // TFLite's padding helpers pad only for SAME, so "unknown" acts as
    // VALID there; the engine follows.
    a.padding = Padding::kValid;
  } else {
    return node_error(node, ErrorCode::kMalformedModel,
                      "custom options padding " + std::to_string(padding) +
                          " is not 1 (SAME) or 2 (VALID)");
  }
  a.stride_w = read_le_i32(options.data + 4);
  a.stride_h = read_le_i32(options.data + 8);
  if (a.stride_w < 1 || a.stride_h < 1) {
    return node_error(node, ErrorCode::kInvalidGraph,
                      "stride " + std::to_string(a.stride_h) + "x" +
                          std::to_string(a.stride_w) +
                          " (h x w) must be at least 1");
  }
  // output_shape stays empty: the kernel derives it from the input.
  node.op = OpKind::kTransposeConv;
  node.attrs = a;
  return Status::ok();
}

// MediaPipe's landmark-crop ops exist in versions 1 and 2 with different
// options and semantics; the engine has version 2 (what MediaPipe's current
// models and LiteRT.js use).
Status expect_version_2(const OpContext& c, const Node& node) {
  if (c.version == 2) return Status::ok();
  return node_error(node, ErrorCode::kUnsupportedOp,
                    "version " + std::to_string(c.version) +
                        " of this custom op is not supported (the engine has version 2)");
}

// The FlexBuffer options of a version-2 MediaPipe op with `inputs` inputs.
Result<FlexOptions> version_2_options(const OpContext& c, const Node& node, int inputs) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, inputs, inputs));
  OPSCOPE_RETURN_IF_ERROR(expect_version_2(c, node));
  OPSCOPE_ASSIGN_OR_RETURN(ByteRange bytes, custom_options(c, node));
  return FlexOptions::parse(bytes, node);
}

// Options: subset_idxs (ints), left_rotation_idx, right_rotation_idx,
// target_rotation_radians, output_height, output_width, scale_x, scale_y.
// The shape rule checks the indices against the landmarks.
Status landmarks_to_transform_matrix(const OpContext& c, Node& node) {
  OPSCOPE_ASSIGN_OR_RETURN(const FlexOptions o, version_2_options(c, node, 1));
  LandmarksToMatrixAttrs a;
  OPSCOPE_ASSIGN_OR_RETURN(a.subset, o.int_vector("subset_idxs"));
  OPSCOPE_ASSIGN_OR_RETURN(a.left_rotation_idx, o.int_value("left_rotation_idx"));
  OPSCOPE_ASSIGN_OR_RETURN(a.right_rotation_idx, o.int_value("right_rotation_idx"));
  OPSCOPE_ASSIGN_OR_RETURN(a.target_rotation_radians, o.float_value("target_rotation_radians"));
  OPSCOPE_ASSIGN_OR_RETURN(a.output_height, o.int_value("output_height"));
  OPSCOPE_ASSIGN_OR_RETURN(a.output_width, o.int_value("output_width"));
  OPSCOPE_ASSIGN_OR_RETURN(a.scale_x, o.float_value("scale_x"));
  OPSCOPE_ASSIGN_OR_RETURN(a.scale_y, o.float_value("scale_y"));
  node.op = OpKind::kLandmarksToTransformMatrix;
  node.attrs = std::move(a);
  return Status::ok();
}

// Inputs (data, matrix); options output_height, output_width.
Status transform_tensor_bilinear(const OpContext& c, Node& node) {
  OPSCOPE_ASSIGN_OR_RETURN(const FlexOptions o, version_2_options(c, node, 2));
  TransformTensorAttrs a;
  OPSCOPE_ASSIGN_OR_RETURN(a.output_height, o.int_value("output_height"));
  OPSCOPE_ASSIGN_OR_RETURN(a.output_width, o.int_value("output_width"));
  node.op = OpKind::kTransformTensorBilinear;
  node.attrs = a;
  return Status::ok();
}

// Inputs (landmarks, matrix); version 2 has no options.
Status transform_landmarks(const OpContext& c, Node& node) {
  OPSCOPE_RETURN_IF_ERROR(check_arity(node, 2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_version_2(c, node));
  node.op = OpKind::kTransformLandmarks;
  return Status::ok();
}

}  // namespace

Status translate_custom(const OpContext& c, Node& node) {
  if (node.type_name == "Convolution2DTransposeBias") {
    return convolution_2d_transpose_bias(c, node);
  }
  if (node.type_name == "Landmarks2TransformMatrix") {
    return landmarks_to_transform_matrix(c, node);
  }
  if (node.type_name == "TransformTensorBilinear") return transform_tensor_bilinear(c, node);
  if (node.type_name == "TransformLandmarks") return transform_landmarks(c, node);
  node.op = OpKind::kUnknown;
  return Status::ok();
}

}  // namespace opscope::tflite
