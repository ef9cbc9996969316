// If and Loop. A condition known at load (a constant, or computed from constants
// and static shapes, folded as the graph is built, or from a graph input
// frozen with --freeze) takes its branch at load: the branch is translated
// in place, as if its nodes were the If's (their engine nodes carry the
// If's source index), and its outputs become the If's; ONNX Runtime folds
// such an If the same way. Any other condition makes an engine IF node
// (op_kind.h) whose branches are models of their own, imported here: the
// values a branch reads from the enclosing graphs (at any depth of nested
// subgraphs) become its graph inputs, shared by both branches in one order,
// or constants of its own when they are constant. A Loop is always an
// engine LOOP node, its body imported the same way.
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {
namespace {

// The branch graph's initializers as constants, then its nodes in order.
Status translate_branch(Importer& im, const ::onnx::GraphProto& branch, int source_index) {
  im.declare_shapes(branch);
  for (const auto& init : branch.initializer()) {
    if (im.defined(init.name())) {
      return im.error(ErrorCode::kInvalidGraph,
                      "branch initializer '" + init.name() + "' is already defined");
    }
    auto d = read_tensor_proto(init, "");
    if (!d.is_ok()) return im.error(d.status().code(), d.status().message());
    std::vector<uint8_t> bytes = d->owned.empty()
                                     ? std::vector<uint8_t>(d->data, d->data + d->bytes)
                                     : std::move(d->owned);
    im.define(init.name(), Value{im.new_constant(init.name(), d->dtype, d->shape, std::move(bytes))});
  }
  // Values the branch reads but does not make come from the outer scope.
  std::unordered_set<std::string> made, available;
  for (const auto& node : branch.node()) {
    for (const auto& out : node.output()) made.insert(out);
  }
  for (const auto& node : branch.node()) {
    for (const auto& in : node.input()) {
      if (in.empty()) continue;
      im.count_use(in);
      if (!made.count(in) && im.defined(in)) available.insert(in);
    }
  }
  for (const auto& out : branch.output()) im.count_use(out.name());
  OPSCOPE_ASSIGN_OR_RETURN(const std::vector<int> order, topological_order(branch, available));
  for (int i : order) {
    im.begin_node(branch.node(i), source_index);
    OPSCOPE_RETURN_IF_ERROR(translate_node(im));
  }
  return Status::ok();
}

// Every name the nodes of `g` read, at any depth of its subgraphs.
void collect_reads(const ::onnx::GraphProto& g, std::unordered_set<std::string>& reads,
                   std::vector<std::string>& order) {
  for (const auto& node : g.node()) {
    for (const auto& in : node.input()) {
      if (!in.empty() && reads.insert(in).second) order.push_back(in);
    }
    for (const auto& a : node.attribute()) {
      if (a.has_g()) collect_reads(a.g(), reads, order);
      for (const auto& sub : a.graphs()) collect_reads(sub, reads, order);
    }
  }
  for (const auto& out : g.output()) {
    if (reads.insert(out.name()).second) order.push_back(out.name());
  }
}

const ::onnx::GraphProto* branch_graph(Importer& im, const char* which) {
  const ::onnx::AttributeProto* a = im.attr(which);
  return a != nullptr && a->has_g() ? &a->g() : nullptr;
}

// One branch or body as a model of its own: its `formals` (a loop body's
// declared inputs, with the shapes the loop gives them) become its first
// graph inputs; then `captured` (names of the enclosing graph, with the
// outer tensors `outer_ids`) become graph inputs, in order, or constants
// when the outer value is constant.
Result<std::shared_ptr<Model>> import_branch(Importer& outer, const ::onnx::GraphProto& branch,
                                             const char* which,
                                             const std::vector<Tensor>& formals,
                                             const std::vector<std::string>& captured,
                                             const std::vector<int>& outer_ids) {
  auto model = std::make_shared<Model>();
  model->info.name = outer.node_name() + "." + which;
  model->info.format = ModelFormat::kOnnx;
  Graph& g = model->graph;
  Importer im(g, outer.notes(), outer.opset());
  im.begin_node(outer.node(), outer.source_index());
  for (Tensor t : formals) {
    t.role = TensorRole::kInput;
    const std::string name = t.name;
    const int id = g.add_tensor(std::move(t));
    g.inputs.push_back(id);
    im.define(name, Value{id});
  }
  for (size_t i = 0; i < captured.size(); ++i) {
    Tensor t = outer.graph().tensors[static_cast<size_t>(outer_ids[i])];
    t.name = captured[i];
    if (t.is_constant()) {
      // The branch keeps a copy it owns: it may outlive the file's mapping.
      if (t.owned_data == nullptr) t.set_owned_data(std::vector<uint8_t>(t.data, t.data + t.data_bytes));
      im.define(captured[i], Value{g.add_tensor(std::move(t))});
      continue;
    }
    t.role = TensorRole::kInput;
    const int id = g.add_tensor(std::move(t));
    g.inputs.push_back(id);
    im.define(captured[i], Value{id});
  }
  // Errors inside the branch name the If node first, then the branch's node.
  Status st = translate_branch(im, branch, outer.source_index());
  if (!st.is_ok()) return outer.error(st.code(), std::string(which) + ": " + st.message());
  im.begin_node(outer.node(), outer.source_index());
  st = define_graph_outputs(im, branch.output());
  if (!st.is_ok()) return outer.error(st.code(), std::string(which) + ": " + st.message());
  im.remove_dead_nodes();
  st = validate_graph(g);
  if (!st.is_ok()) return outer.error(st.code(), std::string(which) + ": " + st.message());
  // Its own nodes and weights (the reader adds every body's to the model's).
  model->info.source_nodes = branch.node_size();
  fill_weight_info(g, model->info);
  return model;
}

// Emits the node with a tensor for each of the ONNX node's outputs (named
// after the node when unnamed) and defines the named ones.
Status emit_with_outputs(Importer& im, OpKind op, Attributes attrs, const std::vector<int>& inputs) {
  const ::onnx::NodeProto& node = im.node();
  std::vector<int> outputs;
  for (int k = 0; k < node.output_size(); ++k) {
    const std::string name =
        node.output(k).empty() ? im.node_name() + "/unused_" + std::to_string(k) : node.output(k);
    outputs.push_back(im.new_tensor(name));
  }
  OPSCOPE_RETURN_IF_ERROR(im.emit(op, std::move(attrs), inputs, outputs).status());
  for (int k = 0; k < node.output_size(); ++k) {
    if (!node.output(k).empty()) im.define(node.output(k), Value{outputs[static_cast<size_t>(k)]});
  }
  return Status::ok();
}

// The enclosing graphs' values `graphs` read, in first-read order: their
// names, the outer tensors, and (appended to `inputs`) those that are not
// constant, which the node passes in. A name the outer scope defines is
// never made inside (ONNX names are SSA).
Status capture_outer_values(Importer& im, const std::vector<const ::onnx::GraphProto*>& graphs,
                            std::vector<std::string>& captured, std::vector<int>& outer_ids,
                            std::vector<int>& inputs) {
  std::unordered_set<std::string> reads;
  std::vector<std::string> order;
  for (const ::onnx::GraphProto* g : graphs) collect_reads(*g, reads, order);
  for (const std::string& name : order) {
    const Value* v = im.find(name);
    if (v == nullptr) continue;
    OPSCOPE_ASSIGN_OR_RETURN(const int id, im.as_natural(*v));
    captured.push_back(name);
    outer_ids.push_back(id);
    if (!im.tensor(Value{id}).is_constant()) inputs.push_back(id);  // constants go in as such
  }
  return Status::ok();
}

// An If whose condition is computed at run time: an engine IF node.
Status translate_runtime_if(Importer& im, const Value& cond) {
  const ::onnx::GraphProto* branches[2] = {branch_graph(im, "then_branch"),
                                           branch_graph(im, "else_branch")};
  if (branches[0] == nullptr || branches[1] == nullptr) {
    return im.error(ErrorCode::kInvalidGraph, "lacks a then_branch or else_branch graph");
  }
  const ::onnx::NodeProto& if_node = im.node();
  for (const ::onnx::GraphProto* b : branches) {
    if (b->output_size() != if_node.output_size()) {
      return im.error(ErrorCode::kInvalidGraph,
                      "a branch has " + std::to_string(b->output_size()) +
                          " outputs, the node " + std::to_string(if_node.output_size()));
    }
  }
  // The enclosing graphs' values either branch reads, in one order.
  std::vector<std::string> captured;
  std::vector<int> outer_ids;
  std::vector<int> inputs;
  OPSCOPE_ASSIGN_OR_RETURN(const int cond_id, im.as_natural(cond));
  inputs.push_back(cond_id);
  OPSCOPE_RETURN_IF_ERROR(
      capture_outer_values(im, {branches[0], branches[1]}, captured, outer_ids, inputs));
  IfAttrs attrs;
  OPSCOPE_ASSIGN_OR_RETURN(attrs.then_branch,
                           import_branch(im, *branches[0], "then_branch", {}, captured, outer_ids));
  OPSCOPE_ASSIGN_OR_RETURN(attrs.else_branch,
                           import_branch(im, *branches[1], "else_branch", {}, captured, outer_ids));
  return emit_with_outputs(im, OpKind::kIf, std::move(attrs), inputs);
}

}  // namespace

Status translate_if(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"then_branch", "else_branch"}));
  if (!im.has_input(0)) return im.error(ErrorCode::kInvalidGraph, "has no condition");
  OPSCOPE_ASSIGN_OR_RETURN(Value cond_value, im.input(0));
  if (!im.is_constant(cond_value)) return translate_runtime_if(im, cond_value);
  const Tensor& cond = im.tensor(cond_value);
  if (cond.elements() != 1 || cond.data_bytes < dtype_size(cond.dtype)) {
    return im.error(ErrorCode::kInvalidGraph,
                    "condition has " + std::to_string(cond.elements()) + " elements, not one");
  }
  bool taken = false;
  for (size_t b = 0; b < dtype_size(cond.dtype); ++b) taken = taken || cond.data[b] != 0;
  const char* which = taken ? "then_branch" : "else_branch";
  const ::onnx::AttributeProto* a = im.attr(which);
  if (a == nullptr || !a->has_g()) {
    return im.error(ErrorCode::kInvalidGraph, std::string("has no ") + which + " graph");
  }
  const ::onnx::GraphProto& branch = a->g();
  const ::onnx::NodeProto& if_node = im.node();
  const int source_index = im.source_index();
  if (branch.output_size() != if_node.output_size()) {
    return im.error(ErrorCode::kInvalidGraph,
                    std::string(which) + " has " + std::to_string(branch.output_size()) +
                        " outputs, the node " + std::to_string(if_node.output_size()));
  }
  Status st = translate_branch(im, branch, source_index);
  im.begin_node(if_node, source_index);  // the If again, for what follows
  if (!st.is_ok()) return st;
  for (int k = 0; k < if_node.output_size(); ++k) {
    if (if_node.output(k).empty()) continue;
    const Value* v = im.find(branch.output(k).name());
    if (v == nullptr) {
      return im.error(ErrorCode::kInvalidGraph, std::string(which) + " output '" +
                                                    branch.output(k).name() +
                                                    "' is never produced");
    }
    im.define(if_node.output(k), *v);
  }
  return Status::ok();
}

