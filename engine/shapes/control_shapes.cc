// Shapes of IF, LOOP, WHILE and SCAN (op_kind.h). IF: the outputs are the branches'
// graph outputs, which must agree between the branches; the captured inputs
// must be what each branch's graph inputs declare. LOOP: the body takes and
// gives back each carried value with the same shape; its scan values are
// stacked along a new first axis as long as the constant trip count.
// WHILE: every loop variable keeps its shape through cond and body. SCAN:
// the states keep theirs; the body sees one slice of each scan input and
// gives one slice of each scan output.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "engine/graph.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::shapes {
namespace {

std::string describe(const Tensor& t) {
  return std::string(to_string(t.dtype)) + " " + shape_to_string(t.shape);
}

Status expect_branch_fits(PrepareContext& ctx, const Graph& g, const char* which) {
  if (static_cast<int>(g.inputs.size()) != ctx.num_inputs() - 1) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     std::string(which) + " takes " + std::to_string(g.inputs.size()) +
                         " inputs, the node passes " + std::to_string(ctx.num_inputs() - 1));
  }
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const Tensor& want = g.tensors[static_cast<size_t>(g.inputs[i])];
    const Tensor& got = ctx.input(static_cast<int>(i) + 1);
    if (want.dtype != got.dtype || want.shape != got.shape) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       std::string(which) + " input '" + want.name + "' is " + describe(want) +
                           ", the node passes " + describe(got));
    }
  }
  if (static_cast<int>(g.outputs.size()) != ctx.num_outputs()) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     std::string(which) + " has " + std::to_string(g.outputs.size()) +
                         " outputs, the node " + std::to_string(ctx.num_outputs()));
  }
  return Status::ok();
}

}  // namespace

Status if_outputs(PrepareContext& ctx) {
  if (ctx.num_inputs() < 1) return ctx.error(ErrorCode::kInvalidGraph, "has no condition");
  OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, 0));
  if (ctx.input(0).elements() != 1) {
    return ctx.error(ErrorCode::kShapeMismatch,
                     "condition is " + shape_to_string(ctx.input(0).shape) + ", not one element");
  }
  for (int i = 1; i < ctx.num_inputs(); ++i) OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, i));
  OPSCOPE_ASSIGN_OR_RETURN(const IfAttrs attrs, node_attrs<IfAttrs>(ctx));
  if (attrs.then_branch == nullptr || attrs.else_branch == nullptr) {
    return ctx.error(ErrorCode::kInvalidGraph, "lacks a branch");
  }
  const Graph& then_graph = attrs.then_branch->graph;
  const Graph& else_graph = attrs.else_branch->graph;
  OPSCOPE_RETURN_IF_ERROR(expect_branch_fits(ctx, then_graph, "then branch"));
  OPSCOPE_RETURN_IF_ERROR(expect_branch_fits(ctx, else_graph, "else branch"));
  for (int k = 0; k < ctx.num_outputs(); ++k) {
    const Tensor& a = then_graph.tensors[static_cast<size_t>(then_graph.outputs[k])];
    const Tensor& b = else_graph.tensors[static_cast<size_t>(else_graph.outputs[k])];
    if (a.dtype != b.dtype || a.shape != b.shape) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "output " + std::to_string(k) + " is " + describe(a) +
                           " in the then branch but " + describe(b) +
                           " in the else branch (the engine plans static shapes)");
    }
    if (ctx.output_id(k) < 0) continue;
    ctx.output(k).shape = a.shape;
    ctx.output(k).dtype = a.dtype;
    ctx.output(k).quantization = a.quantization;
  }
  return Status::ok();
}

