// Shapes of LSTM, GRU and RNN (op_kind.h): every operand's shape is checked
// against X's and hidden_size once, here.
#include <string>

#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::shapes {
namespace {

int gates_of(OpKind op) { return op == OpKind::kLstm ? 4 : op == OpKind::kGru ? 3 : 1; }

// Input `i`, when present, is f32 (i32 for sequence_lens) of shape `want`.
Status expect_operand(PrepareContext& ctx, int i, const char* what, const Shape& want,
                      DType dtype = DType::kF32) {
  if (!ctx.has_input(i)) return Status::ok();
  const Tensor& t = ctx.input(i);
  if (t.dtype != dtype) {
    return ctx.error(ErrorCode::kTypeMismatch, std::string(what) + " is " +
                                                   std::string(to_string(t.dtype)) + ", not " +
                                                   std::string(to_string(dtype)));
  }
  if (t.shape != want) {
    return ctx.error(ErrorCode::kShapeMismatch, std::string(what) + " is " +
                                                    shape_to_string(t.shape) + ", expected " +
                                                    shape_to_string(want));
  }
  return Status::ok();
}

}  // namespace

Result<RecurrentGeometry> recurrent_geometry(PrepareContext& ctx) {
  const OpKind op = ctx.node().op;
  const bool lstm = op == OpKind::kLstm;
  OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(3, lstm ? 8 : 6));
  for (int i = 0; i < 3; ++i) OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, i));
  OPSCOPE_ASSIGN_OR_RETURN(const RecurrentAttrs a, node_attrs<RecurrentAttrs>(ctx));
  RecurrentGeometry g;
  g.gates = gates_of(op);
  g.dirs = a.direction == RecurrentAttrs::Direction::kBidirectional ? 2 : 1;
  g.hidden = a.hidden_size;
  const Tensor& x = ctx.input(0);
  if (x.dtype != DType::kF32 || x.shape.size() != 3) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "X must be f32 of rank 3, is " + std::string(to_string(x.dtype)) + " " +
                         shape_to_string(x.shape));
  }
  g.seq = a.batch_first ? x.shape[1] : x.shape[0];
  g.batch = a.batch_first ? x.shape[0] : x.shape[1];
  g.input = x.shape[2];
  if (g.hidden < 1 || g.hidden > (int64_t{1} << 24)) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "hidden_size " + std::to_string(g.hidden) + " is out of range");
  }
  const size_t want_fns = static_cast<size_t>(g.dirs) * (lstm ? 3 : op == OpKind::kGru ? 2 : 1);
  if (a.activations.size() != want_fns) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "has " + std::to_string(a.activations.size()) + " activations, needs " +
                         std::to_string(want_fns));
  }
  const int64_t gh = g.gates * g.hidden;
  OPSCOPE_RETURN_IF_ERROR(expect_operand(ctx, 1, "W", {g.dirs, gh, g.input}));
  OPSCOPE_RETURN_IF_ERROR(expect_operand(ctx, 2, "R", {g.dirs, gh, g.hidden}));
  OPSCOPE_RETURN_IF_ERROR(expect_operand(ctx, 3, "B", {g.dirs, 2 * gh}));
  OPSCOPE_RETURN_IF_ERROR(
      expect_operand(ctx, 4, "sequence_lens", {g.batch}, DType::kI32));
  const Shape state = a.batch_first ? Shape{g.batch, g.dirs, g.hidden}
                                    : Shape{g.dirs, g.batch, g.hidden};
  OPSCOPE_RETURN_IF_ERROR(expect_operand(ctx, 5, "initial_h", state));
  if (lstm) {
    OPSCOPE_RETURN_IF_ERROR(expect_operand(ctx, 6, "initial_c", state));
    OPSCOPE_RETURN_IF_ERROR(expect_operand(ctx, 7, "P", {g.dirs, 3 * g.hidden}));
  }
  const int max_outputs = lstm ? 3 : 2;
  if (ctx.num_outputs() < 1 || ctx.num_outputs() > max_outputs) {
    return ctx.error(ErrorCode::kInvalidGraph, "takes 1 to " + std::to_string(max_outputs) +
                                                   " outputs, has " +
                                                   std::to_string(ctx.num_outputs()));
  }
  const Shape y = a.batch_first ? Shape{g.batch, g.seq, g.dirs, g.hidden}
                                : Shape{g.seq, g.dirs, g.batch, g.hidden};
  for (int k = 0; k < ctx.num_outputs(); ++k) {
    if (ctx.output_id(k) < 0) continue;
    ctx.output(k).shape = k == 0 ? y : state;
    ctx.output(k).dtype = DType::kF32;
  }
  return g;
}

Status recurrent(PrepareContext& ctx) { return recurrent_geometry(ctx).status(); }

}  // namespace opscope::shapes
