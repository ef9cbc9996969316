// Small prepare() helpers shared by the elementwise, PRELU, SOFTMAX and
// (DE)QUANTIZE kernels.
#pragma once

#include <string>
#include <variant>

#include "engine/kernel.h"

namespace opscope::reference {

// Checks the node has exactly one output, and that it is present.
inline Status expect_single_output(const PrepareContext& ctx) {
  if (ctx.num_outputs() != 1 || ctx.output_id(0) < 0) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "expects 1 output, has " +
                         std::to_string(ctx.num_outputs()));
  }
  return Status::ok();
}

// Checks a two-input f32 op (ADD, PRELU, ...): inputs 0 and 1 present and
// f32, and one output.
inline Status expect_f32_binary_inputs(PrepareContext& ctx) {
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, DType::kF32));
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(1, DType::kF32));
  return expect_single_output(ctx);
}

// The node's attributes as T; std::monostate (a reader that had nothing to
// say) yields T's defaults. Any other attribute type is a graph error.
template <typename T>
Status attrs_or_default(const PrepareContext& ctx, T* out) {
  const Attributes& attrs = ctx.node().attrs;
  if (const T* t = std::get_if<T>(&attrs)) {
    *out = *t;
    return Status::ok();
  }
  if (std::holds_alternative<std::monostate>(attrs)) {
    *out = T{};
    return Status::ok();
  }
  return ctx.error(ErrorCode::kInvalidGraph,
                   "has attributes of an unexpected type (variant index " +
                       std::to_string(attrs.index()) + ")");
}

}  // namespace opscope::reference