namespace {

// A body's graph input or output against the loop's tensor it stands for.
Status expect_same(PrepareContext& ctx, const Tensor& want, const Tensor& got,
                   const std::string& what) {
  if (want.dtype != got.dtype || want.shape != got.shape) {
    return ctx.error(ErrorCode::kShapeMismatch, what + " is " + describe(want) + " in the body, " +
                                                    describe(got) +
                                                    " at the loop (the engine plans static shapes)");
  }
  return Status::ok();
}

Status expect_scalar(PrepareContext& ctx, const Tensor& t, DType dtype, const std::string& what) {
  if (t.dtype != dtype || t.elements() != 1) {
    return ctx.error(ErrorCode::kShapeMismatch, what + " is " + describe(t) + ", not one " +
                                                    std::string(to_string(dtype)));
  }
  return Status::ok();
}

// The most elements a scan output may hold: a loop whose constant trip
// count asks for more is refused at load instead of allocating it.
constexpr int64_t kMaxScanElements = int64_t{1} << 31;

}  // namespace

Status loop_outputs(PrepareContext& ctx) {
  OPSCOPE_ASSIGN_OR_RETURN(const LoopAttrs attrs, node_attrs<LoopAttrs>(ctx));
  if (attrs.body == nullptr) return ctx.error(ErrorCode::kInvalidGraph, "lacks a body");
  const Graph& body = attrs.body->graph;
  const int n = attrs.num_carried, k = attrs.num_scan;
  if (n < 0 || k < 0 || ctx.num_inputs() < 2 + n || ctx.num_outputs() != n + k) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "has " + std::to_string(ctx.num_inputs()) + " inputs and " +
                         std::to_string(ctx.num_outputs()) + " outputs for " + std::to_string(n) +
                         " carried values and " + std::to_string(k) + " scan outputs");
  }
  const int captured = ctx.num_inputs() - 2 - n;
  if (static_cast<int>(body.inputs.size()) != 2 + n + captured ||
      static_cast<int>(body.outputs.size()) != 1 + n + k) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "body takes " + std::to_string(body.inputs.size()) + " inputs and gives " +
                         std::to_string(body.outputs.size()) + " outputs; the loop passes " +
                         std::to_string(2 + n + captured) + " and takes " +
                         std::to_string(1 + n + k));
  }
  auto body_tensor = [&](const std::vector<int>& ids, int i) -> const Tensor& {
    return body.tensors[static_cast<size_t>(ids[static_cast<size_t>(i)])];
  };
  if (ctx.has_input(0)) {
    OPSCOPE_RETURN_IF_ERROR(expect_scalar(ctx, ctx.input(0), DType::kI64, "trip count"));
  }
  if (ctx.has_input(1)) {
    OPSCOPE_RETURN_IF_ERROR(expect_scalar(ctx, ctx.input(1), DType::kBool, "condition"));
  }
  OPSCOPE_RETURN_IF_ERROR(
      expect_scalar(ctx, body_tensor(body.inputs, 0), DType::kI64, "body's iteration number"));
  OPSCOPE_RETURN_IF_ERROR(
      expect_scalar(ctx, body_tensor(body.inputs, 1), DType::kBool, "body's condition input"));
  OPSCOPE_RETURN_IF_ERROR(
      expect_scalar(ctx, body_tensor(body.outputs, 0), DType::kBool, "body's condition output"));
  for (int i = 2; i < ctx.num_inputs(); ++i) {
    OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, i));
    const Tensor& want = body_tensor(body.inputs, i);
    OPSCOPE_RETURN_IF_ERROR(expect_same(ctx, want, ctx.input(i), "input '" + want.name + "'"));
  }
  for (int c = 0; c < n; ++c) {
    const Tensor& out = body_tensor(body.outputs, 1 + c);
    OPSCOPE_RETURN_IF_ERROR(expect_same(ctx, out, ctx.input(2 + c),
                                        "carried value '" + out.name + "' (body output)"));
    if (ctx.output_id(c) < 0) continue;
    ctx.output(c).shape = ctx.input(2 + c).shape;
    ctx.output(c).dtype = ctx.input(2 + c).dtype;
    ctx.output(c).quantization = ctx.input(2 + c).quantization;
  }
  if (k == 0) return Status::ok();
  if (!ctx.has_input(0) || !ctx.input(0).is_constant()) {
    return ctx.error(ErrorCode::kUnsupportedOp,
                     "has scan outputs but no constant trip count: the engine plans their "
                     "length at load");
  }
  int64_t trip = 0;
  std::memcpy(&trip, ctx.input(0).data, sizeof(trip));
  if (trip < 0) trip = 0;
  for (int s = 0; s < k; ++s) {
    const Tensor& out = body_tensor(body.outputs, 1 + n + s);
    const int64_t per_run = std::max<int64_t>(out.elements(), 1);
    if (trip > kMaxScanElements / per_run) {
      return ctx.error(ErrorCode::kUnsupportedOp,
                       "trip count " + std::to_string(trip) + " makes scan output '" + out.name +
                           "' hold more than 2^31 elements");
    }
    if (ctx.output_id(n + s) < 0) continue;
    Tensor& t = ctx.output(n + s);
    t.shape = out.shape;
    t.shape.insert(t.shape.begin(), trip);
    t.dtype = out.dtype;
    t.quantization = out.quantization;
  }
  return Status::ok();
}