// Loop: an engine LOOP node whose body is a model of its own, taking the
// iteration number, the condition, the carried values (with the shapes the
// loop gives them) and the values it captures from the enclosing graphs.
Status translate_loop(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"body"}));
  const ::onnx::GraphProto* body = branch_graph(im, "body");
  if (body == nullptr) return im.error(ErrorCode::kInvalidGraph, "has no body graph");
  const ::onnx::NodeProto& node = im.node();
  const int n = node.input_size() - 2;
  if (n < 0) {
    return im.error(ErrorCode::kInvalidGraph,
                    "has " + std::to_string(node.input_size()) +
                        " inputs; a Loop has at least the trip count and the condition "
                        "(either may be empty)");
  }
  const int k = node.output_size() - n;
  if (k < 0 || body->input_size() != 2 + n || body->output_size() != 1 + n + k) {
    return im.error(ErrorCode::kInvalidGraph,
                    "body takes " + std::to_string(body->input_size()) + " inputs and gives " +
                        std::to_string(body->output_size()) + " outputs; a Loop with " +
                        std::to_string(n) + " carried values and " +
                        std::to_string(node.output_size()) +
                        " outputs needs 2 + carried inputs and 1 + outputs");
  }
  std::vector<int> inputs;
  for (int i = 0; i < 2; ++i) {
    OPSCOPE_ASSIGN_OR_RETURN(const int id, im.optional_natural(i));
    inputs.push_back(id);
  }
  if (k > 0 && (inputs[0] < 0 || !im.tensor(Value{inputs[0]}).is_constant())) {
    return im.error(ErrorCode::kUnsupportedOp,
                    "input 0 '" + (node.input_size() > 0 ? node.input(0) : std::string()) +
                        "' must be a constant: the loop has scan outputs, whose length the "
                        "engine plans at load (give a graph input with --freeze)");
  }
  // The body's declared inputs: iteration number, condition, then the
  // carried values as the loop passes them.
  std::vector<Tensor> formals(static_cast<size_t>(2 + n));
  formals[0].dtype = DType::kI64;
  formals[0].shape = {};
  formals[1].dtype = DType::kBool;
  formals[1].shape = {};
  for (int c = 0; c < n; ++c) {
    if (!im.has_input(2 + c)) {
      return im.error(ErrorCode::kInvalidGraph,
                      "carried value " + std::to_string(c) + " has no initial value");
    }
    OPSCOPE_ASSIGN_OR_RETURN(const Value v, im.input(2 + c));
    OPSCOPE_ASSIGN_OR_RETURN(const int id, im.as_natural(v));
    inputs.push_back(id);
    const Tensor& outer = im.tensor(Value{id});
    formals[static_cast<size_t>(2 + c)].dtype = outer.dtype;
    formals[static_cast<size_t>(2 + c)].shape = outer.shape;
    formals[static_cast<size_t>(2 + c)].quantization = outer.quantization;
  }
  for (int i = 0; i < 2 + n; ++i) formals[static_cast<size_t>(i)].name = body->input(i).name();
  std::vector<std::string> captured;
  std::vector<int> outer_ids;
  OPSCOPE_RETURN_IF_ERROR(capture_outer_values(im, {body}, captured, outer_ids, inputs));
  LoopAttrs attrs;
  attrs.num_carried = n;
  attrs.num_scan = k;
  OPSCOPE_ASSIGN_OR_RETURN(attrs.body,
                           import_branch(im, *body, "body", formals, captured, outer_ids));
  return emit_with_outputs(im, OpKind::kLoop, std::move(attrs), inputs);
}

