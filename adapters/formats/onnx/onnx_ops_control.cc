// If whose condition is known at load: a constant, or computed from
// constants and static shapes (folded as the graph is built), or from a
// graph input frozen with --freeze. The branch it takes is translated in
// place, as if its nodes were the If's: their engine nodes carry the If's
// source index, and the branch's outputs become the If's. ONNX Runtime
// folds such an If the same way. A condition computed at run time is not
// supported yet (the error says so).
#include <string>
#include <unordered_set>

#include "adapters/formats/onnx/onnx_ops.h"

namespace opscope::onnx {
namespace {

// The branch graph's initializers as constants, then its nodes in order.
Status translate_branch(Importer& im, const ::onnx::GraphProto& branch, int source_index) {
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

}  // namespace

Status translate_if(Importer& im) {
  OPSCOPE_RETURN_IF_ERROR(im.expect_attrs({"then_branch", "else_branch"}));
  if (!im.has_input(0)) return im.error(ErrorCode::kInvalidGraph, "has no condition");
  OPSCOPE_ASSIGN_OR_RETURN(Value cond_value, im.input(0));
  if (!im.is_constant(cond_value)) {
    return im.error(ErrorCode::kUnsupportedOp,
                    "its condition is computed at run time, which the engine does not run "
                    "yet; an If whose condition is known at load (a constant, or computed "
                    "from constants and shapes, or from an input given with --freeze) is "
                    "inlined");
  }
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

}  // namespace opscope::onnx