Status while_outputs(PrepareContext& ctx) {
  OPSCOPE_ASSIGN_OR_RETURN(const WhileAttrs attrs, node_attrs<WhileAttrs>(ctx));
  if (attrs.cond == nullptr || attrs.body == nullptr) {
    return ctx.error(ErrorCode::kInvalidGraph, "lacks its cond or body graph");
  }
  const int n = ctx.num_inputs();
  const Graph& cond = attrs.cond->graph;
  const Graph& body = attrs.body->graph;
  if (ctx.num_outputs() != n || static_cast<int>(cond.inputs.size()) != n ||
      static_cast<int>(body.inputs.size()) != n || static_cast<int>(body.outputs.size()) != n ||
      cond.outputs.size() != 1) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "has " + std::to_string(n) + " loop variables, " +
                         std::to_string(ctx.num_outputs()) + " outputs; cond takes " +
                         std::to_string(cond.inputs.size()) + " and gives " +
                         std::to_string(cond.outputs.size()) + ", body takes " +
                         std::to_string(body.inputs.size()) + " and gives " +
                         std::to_string(body.outputs.size()));
  }
  OPSCOPE_RETURN_IF_ERROR(expect_scalar(
      ctx, cond.tensors[static_cast<size_t>(cond.outputs[0])], DType::kBool, "cond's output"));
  for (int i = 0; i < n; ++i) {
    OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, i));
    const Tensor& var = ctx.input(i);
    const std::string what = "loop variable " + std::to_string(i);
    OPSCOPE_RETURN_IF_ERROR(
        expect_same(ctx, cond.tensors[static_cast<size_t>(cond.inputs[i])], var, what + " (cond input)"));
    OPSCOPE_RETURN_IF_ERROR(
        expect_same(ctx, body.tensors[static_cast<size_t>(body.inputs[i])], var, what + " (body input)"));
    OPSCOPE_RETURN_IF_ERROR(
        expect_same(ctx, body.tensors[static_cast<size_t>(body.outputs[i])], var, what + " (body output)"));
    if (ctx.output_id(i) < 0) continue;
    ctx.output(i).shape = var.shape;
    ctx.output(i).dtype = var.dtype;
    ctx.output(i).quantization = var.quantization;
  }
  return Status::ok();
}