// The axes of a Scan attribute (default 0 each), resolved against `ranks`.
Result<std::vector<int>> scan_axes(Importer& im, const char* attr, const std::vector<int>& ranks) {
  const std::vector<int64_t> given = im.attr_ints(attr);
  if (!given.empty() && given.size() != ranks.size()) {
    return im.error(ErrorCode::kInvalidGraph, std::string(attr) + " has " +
                                                  std::to_string(given.size()) + " entries for " +
                                                  std::to_string(ranks.size()) + " values");
  }
  std::vector<int> axes;
  for (size_t i = 0; i < ranks.size(); ++i) {
    int64_t a = given.empty() ? 0 : given[i];
    if (a < 0) a += ranks[i];
    if (a < 0 || a >= ranks[i]) {
      return im.error(ErrorCode::kInvalidGraph, std::string(attr) + "[" + std::to_string(i) +
                                                    "] is out of range for rank " +
                                                    std::to_string(ranks[i]));
    }
    axes.push_back(static_cast<int>(a));
  }
  return axes;
}

Result<std::vector<bool>> scan_directions(Importer& im, const char* attr, size_t count) {
  const std::vector<int64_t> given = im.attr_ints(attr);
  if (!given.empty() && given.size() != count) {
    return im.error(ErrorCode::kInvalidGraph, std::string(attr) + " has " +
                                                  std::to_string(given.size()) + " entries for " +
                                                  std::to_string(count) + " values");
  }
  std::vector<bool> reverse;
  for (size_t i = 0; i < count; ++i) {
    const int64_t d = given.empty() ? 0 : given[i];
    if (d != 0 && d != 1) {
      return im.error(ErrorCode::kInvalidGraph, std::string(attr) + "[" + std::to_string(i) +
                                                    "] is " + std::to_string(d) + ", not 0 or 1");
    }
    reverse.push_back(d == 1);
  }
  return reverse;
}

