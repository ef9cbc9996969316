// TFLite control flow -> the engine's IF and WHILE nodes (op_kind.h).
//
// IF (IfOptions then/else_subgraph_index): input 0 is the condition, the
// others are passed to the branch taken, whose inputs they are, in order;
// the IF's outputs are the branch's outputs. That is exactly the engine's
// kIf, so inputs and outputs are kept as they are.
// WHILE (WhileOptions cond/body_subgraph_index): the inputs are the loop
// variables and the outputs their final values, one for one; cond takes
// them and gives one BOOL, body takes them and gives their next values:
// exactly the engine's kWhile.
// CALL_ONCE (CallOnceOptions init_subgraph_index) runs its init subgraph
// once per interpreter, to set up resource variables; the engine has none,
// so an init subgraph without inputs and outputs whose ops all read has
// nothing the engine could observe, and the node is dropped.
//
// Counts are checked here, where the subgraph indices are known; dtypes and
// shapes are checked by the engine's shape rules when a Session is created
// (engine/shapes/control_shapes.cc).
#include <memory>
#include <string>

#include "adapters/formats/tflite/tflite_op_map.h"
#include "adapters/formats/tflite/tflite_subgraphs.h"

namespace opscope::tflite {

namespace {

std::string count(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// Every input of a control-flow op is passed on: none may be absent.
Status check_inputs_present(const Node& node) {
  for (size_t k = 0; k < node.inputs.size(); ++k) {
    if (node.inputs[k] < 0) {
      return node_error(node, ErrorCode::kInvalidGraph,
                        "input " + std::to_string(k) + " is absent");
    }
  }
  return Status::ok();
}

// The subgraph `index` the node runs as `role`; its errors follow the
// node's label.
Result<std::shared_ptr<const Model>> run_subgraph(const OpContext& c, const Node& node,
                                                  int32_t index, const char* role) {
  auto model = c.ctx.subgraphs->subgraph(c.ctx.subgraph_index, index, role);
  if (!model.is_ok()) return node_error(node, model.status().code(), model.status().message());
  return model;
}

// The subgraph's graph must take `inputs` values and give `outputs`.
Status expect_arity(const Node& node, const Model& sub, int32_t index, const char* role,
                    size_t inputs, size_t outputs, const std::string& why) {
  const Graph& g = sub.graph;
  if (g.inputs.size() == inputs && g.outputs.size() == outputs) return Status::ok();
  return node_error(node, ErrorCode::kInvalidGraph,
                    std::string(role) + " subgraph " + std::to_string(index) + " takes " +
                        count(g.inputs.size(), "input", "inputs") + " and gives " +
                        count(g.outputs.size(), "output", "outputs") + "; " + why);
}

Status missing_options(const Node& node, const char* table) {
  return node_error(node, ErrorCode::kInvalidGraph,
                    std::string("has no ") + table +
                        ": the subgraphs it runs are not named");
}

}  // namespace

Status translate_if(const OpContext& c, Node& node) {
  if (node.inputs.empty()) {
    return node_error(node, ErrorCode::kInvalidGraph, "has no condition input");
  }
  if (node.outputs.empty()) {
    return node_error(node, ErrorCode::kInvalidGraph, "has no outputs");
  }
  OPSCOPE_RETURN_IF_ERROR(check_inputs_present(node));
  const auto* o = c.op.builtin_options_as_IfOptions();
  if (o == nullptr) return missing_options(node, "IfOptions");
  const size_t passed = node.inputs.size() - 1;
  const std::string why = "the IF passes " + std::to_string(passed) +
                          " (its inputs after the condition) and takes " +
                          std::to_string(node.outputs.size());
  IfAttrs a;
  OPSCOPE_ASSIGN_OR_RETURN(a.then_branch, run_subgraph(c, node, o->then_subgraph_index(), "then"));
  OPSCOPE_RETURN_IF_ERROR(expect_arity(node, *a.then_branch, o->then_subgraph_index(), "then",
                                       passed, node.outputs.size(), why));
  OPSCOPE_ASSIGN_OR_RETURN(a.else_branch, run_subgraph(c, node, o->else_subgraph_index(), "else"));
  OPSCOPE_RETURN_IF_ERROR(expect_arity(node, *a.else_branch, o->else_subgraph_index(), "else",
                                       passed, node.outputs.size(), why));
  node.op = OpKind::kIf;
  node.attrs = std::move(a);
  return Status::ok();
}

Status translate_while(const OpContext& c, Node& node) {
  const size_t n = node.inputs.size();
  if (n == 0 || node.outputs.size() != n) {
    return node_error(node, ErrorCode::kInvalidGraph,
                      "has " + count(n, "input", "inputs") + " and " +
                          count(node.outputs.size(), "output", "outputs") +
                          ": a WHILE gives back each of its loop variables (at least one)");
  }
  OPSCOPE_RETURN_IF_ERROR(check_inputs_present(node));
  const auto* o = c.op.builtin_options_as_WhileOptions();
  if (o == nullptr) return missing_options(node, "WhileOptions");
  const std::string vars = count(n, "loop variable", "loop variables");
  WhileAttrs a;
  OPSCOPE_ASSIGN_OR_RETURN(a.cond, run_subgraph(c, node, o->cond_subgraph_index(), "cond"));
  OPSCOPE_RETURN_IF_ERROR(expect_arity(node, *a.cond, o->cond_subgraph_index(), "cond", n, 1,
                                       "it must take the WHILE's " + vars + " and give one BOOL"));
  OPSCOPE_ASSIGN_OR_RETURN(a.body, run_subgraph(c, node, o->body_subgraph_index(), "body"));
  OPSCOPE_RETURN_IF_ERROR(expect_arity(node, *a.body, o->body_subgraph_index(), "body", n, n,
                                       "it must take and give the WHILE's " + vars));
  node.op = OpKind::kWhile;
  node.attrs = std::move(a);
  return Status::ok();
}

Status check_call_once(const OpContext& c, const Node& node) {
  const auto* o = c.op.builtin_options_as_CallOnceOptions();
  if (o == nullptr) return missing_options(node, "CallOnceOptions");
  if (!node.inputs.empty() || !node.outputs.empty()) {
    return node_error(node, ErrorCode::kInvalidGraph,
                      "has " + count(node.inputs.size(), "input", "inputs") + " and " +
                          count(node.outputs.size(), "output", "outputs") +
                          "; a CALL_ONCE has none");
  }
  OPSCOPE_ASSIGN_OR_RETURN(const std::shared_ptr<const Model> init,
                           run_subgraph(c, node, o->init_subgraph_index(), "init"));
  return expect_arity(node, *init, o->init_subgraph_index(), "init", 0, 0,
                      "an init subgraph with inputs or outputs would have effects the engine "
                      "cannot reproduce");
}

}  // namespace opscope::tflite