Status scan_outputs(PrepareContext& ctx) {
  OPSCOPE_ASSIGN_OR_RETURN(const ScanAttrs attrs, node_attrs<ScanAttrs>(ctx));
  if (attrs.body == nullptr) return ctx.error(ErrorCode::kInvalidGraph, "lacks a body");
  const Graph& body = attrs.body->graph;
  const int n = attrs.num_states;
  const int m = static_cast<int>(attrs.input_axes.size()), k = ctx.num_outputs() - n;
  const int captured = ctx.num_inputs() - n - m;
  if (n < 0 || m < 1 || k < 0 || captured < 0 ||
      static_cast<int>(attrs.input_reverse.size()) != m ||
      static_cast<int>(attrs.output_axes.size()) != k ||
      static_cast<int>(attrs.output_reverse.size()) != k ||
      static_cast<int>(body.inputs.size()) != n + m + captured ||
      static_cast<int>(body.outputs.size()) != n + k) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "has " + std::to_string(n) + " states, " + std::to_string(m) +
                         " scan inputs and " + std::to_string(k) +
                         " scan outputs; its body takes " + std::to_string(body.inputs.size()) +
                         " inputs and gives " + std::to_string(body.outputs.size()));
  }
  auto body_tensor = [&](const std::vector<int>& ids, int i) -> const Tensor& {
    return body.tensors[static_cast<size_t>(ids[static_cast<size_t>(i)])];
  };
  for (int i = 0; i < ctx.num_inputs(); ++i) OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, i));
  for (int c = n + m; c < ctx.num_inputs(); ++c) {
    const Tensor& want = body_tensor(body.inputs, c);
    OPSCOPE_RETURN_IF_ERROR(expect_same(ctx, want, ctx.input(c), "input '" + want.name + "'"));
  }
  for (int s = 0; s < n; ++s) {
    const Tensor& state = ctx.input(s);
    OPSCOPE_RETURN_IF_ERROR(expect_same(ctx, body_tensor(body.inputs, s), state,
                                        "state " + std::to_string(s) + " (body input)"));
    OPSCOPE_RETURN_IF_ERROR(expect_same(ctx, body_tensor(body.outputs, s), state,
                                        "state " + std::to_string(s) + " (body output)"));
    if (ctx.output_id(s) < 0) continue;
    ctx.output(s).shape = state.shape;
    ctx.output(s).dtype = state.dtype;
    ctx.output(s).quantization = state.quantization;
  }
  int64_t length = -1;
  for (int j = 0; j < m; ++j) {
    const Tensor& in = ctx.input(n + j);
    const int axis = attrs.input_axes[static_cast<size_t>(j)];
    if (axis < 0 || axis >= static_cast<int>(in.shape.size())) {
      return ctx.error(ErrorCode::kInvalidGraph, "scan input " + std::to_string(j) + " is " +
                                                     describe(in) + ", without an axis " +
                                                     std::to_string(axis));
    }
    const int64_t len = in.shape[static_cast<size_t>(axis)];
    if (length >= 0 && len != length) {
      return ctx.error(ErrorCode::kShapeMismatch,
                       "scan input " + std::to_string(j) + " has " + std::to_string(len) +
                           " positions along its axis, scan input 0 " + std::to_string(length));
    }
    length = len;
    Tensor slice = in;
    slice.shape.erase(slice.shape.begin() + axis);
    OPSCOPE_RETURN_IF_ERROR(expect_same(ctx, body_tensor(body.inputs, n + j), slice,
                                        "scan input " + std::to_string(j) + "'s slice"));
  }
  for (int o = 0; o < k; ++o) {
    const Tensor& slice = body_tensor(body.outputs, n + o);
    const int axis = attrs.output_axes[static_cast<size_t>(o)];
    if (axis < 0 || axis > static_cast<int>(slice.shape.size())) {
      return ctx.error(ErrorCode::kInvalidGraph, "scan output " + std::to_string(o) +
                                                     " has no axis " + std::to_string(axis) +
                                                     " for slices " + describe(slice));
    }
    if (ctx.output_id(n + o) < 0) continue;
    Tensor& t = ctx.output(n + o);
    t.shape = slice.shape;
    t.shape.insert(t.shape.begin() + axis, length);
    t.dtype = slice.dtype;
    t.quantization = slice.quantization;
  }
  return Status::ok();
}

}  // namespace opscope::shapes
