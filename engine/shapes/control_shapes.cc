// Shapes of IF (op_kind.h): the outputs are the branches' graph outputs,
// which must agree between the branches; the captured inputs must be what
// each branch's graph inputs declare.
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

}  // namespace opscope::shapes
