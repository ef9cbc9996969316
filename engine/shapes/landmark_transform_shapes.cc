// Shapes of MediaPipe's landmark-crop ops (op_kind.h): every operand is one
// f32 batch, as MediaPipe's kernels read only the first; indices and sizes
// in the attributes are checked here, so the kernels never read outside
// their inputs.
#include <string>

#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::shapes {
namespace {

// Input i is f32, present and of shape [1, ...] with the given rank.
Status expect_one_f32_batch(PrepareContext& ctx, int i, int rank, const char* what) {
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, i));
  const Tensor& t = ctx.input(i);
  if (t.dtype != DType::kF32 || !t.quantization.empty()) {
    return ctx.error(ErrorCode::kTypeMismatch, std::string(what) + " '" + t.name +
                                                   "' has dtype " +
                                                   std::string(to_string(t.dtype)) +
                                                   (t.quantization.empty() ? "" : " (quantized)") +
                                                   ", expected f32");
  }
  if (static_cast<int>(t.shape.size()) != rank || t.shape[0] != 1) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     std::string(what) + " '" + t.name + "' has shape " +
                         shape_to_string(t.shape) + ", expected rank " + std::to_string(rank) +
                         " with batch 1");
  }
  return Status::ok();
}

// The transform matrix input: 16 f32 values, [1, 4, 4].
Status expect_matrix(PrepareContext& ctx, int i) {
  OPSCOPE_RETURN_IF_ERROR(expect_one_f32_batch(ctx, i, 3, "matrix"));
  const Tensor& m = ctx.input(i);
  if (m.shape[1] != 4 || m.shape[2] != 4) {
    return ctx.error(ErrorCode::kShapeMismatch, "matrix '" + m.name + "' has shape " +
                                                    shape_to_string(m.shape) +
                                                    ", expected [1,4,4]");
  }
  return Status::ok();
}

void set_f32_output(PrepareContext& ctx, Shape shape) {
  ctx.output(0).dtype = DType::kF32;
  ctx.output(0).shape = std::move(shape);
}

}  // namespace

Status landmarks_to_transform_matrix(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
  OPSCOPE_ASSIGN_OR_RETURN(const LandmarksToMatrixAttrs a,
                           node_attrs<LandmarksToMatrixAttrs>(ctx));
  OPSCOPE_RETURN_IF_ERROR(expect_one_f32_batch(ctx, 0, 3, "landmarks"));
  const Tensor& x = ctx.input(0);
  if (x.shape[2] != 3) {
    return ctx.error(ErrorCode::kShapeMismatch, "landmarks '" + x.name + "' has shape " +
                                                    shape_to_string(x.shape) +
                                                    ", expected [1,N,3] (x, y, z)");
  }
  const int64_t n = x.shape[1];
  const auto check_index = [&](int64_t i, const std::string& what) {
    if (i >= 0 && i < n) return Status::ok();
    return ctx.error(ErrorCode::kInvalidGraph, what + " " + std::to_string(i) +
                                                   " is outside the " + std::to_string(n) +
                                                   " landmarks");
  };
  OPSCOPE_RETURN_IF_ERROR(check_index(a.left_rotation_idx, "left_rotation_idx"));
  OPSCOPE_RETURN_IF_ERROR(check_index(a.right_rotation_idx, "right_rotation_idx"));
  if (a.subset.empty()) {
    return ctx.error(ErrorCode::kInvalidGraph, "subset_idxs is empty");
  }
  for (size_t k = 0; k < a.subset.size(); ++k) {
    OPSCOPE_RETURN_IF_ERROR(check_index(a.subset[k], "subset_idxs[" + std::to_string(k) + "]"));
  }
  if (a.output_width <= 0 || a.output_height <= 0) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "output size " + std::to_string(a.output_height) + "x" +
                         std::to_string(a.output_width) + " (h x w) must be positive");
  }
  // Written as !(> 0) so NaN is refused too.
  if (!(a.scale_x > 0) || !(a.scale_y > 0)) {
    return ctx.error(ErrorCode::kInvalidGraph, "scale " + std::to_string(a.scale_x) + ", " +
                                                   std::to_string(a.scale_y) +
                                                   " (x, y) must be positive");
  }
  set_f32_output(ctx, {1, 4, 4});
  return Status::ok();
}

Status transform_tensor_bilinear(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_ASSIGN_OR_RETURN(const TransformTensorAttrs a, node_attrs<TransformTensorAttrs>(ctx));
  OPSCOPE_RETURN_IF_ERROR(expect_one_f32_batch(ctx, 0, 4, "data"));
  OPSCOPE_RETURN_IF_ERROR(expect_matrix(ctx, 1));
  if (a.output_width <= 0 || a.output_height <= 0) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "output size " + std::to_string(a.output_height) + "x" +
                         std::to_string(a.output_width) + " (h x w) must be positive");
  }
  const Shape& x = ctx.input(0).shape;
  set_f32_output(ctx, {1, a.output_height, a.output_width, x[3]});
  return Status::ok();
}

Status transform_landmarks(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(expect_one_f32_batch(ctx, 0, 3, "landmarks"));
  OPSCOPE_RETURN_IF_ERROR(expect_matrix(ctx, 1));
  const Tensor& x = ctx.input(0);
  if (x.shape[2] != 2 && x.shape[2] != 3) {
    return ctx.error(ErrorCode::kShapeMismatch, "landmarks '" + x.name + "' has shape " +
                                                    shape_to_string(x.shape) +
                                                    ", expected [1,N,2] or [1,N,3]");
  }
  set_f32_output(ctx, x.shape);
  return Status::ok();
}

}  // namespace opscope::shapes