// Scan (opset 9 on): an engine SCAN node whose body is a model of its own,
// taking the states and one slice of each scan input (with the shapes the
// scan gives them) and the values it captures from the enclosing graphs.
Status translate_scan(Importer& im) {
  if (im.opset() < 9) {
    return im.error(ErrorCode::kUnsupportedOp,
                    "Scan before opset 9 (a batch axis and sequence_lens) is not supported; "
                    "its opset 9 form is");
  }
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"body", "num_scan_inputs", "scan_input_axes",
                                           "scan_input_directions", "scan_output_axes",
                                           "scan_output_directions"}));
  const ::onnx::GraphProto* body = branch_graph(im, "body");
  if (body == nullptr) return im.error(ErrorCode::kInvalidGraph, "has no body graph");
  const ::onnx::NodeProto& node = im.node();
  const int m = static_cast<int>(im.attr_int("num_scan_inputs", 0));
  const int n = node.input_size() - m;
  const int k = node.output_size() - n;
  if (m < 1 || n < 0 || k < 0 || body->input_size() != n + m || body->output_size() != n + k) {
    return im.error(ErrorCode::kInvalidGraph,
                    "has " + std::to_string(node.input_size()) + " inputs (" + std::to_string(m) +
                        " scanned) and " + std::to_string(node.output_size()) +
                        " outputs; its body takes " + std::to_string(body->input_size()) +
                        " inputs and gives " + std::to_string(body->output_size()));
  }
  std::vector<int> inputs;
  std::vector<Tensor> formals(static_cast<size_t>(n + m));
  std::vector<int> scan_ranks;
  for (int i = 0; i < n + m; ++i) {
    if (!im.has_input(i)) return im.error(ErrorCode::kInvalidGraph, "input " + std::to_string(i) + " is empty");
    OPSCOPE_ASSIGN_OR_RETURN(const Value v, im.input(i));
    OPSCOPE_ASSIGN_OR_RETURN(const int id, im.as_natural(v));
    inputs.push_back(id);
    const Tensor& outer = im.tensor(Value{id});
    Tensor& f = formals[static_cast<size_t>(i)];
    f.name = body->input(i).name();
    f.dtype = outer.dtype;
    f.shape = outer.shape;
    f.quantization = outer.quantization;
    if (i >= n) scan_ranks.push_back(static_cast<int>(outer.shape.size()));
  }
  ScanAttrs attrs;
  attrs.num_states = n;
  OPSCOPE_ASSIGN_OR_RETURN(attrs.input_axes, scan_axes(im, "scan_input_axes", scan_ranks));
  OPSCOPE_ASSIGN_OR_RETURN(attrs.input_reverse,
                           scan_directions(im, "scan_input_directions", static_cast<size_t>(m)));
  OPSCOPE_ASSIGN_OR_RETURN(attrs.output_reverse,
                           scan_directions(im, "scan_output_directions", static_cast<size_t>(k)));
  for (int j = 0; j < m; ++j) {
    Shape& shape = formals[static_cast<size_t>(n + j)].shape;
    shape.erase(shape.begin() + attrs.input_axes[static_cast<size_t>(j)]);
  }
  std::vector<std::string> captured;
  std::vector<int> outer_ids;
  OPSCOPE_RETURN_IF_ERROR(capture_outer_values(im, {body}, captured, outer_ids, inputs));
  OPSCOPE_ASSIGN_OR_RETURN(attrs.body,
                           import_branch(im, *body, "body", formals, captured, outer_ids));
  // Output axes count in the scan output's rank: a body slice's rank + 1.
  std::vector<int> out_ranks;
  for (int o = 0; o < k; ++o) {
    const Graph& g = attrs.body->graph;
    out_ranks.push_back(static_cast<int>(g.tensors[static_cast<size_t>(g.outputs[static_cast<size_t>(n + o)])].shape.size()) + 1);
  }
  OPSCOPE_ASSIGN_OR_RETURN(attrs.output_axes, scan_axes(im, "scan_output_axes", out_ranks));
  return emit_with_outputs(im, OpKind::kScan, std::move(attrs), inputs);
}

}  // namespace opscope::onnx
